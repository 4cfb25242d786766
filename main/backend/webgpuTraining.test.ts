/**
 * Training on webgpu, on SwiftShader (Chromium's software Vulkan driver): every template gives the
 * wasm backend's batch losses, and the data path keeps the dataset on the device. Small shapes: a
 * software GPU is slow, and most of a first batch is shader compilation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BackendInfo } from '../../core/api';
import type { ImageDataset } from '../../core/data/dataset';
import type { GraphDoc } from '../../core/graph/types';
import { buildTemplate, TEMPLATE_NAMES, type TemplateName } from '../../core/templates';
import type { BatchEndEvent, EpochEndEvent, TrainEvent } from '../../core/train/events';
import { seededRandom } from '../../core/train/random';
import { squaresDataset } from '../../core/train/testData';
import { noSwiftShader, pointVulkanAtSwiftShader, webgpuTestName } from '../../core/train/testWebgpu';
import { trainAutoencoder, type TrainOptions } from '../../core/train/train';
import { currentDeviceWatch } from '../../core/train/webgpu';
import { selectBackend } from './tfBackend';

const IMAGE = { height: 12, width: 12, channels: 1 };

function small(name: TemplateName): GraphDoc {
  const doc = buildTemplate(name, IMAGE);
  doc.training = { ...doc.training, epochs: 1, batchSize: 16, seed: 5, learningRate: 1e-3 };
  return doc;
}

/** Trains on the current backend. Noise is seeded per step in JS (core/compile/noise.ts); Math.random is pinned too, so no stray use could make backends differ. */
async function train(graph: GraphDoc, dataset: ImageDataset, backend: string, extra: Partial<TrainOptions> = {}) {
  const random = seededRandom(99);
  const spy = vi.spyOn(Math, 'random').mockImplementation(random);
  const events: TrainEvent[] = [];
  const started = Date.now();
  try {
    const last = await trainAutoencoder({ runId: backend, graph, dataset, backend, emit: (e) => events.push(e), batchEventIntervalMs: 0, parallel: false, ...extra });
    expect(last.type, last.type === 'run-failed' ? last.message : '').toBe('run-finished');
  } finally {
    spy.mockRestore();
  }
  return {
    ms: Date.now() - started,
    batches: events.filter((e): e is BatchEndEvent => e.type === 'batch-end'),
    epochs: events.filter((e): e is EpochEndEvent => e.type === 'epoch-end'),
  };
}

