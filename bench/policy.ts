/**
 * The bench's decisions, as pure functions so they can be tested without PyTorch or a GPU:
 * which BLAS the PyTorch reference runs on and whether a speed ratio against it may be printed,
 * which of our backends to run, and what a row may be called once the trainer says what it used.
 */

/** What bench/reference_torch.py reports about its own process (`env.blas`). */
export interface TorchBlasReport {
  /** The library that `sgemm_` resolves to in the PyTorch process (real path), or null. */
  sgemm_provider: string | null;
  /** Every BLAS-like library mapped into the process. */
  mapped: string[];
  /** torch.backends.mkl.is_available(): MKL linked into libtorch (the pip wheels on x86-64). */
  mkl_available: boolean;
  openblas: { config: string; threads: number } | null;
  /** Where /etc/alternatives points libblas.so.3 (the system's choice; the process may differ). */
  system_alternative: string | null;
  /** Measured float32 GEMM speed in that process, GFLOP/s. */
  sgemm_gflops: number;
  sgemm_shape?: string;
}

export interface TorchEnv {
  torch: string;
  python: string;
  threads: number;
  cuda: boolean;
  cuda_device: string | null;
  blas: TorchBlasReport;
}

export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'accelerate' | 'reference' | 'unknown';

const OPTIMISED: ReadonlySet<BlasKind> = new Set(['openblas', 'mkl', 'blis', 'atlas', 'accelerate']);

export const INSTALL_OPENBLAS = 'apt-get install -y libopenblas0-pthread';

/** The BLAS behind PyTorch's matrix products, from the library its `sgemm_` resolves to. */
export function classifyBlas(blas: TorchBlasReport): BlasKind {
  const provider = blas.sgemm_provider;
  if (provider === null) return blas.mkl_available ? 'mkl' : 'unknown';
  const p = provider.toLowerCase();
  const file = p.slice(p.lastIndexOf('/') + 1);
  if (p.includes('openblas')) return 'openblas';
  if (p.includes('mkl')) return 'mkl';
  if (p.includes('blis')) return 'blis';
  if (p.includes('atlas')) return 'atlas';
  if (p.includes('accelerate') || p.includes('veclib')) return 'accelerate';
  // A BLAS linked into libtorch itself: the pip wheels link MKL statically.
  if (file.startsWith('libtorch_cpu')) return blas.mkl_available ? 'mkl' : 'unknown';
  // Netlib's reference implementation, as Debian's libblas3 installs it (…/blas/libblas.so.3).
  if (/^libblas\.(so|dylib)/.test(file) || file === 'libblas.a') return 'reference';
  return 'unknown';
}

export interface RatioPolicy {
  blas: BlasKind;
  /** Whether our speed may be printed as a ratio of PyTorch's. */
  ratio: boolean;
  /** One line for the report: the BLAS, where it came from, its measured speed. */
  line: string;
  /** Why there is no ratio and what to do about it; null when the ratio is printed. */
  refusal: string | null;
}

/**
 * A ratio against PyTorch is only printed when PyTorch runs on an optimised BLAS: on Debian's
 * reference BLAS (apt's default for python3-torch) it is about 10× slower, and the ratio says
 * nothing about Bottleneck. Unknown counts as not optimised: the bench does not guess.
 */
export function ratioPolicy(env: TorchEnv | null): RatioPolicy | null {
  if (!env) return null;
  const blas = classifyBlas(env.blas);
  const where = env.blas.sgemm_provider ?? (blas === 'mkl' ? 'linked into libtorch' : 'no sgemm_ found in the process');
  const details = [
    env.blas.openblas?.config,
    `${env.blas.sgemm_gflops} GFLOP/s measured${env.blas.sgemm_shape ? ` (${env.blas.sgemm_shape})` : ''}`,
  ].filter(Boolean);
  const line = `BLAS: ${blas} (${where}; ${details.join('; ')})`;
  if (OPTIMISED.has(blas)) return { blas, ratio: true, line, refusal: null };
  const why =
    blas === 'reference'
      ? 'PyTorch runs on the reference BLAS (Netlib libblas3), about 10× slower than an optimised one'
      : 'could not tell which BLAS PyTorch runs on';
  return {
    blas,
    ratio: false,
    line,
    refusal: `${why}: no ratio is printed. Install OpenBLAS (\`${INSTALL_OPENBLAS}\`; on Debian it then becomes the libblas.so.3 alternative) and run the bench again.`,
  };
}

/** What the machine's GPU is, as main/backend/engine/gpuInfo.ts reads it (no GPU library loaded). */
export type WebgpuProbe =
  | { available: false; reason: string }
  | { available: true; vendor: string; architecture: string; description: string; isFallbackAdapter: boolean };

