/**
 * `node --import tsx bench/kernels.ts [model]`: where one training epoch spends its time, kernel by
 * kernel, on one thread of the selected backend (wasm by default). Every registered kernel of the
 * backend is wrapped with a timer, so the table names the ops that limit a bench row. Not part of
 * `npm run bench`: it is the tool to read before optimising one.
 * Knobs: BENCH_IMAGES (default 2048), BENCH_BY_SHAPE=1 (one row per kernel and input shapes),
 * BOTTLENECK_BACKEND.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { trainAutoencoder } from '../core/train/train';
import { loadDataset, BUILTIN_FASHION_MNIST } from '../main/backend/datasets';
import { selectBackend } from '../main/backend/tfBackend';
import { BENCH_MODELS, type BenchModel } from './models';

const model = (process.argv[2] ?? 'convolutional') as BenchModel;
if (!(model in BENCH_MODELS)) throw new Error(`unknown bench model ${model}: one of ${Object.keys(BENCH_MODELS).join(', ')}`);
const images = Number(process.env.BENCH_IMAGES ?? 2048);
const byShape = process.env.BENCH_BY_SHAPE === '1';

const info = await selectBackend(process.env.BOTTLENECK_BACKEND ?? 'wasm');
const backendName = tf.getBackend();
const spent = new Map<string, { ms: number; calls: number }>();
for (const config of getKernelsForBackend(backendName)) {
  const inner = config.kernelFunc;
  const timed: KernelFunc = (args) => {
    const t0 = performance.now();
    const out = inner(args);
    const key = byShape ? `${config.kernelName} ${Object.values(args.inputs).map((t) => (t as { shape?: number[] } | undefined)?.shape?.join('×') ?? '-').join(' ')}` : config.kernelName;
    const entry = spent.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += performance.now() - t0;
    entry.calls++;
    spent.set(key, entry);
    return out;
  };
  unregisterKernel(config.kernelName, backendName);
  registerKernel({ ...config, kernelFunc: timed } as KernelConfig);
}

const full = loadDataset(BUILTIN_FASHION_MNIST);
const dataset = { ...full, train: { ...full.train, count: Math.min(images, full.train.count) }, validation: { ...full.validation, count: Math.min(256, full.validation.count) } };
const graph = BENCH_MODELS[model]();
graph.training = { ...graph.training, epochs: 1, batchSize: 128, learningRate: 1e-3, optimizer: 'adam' };
const t0 = performance.now();
await trainAutoencoder({ runId: 'kernels', graph, dataset, backend: info.name, emit: () => {}, parallel: false, reconCount: 0 });
const wall = performance.now() - t0;

const total = [...spent.values()].reduce((s, e) => s + e.ms, 0);
console.log(`${model} on ${info.name}: ${images} images, 1 epoch, ${wall.toFixed(0)} ms wall, ${total.toFixed(0)} ms in kernels`);
for (const [name, e] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  console.log(`${name.padEnd(byShape ? 60 : 28)} ${e.ms.toFixed(0).padStart(7)} ms ${((100 * e.ms) / wall).toFixed(1).padStart(5)} %  ${String(e.calls).padStart(6)} calls`);
}