describe.skipIf(noSwiftShader)('training on webgpu (SwiftShader)', () => {
  let webgpu: BackendInfo;

  beforeAll(async () => {
    pointVulkanAtSwiftShader();
    await selectBackend('wasm');
    webgpu = await selectBackend('webgpu');
  }, 60_000);

  afterEach(async () => {
    await tf.setBackend('webgpu');
  });

  it('is chosen only when asked for, and names its software adapter', () => {
    expect(webgpu.name).toBe('webgpu');
    expect(webgpu.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', fallback: true });
  });

  it.each(TEMPLATE_NAMES)(webgpuTestName('%s (12×12): every batch loss within 1e-3 of the wasm backend with the same seed'), async (name) => {
    const dataset = squaresDataset(48, 16, 7, 12);
    await tf.setBackend('wasm');
    const wasm = await train(small(name), dataset, 'wasm');
    await tf.setBackend('webgpu');
    const gpu = await train(small(name), dataset, 'webgpu');
    expect(gpu.batches).toHaveLength(3);
    expect(wasm.batches).toHaveLength(3);
    const worst = Math.max(...gpu.batches.map((b, i) => Math.abs(b.loss - wasm.batches[i]!.loss)));
    console.log(`${name}: max |Δ batch loss| ${worst.toExponential(2)}, webgpu ${gpu.ms} ms for 3 batches and an evaluation (wasm ${wasm.ms} ms)`);
    expect(worst).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(gpu.epochs[0]!.val_loss - wasm.epochs[0]!.val_loss)).toBeLessThanOrEqual(1e-3);
  }, 120_000);

  it(webgpuTestName('keeps the dataset on the device: batches are not uploaded, losses are read back in groups, memory stays flat across epochs'), async () => {
    const dataset = squaresDataset(96, 32, 7, 12);
    const graph = small('undercomplete');
    graph.training.epochs = 4;
    // Every upload and read-back goes through the backend's write and read: count them per epoch.
    const backend = tf.backend() as unknown as Record<'write' | 'read', (...args: unknown[]) => unknown>;
    const [originalWrite, originalRead] = [backend.write, backend.read];
    const uploads: number[] = [];
    const reads: number[] = [];
    let epoch = 0;
    const write = vi.spyOn(backend, 'write').mockImplementation((...args: unknown[]) => {
      uploads[epoch] = (uploads[epoch] ?? 0) + ((args[0] as { byteLength?: number } | null)?.byteLength ?? 0);
      return originalWrite.apply(backend, args);
    });
    const read = vi.spyOn(backend, 'read').mockImplementation((...args: unknown[]) => {
      reads[epoch] = (reads[epoch] ?? 0) + 1;
      return originalRead.apply(backend, args);
    });
    const memory: { bytes: number; tensors: number }[] = [];
    try {
      // The first epoch's batches after the upload: 6 of them, and no batch-end event asks for its loss.
      const run = await train(graph, dataset, 'webgpu', {
        batchEventIntervalMs: 1e9,
        onEpochEnd: async () => {
          const m = tf.memory();
          memory.push({ bytes: m.numBytes, tensors: m.numTensors });
          epoch++;
        },
      });
      expect(run.epochs).toHaveLength(4);
    } finally {
      write.mockRestore();
      read.mockRestore();
    }
    console.log(`memory per epoch ${JSON.stringify(memory)}, uploaded bytes ${uploads.join(', ')}, read-backs ${reads.join(', ')}`);
    expect(memory.every((m) => m.bytes === memory[0]!.bytes && m.tensors === memory[0]!.tensors), JSON.stringify(memory)).toBe(true);
    const batchBytes = 16 * 12 * 12 * 4;
    // Epoch 1 uploads both splits once; later epochs upload only the shuffled order and the optimizer's scalars, far less than one batch of images each.
    expect(uploads[0]).toBeGreaterThanOrEqual((96 + 32) * 12 * 12 * 4);
    for (const e of [1, 2, 3]) expect(uploads[e]!, `epoch ${e + 1}`).toBeLessThan(batchBytes);
    // One read of the six batches' losses, one of the evaluation, per epoch.
    for (const e of [1, 2, 3]) expect(reads[e], `epoch ${e + 1}`).toBe(2);
  }, 120_000);

  it(webgpuTestName('an error on the GPU mid-run (a buffer it refuses) fails the run before the next checkpoint'), async () => {
    const watch = currentDeviceWatch()!;
    const graph = small('undercomplete');
    graph.training.epochs = 3;
    const saved: number[] = [];
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({
      runId: 'fault',
      graph,
      dataset: squaresDataset(48, 16, 7, 12),
      backend: 'webgpu',
      emit: (e) => events.push(e),
      deviceFault: () => (watch.fault ? `GPU fault: ${watch.fault}` : null),
      onEpochEnd: async (c) => {
        saved.push(c.epoch);
        // Larger than any device allows: Dawn reports a validation error to no one but its listeners.
        if (c.epoch === 1) (watch.device as unknown as { createBuffer(d: { size: number; usage: number }): unknown }).createBuffer({ size: 2 ** 40, usage: 0x80 });
      },
    });
    expect(last).toMatchObject({ type: 'run-failed', epoch: 2, message: expect.stringMatching(/^GPU fault: the GPU refused work \(GPUValidationError: Buffer size \(1099511627776\) exceeds the max buffer size limit/) });
    expect(saved).toEqual([1]);
    expect(events.filter((e) => e.type === 'epoch-end')).toHaveLength(1);
  }, 120_000);
});
