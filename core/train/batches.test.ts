import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchSources, DeviceBatchSource, HostBatchSource } from './batches';
import { seededRandom, shuffledIndices } from './random';
import { squaresDataset } from './testData';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batch sources', () => {
  const dataset = squaresDataset(23, 5);
  const shape = [8, 8, 1] as const;
  const order = shuffledIndices(23, seededRandom(4));

  it.each([1, 5, 23, 100])('on the device, in chunks of %i images, give the host\'s batches in the same row order', (chunkImages) => {
    const host = new HostBatchSource(dataset.train, shape, new Float32Array(7 * 64));
    const device = new DeviceBatchSource(dataset.train, shape, chunkImages);
    const before = tf.memory().numTensors;
    for (const [from, count] of [[0, 7], [7, 7], [14, 7], [21, 2]] as const) {
      const a = host.batch(order, from, count);
      const b = device.batch(order, from, count);
      expect(b.shape).toEqual([count, 8, 8, 1]);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
    }
    // The epoch's order stays cached on one chunk: at most one tensor more than before.
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(1);
    device.dispose();
    host.dispose();
  });

  it('keep a dataset on the device only for a GPU backend, and only within the budget', () => {
    const split = (onDevice: boolean, budget?: number) => {
      const s = batchSources(dataset, { onDevice, batchSize: 7, evalBatch: 256, ...(budget !== undefined && { budget }) });
      s.train.dispose();
      s.validation.dispose();
      return [s.onDevice, s.train.constructor.name];
    };
    expect(split(true)).toEqual([true, 'DeviceBatchSource']);
    expect(split(false)).toEqual([false, 'HostBatchSource']);
    // Both splits as float32: 28 × 64 × 4 bytes.
    expect(split(true, 28 * 64 * 4 - 1)).toEqual([false, 'HostBatchSource']);
  });
});
