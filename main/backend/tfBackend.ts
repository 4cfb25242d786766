import * as tf from '@tensorflow/tfjs-core';
import type { BackendAttempt, BackendInfo } from '../../core/api';
import { registerCpuTrainingKernels, registerWasmTrainingKernels, restorePlainWasmKernels } from '../../core/train/kernels/register';
import { setParallelLauncher } from '../../core/train/parallel';
import { launchFollower } from './parallelHost';

interface Candidate {
  /** The name tfjs registers the backend under. */
  backend: string;
  label: string;
  load: () => Promise<unknown>;
}

/** Fastest first: CUDA, then native TensorFlow, then WebAssembly, then plain JavaScript. */
const CANDIDATES: Candidate[] = [
  { backend: 'tensorflow', label: 'tfjs-node-gpu', load: () => import('@tensorflow/tfjs-node-gpu' as string) },
  { backend: 'tensorflow', label: 'tfjs-node', load: () => import('@tensorflow/tfjs-node' as string) },
  {
    backend: 'wasm',
    label: 'wasm',
    load: async () => {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      if (unoptimizedTraining()) restorePlainWasmKernels();
    },
  },
  {
    backend: 'cpu',
    label: 'cpu',
    load: async () => {
      await import('@tensorflow/tfjs-backend-cpu');
      registerCpuTrainingKernels();
    },
  },
];

/**
 * BOTTLENECK_UNOPTIMIZED=1 trains the way plain tfjs does: its own wasm kernels wherever they work,
 * one thread, the loss read back after every batch. The bench's "before" column; results are the
 * same within rounding (main/backend/parallelTrain.test.ts).
 */
export function unoptimizedTraining(): boolean {
  return process.env.BOTTLENECK_UNOPTIMIZED === '1';
}

function whyNot(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return String(e?.message ?? err).split('\n')[0]!.slice(0, 200);
}

/**
 * Loads the first backend that works and makes it current. BOTTLENECK_BACKEND (tfjs-node-gpu,
 * tfjs-node, wasm or cpu) starts the search at that backend, for benchmarks and tests.
 */
export async function selectBackend(preferred = process.env.BOTTLENECK_BACKEND): Promise<BackendInfo> {
  const skipped: BackendAttempt[] = [];
  const start = preferred ? CANDIDATES.findIndex((c) => c.label === preferred) : 0;
  if (preferred && start < 0) skipped.push({ name: preferred, reason: 'unknown backend name' });
  for (const candidate of CANDIDATES.slice(Math.max(start, 0))) {
    try {
      await candidate.load();
      if (!(await tf.setBackend(candidate.backend))) throw new Error('failed to initialise');
      await tf.ready();
      // wasm and cpu compute on one core: training splits each batch across a second thread.
      setParallelLauncher((candidate.backend === 'wasm' || candidate.backend === 'cpu') && !unoptimizedTraining() ? launchFollower : null);
      // The GPU build registers the same backend name; tell them apart by the device it found.
      return { name: candidate.label, skipped };
    } catch (err) {
      skipped.push({ name: candidate.label, reason: whyNot(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
