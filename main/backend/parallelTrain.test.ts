import { describe, expect, it } from 'vitest';
import type { ImageDataset, ImageSplit } from '../../core/data/dataset';
import type { GraphDoc } from '../../core/graph/types';
import { buildTemplate, type TemplateName } from '../../core/templates';
import { registerWasmTrainingKernels, restorePlainWasmKernels } from '../../core/train/kernels/register';
import type { BatchEndEvent, EpochEndEvent, TrainEvent } from '../../core/train/events';
import { trainAutoencoder } from '../../core/train/train';
import { BUILTIN_FASHION_MNIST, loadDataset } from './datasets';
import { selectBackend } from './tfBackend';

const head = (split: ImageSplit, count: number, size: number): ImageSplit => ({ images: split.images.subarray(0, count * size), labels: split.labels.subarray(0, count), count });

/** The first images of the built-in data: enough batches to see drift, small enough for seconds. */
function subset(trainCount: number, validationCount: number): ImageDataset {
  const d = loadDataset(BUILTIN_FASHION_MNIST);
  const size = d.height * d.width * d.channels;
  return { ...d, train: head(d.train, trainCount, size), validation: head(d.validation, validationCount, size) };
}

async function firstEpoch(graph: GraphDoc, dataset: ImageDataset, backend: string, optimized: boolean) {
  if (optimized) registerWasmTrainingKernels();
  else restorePlainWasmKernels();
  const events: TrainEvent[] = [];
  let threads = 0;
  const last = await trainAutoencoder({
    runId: optimized ? 'fast' : 'plain',
    graph: { ...graph, training: { ...graph.training, epochs: 1, batchSize: 64, seed: 11 } },
    dataset,
    backend,
    emit: (e) => events.push(e),
    batchEventIntervalMs: 0,
    parallel: optimized,
    readEvery: optimized ? 16 : 1,
    onThreads: (n) => (threads = n),
  });
  registerWasmTrainingKernels();
  expect(last.type).toBe('run-finished');
  return {
    threads,
    batches: events.filter((e): e is BatchEndEvent => e.type === 'batch-end').map((e) => e.loss),
    epoch: events.find((e): e is EpochEndEvent => e.type === 'epoch-end')!,
  };
}

describe('optimized training (fast wasm kernels, two threads, deferred loss read-back)', () => {
  it.each<[TemplateName, number]>([
    ['undercomplete', 1024],
    ['variational', 1024],
    ['convolutional', 256],
    // Noise, dropout and masks draw each row's values as one thread would (SeededNoiseLayer.window).
    ['denoising', 1024],
    ['overcomplete', 512],
    ['inpainting', 256],
  ])('%s: the losses of the first epoch equal the unoptimized path within 1e-4', async (name, trainCount) => {
    const backend = await selectBackend('wasm');
    expect(backend.name).toBe('wasm');
    const dataset = subset(trainCount, 256);
    const graph = buildTemplate(name);
    const plain = await firstEpoch(graph, dataset, backend.name, false);
    const fast = await firstEpoch(graph, dataset, backend.name, true);
    expect(plain.threads).toBe(1);
    expect(fast.threads).toBe(2);
    expect(fast.batches).toHaveLength(trainCount / 64);
    expect(plain.batches).toHaveLength(trainCount / 64);
    const worst = Math.max(...fast.batches.map((l, i) => Math.abs(l - plain.batches[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(fast.epoch.loss - plain.epoch.loss)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(fast.epoch.val_loss - plain.epoch.val_loss)).toBeLessThanOrEqual(1e-4);
    for (const key of Object.keys(plain.epoch.metrics)) expect(Math.abs(fast.epoch.metrics[key]! - plain.epoch.metrics[key]!)).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});
