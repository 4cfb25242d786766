import { describe, expect, it } from 'vitest';
import { adapterOf, classifyBlas, INSTALL_OPENBLAS, planBackends, ratioPolicy, rowBackend, type TorchBlasReport, type TorchEnv, type WebgpuProbe } from './policy';

/** Reports as bench/reference_torch.py printed them on the bench machine (Debian, python3-torch 1.13). */
const OPENBLAS: TorchBlasReport = {
  sgemm_provider: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
  mapped: [
    '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
    '/usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3',
    '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so',
  ],
  mkl_available: false,
  openblas: { config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64', threads: 1 },
  system_alternative: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
  sgemm_gflops: 84,
  sgemm_shape: '128x784 @ 784x256, float32',
};
/** libblas3 loaded ahead of OpenBLAS (LD_LIBRARY_PATH): OpenBLAS is mapped (through LAPACK) but sgemm_ is Netlib's. */
const REFERENCE: TorchBlasReport = {
  ...OPENBLAS,
  sgemm_provider: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0',
  mapped: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0', '/usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'],
  openblas: null,
  sgemm_gflops: 4.3,
};
const env = (blas: TorchBlasReport): TorchEnv => ({ torch: '1.13.0a0', python: '/usr/bin/python3', threads: 2, cuda: false, cuda_device: null, blas });

describe('classifyBlas', () => {
  it('names the library sgemm_ resolves to, not whatever else is mapped', () => {
    expect(classifyBlas(OPENBLAS)).toBe('openblas');
    expect(classifyBlas(REFERENCE)).toBe('reference');
  });

  it('knows MKL, BLIS and a BLAS linked into libtorch', () => {
    expect(classifyBlas({ ...OPENBLAS, sgemm_provider: '/opt/intel/lib/libmkl_rt.so.2' })).toBe('mkl');
    expect(classifyBlas({ ...OPENBLAS, sgemm_provider: '/usr/lib/x86_64-linux-gnu/blis-pthread/libblas.so.3' })).toBe('blis');
    expect(classifyBlas({ ...OPENBLAS, sgemm_provider: '/venv/lib/python3.12/site-packages/torch/lib/libtorch_cpu.so', mkl_available: true })).toBe('mkl');
    expect(classifyBlas({ ...OPENBLAS, sgemm_provider: null, mkl_available: true })).toBe('mkl');
  });

  it('does not guess', () => {
    expect(classifyBlas({ ...OPENBLAS, sgemm_provider: null })).toBe('unknown');
    expect(classifyBlas({ ...OPENBLAS, sgemm_provider: '/venv/torch/lib/libtorch_cpu.so' })).toBe('unknown');
  });
});

describe('ratioPolicy', () => {
  it('prints the ratio against OpenBLAS, naming it with its measured speed', () => {
    const p = ratioPolicy(env(OPENBLAS))!;
    expect(p).toMatchObject({ blas: 'openblas', ratio: true, refusal: null });
    expect(p.line).toContain('openblas-pthread/libblas.so.3');
    expect(p.line).toContain('84 GFLOP/s');
  });

  it('refuses a ratio against the reference BLAS and says how to install OpenBLAS', () => {
    const p = ratioPolicy(env(REFERENCE))!;
    expect(p.ratio).toBe(false);
    expect(p.blas).toBe('reference');
    expect(p.refusal).toContain('reference BLAS');
    expect(p.refusal).toContain(INSTALL_OPENBLAS);
    expect(INSTALL_OPENBLAS).toBe('apt-get install -y libopenblas0-pthread');
  });

  it('refuses when it cannot tell', () => {
    expect(ratioPolicy(env({ ...OPENBLAS, sgemm_provider: null }))).toMatchObject({ ratio: false, blas: 'unknown' });
  });

  it('has nothing to say without PyTorch', () => {
    expect(ratioPolicy(null)).toBeNull();
  });
});

describe('planBackends', () => {
  const hardware: WebgpuProbe = { available: true, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', isFallbackAdapter: false };
  const swiftshader: WebgpuProbe = { available: true, vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
  const none: WebgpuProbe = { available: false, reason: 'no GPU found (no render device of a GPU driver in /sys/class/drm)' };
  const never = (): WebgpuProbe => {
    throw new Error('probed');
  };

  it('runs cpu, and webgpu only on a hardware GPU, by default', () => {
    expect(planBackends({ probe: () => hardware, scaledDown: false }).backends).toEqual(['cpu', 'webgpu']);
    const noGpu = planBackends({ probe: () => none, scaledDown: false });
    expect(noGpu.backends).toEqual(['cpu']);
    expect(noGpu.notes.join()).toContain('no GPU found');
    expect(planBackends({ probe: () => swiftshader, scaledDown: true }).backends).toEqual(['cpu']);
  });

  it('runs a software adapter only when listed and the models are limited', () => {
    const full = planBackends({ listed: 'cpu,webgpu', probe: () => swiftshader, scaledDown: false });
    expect(full.backends).toEqual(['cpu']);
    expect(full.notes.join()).toMatch(/too slow.*BENCH_MODELS/);
    expect(planBackends({ listed: 'webgpu', probe: () => swiftshader, scaledDown: true }).backends).toEqual(['webgpu']);
  });

  it('does not probe when webgpu is not wanted, and honours the older BOTTLENECK_BACKEND', () => {
    expect(planBackends({ listed: 'cpu, cuda,cpu', probe: never, scaledDown: false }).backends).toEqual(['cpu', 'cuda']);
    expect(planBackends({ legacy: 'cuda', probe: never, scaledDown: false }).backends).toEqual(['cuda']);
    expect(planBackends({ listed: 'cpu', legacy: 'cuda', probe: never, scaledDown: false }).backends).toEqual(['cpu']);
    // The first engine's name for the CPU path.
    expect(planBackends({ listed: 'wasm', probe: never, scaledDown: false }).backends).toEqual(['cpu']);
  });
});

describe('rowBackend', () => {
  it('labels a row with the backend the trainer reported', () => {
    expect(rowBackend('webgpu', 'webgpu')).toEqual({ ok: true, label: 'webgpu' });
    expect(rowBackend('wasm', 'wasm ×2')).toEqual({ ok: true, label: 'wasm ×2' });
  });

  it('refuses a webgpu row when the trainer fell back, with its reason', () => {
    const r = rowBackend('webgpu', 'wasm', [{ name: 'webgpu', reason: 'no adapter' }]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('asked for webgpu, the trainer used wasm (webgpu: no adapter): no webgpu row');
    expect(rowBackend('tfjs-node', 'tfjs-node-gpu').ok).toBe(false);
  });
});

describe('adapterOf', () => {
  it('names the adapter from BackendInfo, and nothing for CPU backends', () => {
    expect(adapterOf({ name: 'webgpu', skipped: [], adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', fallback: false } })).toBe('nvidia hopper NVIDIA H200');
    expect(adapterOf({ name: 'webgpu', skipped: [], adapter: { vendor: 'google', architecture: 'swiftshader', description: '', fallback: true } })).toBe('google swiftshader (software)');
    expect(adapterOf({ name: 'wasm', skipped: [] })).toBeNull();
    expect(adapterOf(null)).toBeNull();
  });
});