/** A software adapter (SwiftShader, llvmpipe/lavapipe, Dawn's fallback): runs every kernel, far too slowly to time. */
export function isSoftwareAdapter(probe: WebgpuProbe): boolean {
  if (!probe.available) return false;
  return probe.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software/i.test(`${probe.vendor} ${probe.architecture} ${probe.description}`);
}

export function describeAdapter(probe: WebgpuProbe): string {
  if (!probe.available) return `no adapter (${probe.reason})`;
  const parts = [probe.vendor, probe.architecture, probe.description].filter((s) => s && s.length > 0);
  return `${parts.join(' ') || 'unnamed adapter'}${isSoftwareAdapter(probe) ? ' (software)' : ''}`;
}

export interface BackendPlan {
  /** Our backends to run, in order. */
  backends: string[];
  /** Lines for the report: why a backend was added or left out. */
  notes: string[];
}

/**
 * Which providers the bench runs. BENCH_BACKENDS lists them; without it, BOTTLENECK_BACKEND (the
 * older knob) names one; without either: cpu, plus webgpu when a hardware GPU exists. A software
 * renderer is too slow for the full bench (SwiftShader: seconds a batch, most of a first step
 * compiling shaders), so webgpu on one runs only when it is listed explicitly and BENCH_MODELS or
 * BENCH_IMAGES scales the bench down (`scaledDown`). The first engine's names (wasm) mean cpu.
 */
export function planBackends(opts: { listed?: string; legacy?: string; probe: () => WebgpuProbe; scaledDown: boolean }): BackendPlan {
  const notes: string[] = [];
  const rename = (name: string) => (name === 'wasm' || name === 'tfjs-node' ? 'cpu' : name);
  const explicit = opts.listed?.trim()
    ? [...new Set(opts.listed.split(',').map((s) => rename(s.trim())).filter(Boolean))]
    : opts.legacy?.trim()
      ? [rename(opts.legacy.trim())]
      : null;
  const wanted = explicit ?? ['cpu', 'webgpu'];
  if (!wanted.includes('webgpu')) return { backends: wanted, notes };
  const probe = opts.probe();
  const adapter = describeAdapter(probe);
  let keep: boolean;
  if (!probe.available) {
    keep = false;
    notes.push(`webgpu: skipped, ${adapter}`);
  } else if (isSoftwareAdapter(probe)) {
    keep = explicit !== null && opts.scaledDown;
    notes.push(
      keep
        ? `webgpu: on a software adapter, ${adapter}: slow, the figures are for the record only`
        : `webgpu: skipped, only a software adapter, ${adapter}: too slow for the full bench; list it in BENCH_BACKENDS and limit BENCH_MODELS or BENCH_IMAGES (e.g. BENCH_MODELS=undercomplete BENCH_IMAGES=1024) to run it anyway`,
    );
  } else {
    keep = true;
    notes.push(`webgpu: adapter ${adapter}`);
  }
  return { backends: wanted.filter((b) => b !== 'webgpu' || keep), notes };
}

/**
 * A row is labelled with the backend the trainer reports in run-started, never the one asked for:
 * when they differ (webgpu asked, the trainer fell back to cpu) the row is refused, with the
 * trainer's reason for passing the requested one over.
 */
export function rowBackend(
  requested: string,
  reported: string,
  skipped: { name: string; reason: string }[] = [],
): { ok: true; label: string } | { ok: false; reason: string } {
  const base = reported.split(/[\s(×]/)[0]!;
  if (base === requested) return { ok: true, label: reported };
  const why = skipped.find((s) => s.name === requested)?.reason;
  return { ok: false, reason: `asked for ${requested}, the trainer used ${reported}${why ? ` (${requested}: ${why})` : ''}: no ${requested} row` };
}

/**
 * The GPU a run trained on, from the trainer's BackendInfo (its `adapter`, set by a GPU
 * provider), as one string; null on the CPU. Read loosely so the bench runs on trainers
 * from before the field existed.
 */
export function adapterOf(info: object | null | undefined): string | null {
  const adapter = info && 'adapter' in info ? (info.adapter as Record<string, unknown> | undefined) : undefined;
  if (!adapter || typeof adapter !== 'object') return null;
  const text = ['vendor', 'architecture', 'description']
    .map((k) => adapter[k])
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .join(' ');
  const fallback = adapter.fallback === true || adapter.isFallbackAdapter === true;
  return `${text || 'unnamed adapter'}${fallback ? ' (software)' : ''}`;
}
