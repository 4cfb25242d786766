import * as tf from '@tensorflow/tfjs-core';
import type { BackendAdapter, BackendAttempt, BackendInfo, BackendPreference } from '../../core/api';
import { registerCpuTrainingKernels, registerWasmTrainingKernels, restorePlainWasmKernels } from '../../core/train/kernels/register';
import { setParallelLauncher } from '../../core/train/parallel';
import { softwareAdapter } from '../../core/train/adapters';
import { graphicsApi, loadDawn, missingVulkan, probeAdapter } from './dawn';
import { launchFollower } from './parallelHost';
import { BACKEND_NAMES, type BackendName } from './workerProtocol';

interface Candidate {
  label: BackendName;
  /** On the GPU: passed over when the CPU is chosen. */
  gpu: boolean;
  /**
   * Loads the backend and makes it current, or throws why not. `asked`: BOTTLENECK_BACKEND names
   * this one, so it may do what it would not do on its own (webgpu on a software adapter).
   */
  start: (asked: boolean) => Promise<{ adapter?: BackendAdapter }>;
}

/** A backend passed over for a known reason (no adapter, …), not because it broke. */
class Skip extends Error {}

/** Loads a tfjs backend package and makes `backend` current. */
async function plain(load: () => Promise<unknown>, backend: string): Promise<{ adapter?: BackendAdapter }> {
  await load();
  if (!(await tf.setBackend(backend))) throw new Error('failed to initialise');
  return {};
}

/** How each backend starts; BACKEND_NAMES orders them fastest first: CUDA, a GPU through WebGPU, native TensorFlow, WebAssembly, plain JavaScript. */
const STARTS: Record<BackendName, Omit<Candidate, 'label'>> = {
  // The GPU build registers the same backend name as tfjs-node: the label tells them apart.
  'tfjs-node-gpu': { gpu: true, start: () => plain(() => import('@tensorflow/tfjs-node-gpu' as string), 'tensorflow') },
  webgpu: {
    gpu: true,
    start: async (asked) => {
      const missing = missingVulkan();
      if (missing) throw new Skip(missing);
      // Looked for in a child first, so a machine without a GPU never loads Dawn (nor prints its
      // warnings) here. Electron has no plain Node to run it in (its run-as-node fuse is off).
      if (!asked && !process.versions.electron) {
        const probe = await probeAdapter();
        if (!probe.available) throw new Skip(probe.noAdapter ? `no GPU adapter (${graphicsApi()} found none)` : `no GPU adapter (${probe.reason})`);
        const software = softwareAdapter(probe.adapter);
        if (software) throw new Skip(`only a software adapter (${software}): set BOTTLENECK_BACKEND=webgpu to use it`);
      }
      const { gpu, globals } = await loadDawn();
      // Loaded here only: a worker on the CPU never loads the webgpu backend.
      const { installGpu, startWebGpu } = await import('../../core/train/webgpu');
      installGpu(gpu, globals);
      const started = await startWebGpu(gpu, { allowSoftware: asked, api: graphicsApi() });
      if ('skipped' in started) throw new Skip(started.skipped);
      return { adapter: started.adapter };
    },
  },
  'tfjs-node': { gpu: false, start: () => plain(() => import('@tensorflow/tfjs-node' as string), 'tensorflow') },
  wasm: {
    gpu: false,
    start: () =>
      plain(async () => {
        await import('@tensorflow/tfjs-backend-wasm');
        registerWasmTrainingKernels();
        if (unoptimizedTraining()) restorePlainWasmKernels();
      }, 'wasm'),
  },
  cpu: {
    gpu: false,
    start: () =>
      plain(async () => {
        await import('@tensorflow/tfjs-backend-cpu');
        registerCpuTrainingKernels();
      }, 'cpu'),
  },
};

const CANDIDATES: Candidate[] = BACKEND_NAMES.map((label) => ({ label, ...STARTS[label] }));

/**
 * BOTTLENECK_UNOPTIMIZED=1 trains the way plain tfjs does: its own wasm kernels wherever they work,
 * one thread, the loss read back after every batch. The bench's "before" column; results are the
 * same within rounding (main/backend/parallelTrain.test.ts).
 */
export function unoptimizedTraining(): boolean {
  return process.env.BOTTLENECK_UNOPTIMIZED === '1';
}

function whyNot(err: unknown): string {
  if (err instanceof Skip) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return String(e?.message ?? err).split('\n')[0]!.slice(0, 200);
}

/**
 * Loads the first backend that works and makes it current. BOTTLENECK_BACKEND (one of
 * BACKEND_NAMES) starts the search at that backend, for benchmarks, tests and the CLI's --backend;
 * without it the user's preference applies: 'cpu' passes over the GPU backends.
 */
export async function selectBackend(preferred = process.env.BOTTLENECK_BACKEND || undefined, preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  const skipped: BackendAttempt[] = [];
  const start = preferred ? CANDIDATES.findIndex((c) => c.label === preferred) : 0;
  if (preferred && start < 0) skipped.push({ name: preferred, reason: `unknown backend name (use one of ${BACKEND_NAMES.join(', ')})` });
  for (const candidate of CANDIDATES.slice(Math.max(start, 0))) {
    if (candidate.gpu && !preferred && preference === 'cpu') {
      skipped.push({ name: candidate.label, reason: 'the CPU is chosen in the settings' });
      continue;
    }
    try {
      const { adapter } = await candidate.start(candidate.label === preferred);
      await tf.ready();
      const backend = tf.getBackend();
      // wasm and cpu compute on one core: training splits each batch across a second thread.
      setParallelLauncher((backend === 'wasm' || backend === 'cpu') && !unoptimizedTraining() ? launchFollower : null);
      return { name: candidate.label, skipped, ...(adapter && { adapter }) };
    } catch (err) {
      skipped.push({ name: candidate.label, reason: whyNot(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
