import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from '../compile/compile';
import { formatBytes } from '../format';
import type { GraphDoc, OptimizerName } from '../graph/types';
import { buildTemplate, type TemplateName } from '../templates';
import { lossTerms } from '../train/losses';
import { makeOptimizer } from '../train/train';
import { estimateTrainingMemory, memoryLimit, memoryRefusal } from './memory';
import { wideGraph as wide } from './wideGraph';

const GB = 1024 ** 3;


/** tf.profile's peak over what a run does with a graph: two training steps, then a validation batch. */
async function measuredPeak(doc: GraphDoc): Promise<number> {
  const info = await tf.profile(async () => {
    const compiled = compileGraph(doc);
    const optimizer = makeOptimizer(doc.training);
    const shape = compiled.analysis.inputShape!;
    for (let s = 0; s < 2; s++) {
      const xs = tf.randomUniform([doc.training.batchSize, ...shape]);
      optimizer.minimize(() => {
        const outputs = compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
        return tf.reshape(tf.slice(lossTerms(compiled.loss, outputs, xs, 1), 0, 1), []) as tf.Scalar;
      })?.dispose();
      xs.dispose();
    }
    tf.tidy(() => {
      const xs = tf.randomUniform([256, ...shape]);
      lossTerms(compiled.loss, compiled.trainModel.apply(xs, { training: false }) as tf.Tensor[], xs, 1);
    });
    optimizer.dispose();
    compiled.dispose();
  });
  return info.peakBytes;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training memory estimate', () => {
  // Within this factor of tf.profile's peak on the cpu backend, each way.
  const FACTOR = 1.5;
  it.each<[TemplateName, OptimizerName, number]>([
    ['undercomplete', 'adam', 16],
    ['undercomplete', 'sgd', 128],
    ['undercomplete', 'rmsprop', 128],
    ['overcomplete', 'adam', 64],
    ['overcomplete', 'sgd', 128],
    ['sparse', 'rmsprop', 16],
    ['denoising', 'sgd', 32],
    ['variational', 'adam', 128],
    ['convolutional', 'sgd', 8],
  ])(`%s with %s, batch %i: within ${FACTOR}× of the measured peak`, async (name, optimizer, batchSize) => {
    const doc = buildTemplate(name);
    doc.training = { ...doc.training, optimizer, batchSize, momentum: 0.9 };
    const estimate = estimateTrainingMemory(doc)!.bytes;
    const measured = await measuredPeak(doc);
    expect(measured / estimate, `measured ${formatBytes(measured)}, estimated ${formatBytes(estimate)}`).toBeGreaterThan(1 / FACTOR);
    expect(measured / estimate, `measured ${formatBytes(measured)}, estimated ${formatBytes(estimate)}`).toBeLessThan(FACTOR);
  });

  it('counts the optimizer state: Adam two slots, momentum one, plain SGD none', () => {
    const doc = buildTemplate('overcomplete');
    const state = (optimizer: OptimizerName, momentum = 0.9) => estimateTrainingMemory({ ...doc, training: { ...doc.training, optimizer, momentum } })!;
    const weights = state('adam').weights;
    expect(weights).toBe(4 * 1_854_224);
    expect([state('adam').optimizerState, state('rmsprop').optimizerState, state('sgd').optimizerState, state('sgd', 0).optimizerState]).toEqual([2 * weights, 2 * weights, weights, 0]);
    expect(state('adam').bytes).toBeGreaterThan(state('sgd', 0).bytes);
  });

  it('grows with the batch through the activations', () => {
    const doc = buildTemplate('convolutional');
    const at = (batchSize: number) => estimateTrainingMemory({ ...doc, training: { ...doc.training, batchSize } })!;
    expect(at(512).activations).toBe(4 * at(128).activations);
    expect(at(512).bytes).toBeGreaterThan(at(128).bytes);
  });

  it('refuses 4.3 billion and 640 million parameters before anything is made, naming the estimate and the limit', () => {
    const huge = wide(256, 1, 65_536);
    const estimate = estimateTrainingMemory(huge)!;
    expect(estimate.weights / 4).toBeGreaterThan(4.29e9);
    const limit = memoryLimit('cpu', 32 * GB);
    expect(memoryRefusal(estimate, limit, 'cpu')).toMatch(/^training this graph needs about \d+ GB \(weights 16 GB, optimizer state 32 GB, activations .* per batch\), more than the 16 GB a run may use on cpu \(half of this machine's memory\)/);

    const large = wide(128, 3, 12_950);
    const params = estimateTrainingMemory(large)!.weights / 4;
    expect(params).toBeGreaterThan(639e6);
    expect(params).toBeLessThan(641e6);
    expect(memoryRefusal(estimateTrainingMemory(large), memoryLimit('wasm', 64 * GB), 'wasm')).toMatch(/more than the 3\.3 GB the wasm backend can address/);
    expect(memoryRefusal(estimateTrainingMemory(large), memoryLimit('tensorflow', 16 * GB), 'tensorflow')).toMatch(/more than the 8\.0 GB/);
    // A template fits anywhere.
    expect(memoryRefusal(estimateTrainingMemory(buildTemplate('convolutional')), memoryLimit('wasm', 4 * GB), 'wasm')).toBeNull();
  });

  it('has no estimate for a graph with errors (its shapes are not all known)', () => {
    const broken = buildTemplate('undercomplete');
    broken.edges.pop();
    expect(estimateTrainingMemory(broken)).toBeNull();
  });
});
