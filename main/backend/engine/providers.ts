/**
 * Which ONNX Runtime execution provider trains here, fastest first: CUDA (where its libraries are
 * installed), DirectML (Windows), WebGPU (any vendor's GPU through Dawn: Vulkan, Metal, D3D12; a
 * software renderer only when BOTTLENECK_BACKEND asks for it), then the CPU. Each GPU candidate is
 * tried with a small model before it is chosen; one that fails is passed over with its reason,
 * never an error for the user.
 */
import { availableParallelism } from 'node:os';
import { native } from './nativeGate';
import * as ort from 'onnxruntime-node';
import type { BackendAdapter, BackendAttempt, BackendInfo, BackendPreference } from '../../../core/api';
import { OnnxBuilder } from '../../../core/onnx/builder';
import { webgpuAdapter } from './gpuInfo';

export const PROVIDER_NAMES = ['cuda', 'dml', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The first engine's backend names, still accepted by BOTTLENECK_BACKEND and --backend. */
const OLD_NAMES: Record<string, ProviderName> = { wasm: 'cpu', 'tfjs-node': 'cpu', 'tfjs-node-gpu': 'cuda' };

export function providerName(name: string): ProviderName | null {
  if ((PROVIDER_NAMES as readonly string[]).includes(name)) return name as ProviderName;
  return OLD_NAMES[name] ?? null;
}

export interface Provider {
  name: ProviderName;
  /** How gradient rules are written for it (core/compile/ops/context.ts). */
  target: 'cpu' | 'gpu';
  adapter?: BackendAdapter;
  /** Intra-op threads on the CPU (also for the few nodes a GPU provider leaves to the CPU). */
  threads: number;
  sessionOptions(): ort.InferenceSession.SessionOptions;
}

/** A provider passed over for a known reason (no adapter, not installed), not because it broke. */
class Skip extends Error {}

/** One intra-op thread per core (BOTTLENECK_THREADS overrides it: 1 makes runs repeat bit for bit). */
export function cpuThreads(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.BOTTLENECK_THREADS);
  return Number.isInteger(asked) && asked > 0 ? asked : availableParallelism();
}

/**
 * `spinning`: ONNX Runtime's threads spin between kernels, which shortens a training step; the
 * inference sessions of Explore and Anomalies turn it off so they never take cores from a run.
 */
export function options(provider: ProviderName, threads: number, spinning = true): ort.InferenceSession.SessionOptions {
  const ep: ort.InferenceSession.ExecutionProviderConfig = provider === 'cuda' ? { name: 'cuda', deviceId: 0 } : provider === 'dml' ? { name: 'dml', deviceId: 0 } : provider;
  return {
    executionProviders: [ep],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Without the arena a run's memory is what its plan needs (the arena rounds growth up to powers of
    // two: twice the peak for a convolutional model at batch 512), at no measurable cost in speed.
    enableCpuMemArena: false,
    // WebGPU disables memory patterns itself (with a warning).
    enableMemPattern: provider === 'cpu',
    // Warnings (nodes a GPU provider leaves to the CPU, by design) are not the user's business.
    logSeverityLevel: 3,
    ...(!spinning && { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }),
  };
}

// ONNX Runtime logs a provider it cannot load (CUDA without its libraries) to stderr before any
// session option applies: the app reports why instead, so only fatal errors are logged.
ort.env.logLevel = 'fatal';

let probeModel: Uint8Array | null = null;

/** A small model of the kernels training leans on (a product, an activation, a reduction), run once on the provider. */
export async function probeSession(provider: ProviderName = 'cpu', threads = 1): Promise<void> {
  return probe(provider, threads);
}

async function probe(provider: ProviderName, threads: number): Promise<void> {
  if (!probeModel) {
    const g = new OnnxBuilder();
    const x = g.input('x', [2, 3]);
    const y = g.op('ReduceSum', [g.op('Sigmoid', [g.op('Gemm', [x, g.float([1, 2, 3, 4, 5, 6], [3, 2])])]), g.int64([1])], { keepdims: { i: 0 } });
    g.output(y, 'y', [2]);
    probeModel = g.model('probe');
  }
  const model = probeModel;
  const session = await native(() => ort.InferenceSession.create(model, options(provider, threads)));
  try {
    const out = await native(() => session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 0, 0, 0, 1, 0), [2, 3]) }));
    const y = out.y!.data as Float32Array;
    if (!(Math.abs(y[0]! - (1 / (1 + Math.exp(-1)) + 1 / (1 + Math.exp(-2)))) < 1e-4)) throw new Error(`computed ${Array.from(y).join(', ')} where 1.6120 was due`);
  } finally {
    await session.release();
  }
}

/** The provider's own error in one line: what it could not do, without the C++ source path. */
export function providerError(err: unknown): string {
  const text = String((err as Error)?.message ?? err).split('\n')[0]!;
  return text.replace(/\/onnxruntime_src\/[^\s]+:\d+ /g, '').replace(/\S+::\S+\([^)]*\)(::<lambda\(\)>)? /g, '').slice(0, 240);
}

const STARTS: Record<ProviderName, { gpu: boolean; start: (asked: boolean, threads: number) => Promise<{ adapter?: BackendAdapter }> }> = {
  cuda: {
    gpu: true,
    start: async (_asked, threads) => {
      if (!['linux', 'win32'].includes(process.platform) || process.arch !== 'x64') throw new Skip(`not built for ${process.platform}-${process.arch}`);
      try {
        await probe('cuda', threads);
      } catch (err) {
        const message = providerError(err);
        if (/providers_cuda|shared library|cannot open shared object|not (be )?found|LoadLibrary|not supported|unavailable/i.test(message)) {
          throw new Skip(`CUDA provider not available (${message.slice(0, 160)}); onnxruntime-node installs its CUDA libraries with ONNXRUNTIME_NODE_INSTALL_CUDA=v12`);
        }
        throw err;
      }
      return { adapter: { vendor: 'nvidia', architecture: '', description: 'CUDA device 0', fallback: false } };
    },
  },
  dml: {
    gpu: true,
    start: async (_asked, threads) => {
      if (process.platform !== 'win32') throw new Skip('Windows only');
      await probe('dml', threads);
      return { adapter: { vendor: '', architecture: '', description: 'DirectML device 0', fallback: false } };
    },
  },
  webgpu: {
    gpu: true,
    start: async (asked, threads) => {
      const found = webgpuAdapter();
      if ('none' in found) throw new Skip(found.none);
      if (found.software && !asked) throw new Skip(`only a software renderer (${found.software}): set BOTTLENECK_BACKEND=webgpu to use it`);
      try {
        await probe('webgpu', threads);
      } catch (err) {
        const message = providerError(err);
        if (/adapter/i.test(message)) throw new Skip(`no WebGPU adapter (${message.replace(/^.*?Failed to get a WebGPU adapter:?\s*/i, '') || 'none found'})`);
        throw err;
      }
      return { adapter: found.adapter };
    },
  },
  cpu: { gpu: false, start: async () => ({}) },
};

/** The CPU provider with `threads` intra-op threads (tests use one: runs then repeat bit for bit). */
export function cpuProvider(threads = cpuThreads()): Provider {
  return { name: 'cpu', target: 'cpu', threads, sessionOptions: () => options('cpu', threads) };
}

/**
 * The first provider that works. BOTTLENECK_BACKEND (a provider name, or an old engine's) starts
 * the search there, for benchmarks, tests and the CLI's --backend; without it the user's
 * preference applies: 'cpu' passes over the GPU providers.
 */
export async function selectProvider(preferred = process.env.BOTTLENECK_BACKEND || undefined, preference: BackendPreference = 'auto'): Promise<{ provider: Provider; info: BackendInfo }> {
  const skipped: BackendAttempt[] = [];
  const threads = cpuThreads();
  const asked = preferred ? providerName(preferred) : null;
  if (preferred && !asked) skipped.push({ name: preferred, reason: `unknown backend name (use one of ${PROVIDER_NAMES.join(', ')})` });
  const start = asked ? PROVIDER_NAMES.indexOf(asked) : 0;
  for (const name of PROVIDER_NAMES.slice(start)) {
    const candidate = STARTS[name];
    if (candidate.gpu && !asked && preference === 'cpu') {
      skipped.push({ name, reason: 'the CPU is chosen in the settings' });
      continue;
    }
    try {
      const { adapter } = await candidate.start(name === asked, threads);
      const provider: Provider = candidate.gpu ? { name, target: 'gpu', threads, ...(adapter && { adapter }), sessionOptions: () => options(name, threads) } : cpuProvider(threads);
      return { provider, info: { name, skipped, ...(adapter && { adapter }) } };
    } catch (err) {
      skipped.push({ name, reason: err instanceof Skip ? err.message : providerError(err) });
    }
  }
  throw new Error(`no ONNX Runtime provider could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
