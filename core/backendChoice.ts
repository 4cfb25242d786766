/**
 * Whether the backend training runs on is what the user chose under the badge: a GPU choice that no
 * GPU could meet falls back to the CPU, and the badge says so and why.
 */
import type { BackendInfo, BackendPreference } from './api';

/** ONNX Runtime's providers that compute on a GPU, by the names the engine reports. */
export const GPU_BACKENDS: readonly string[] = ['cuda', 'dml', 'webgpu'];

/** Whether a backend trains on a real GPU (a software adapter, SwiftShader or llvmpipe, is none). */
export function onGpu(backend: BackendInfo): boolean {
  return GPU_BACKENDS.includes(backend.name) && !backend.adapter?.fallback;
}

/**
 * Why the GPU the user chose is not what trains, in one line ("no GPU could be used: cuda: not
 * installed; webgpu: no adapter"), or null when it is, or when no GPU was chosen.
 */
export function gpuFallback(preference: BackendPreference, backend: BackendInfo | null): string | null {
  if (preference !== 'gpu' || !backend || onGpu(backend)) return null;
  if (backend.adapter?.fallback) return `the only GPU found is a software adapter (${backend.adapter.description || 'slow'}), so ${backend.name} runs on the CPU`;
  const reasons = backend.skipped.filter((s) => GPU_BACKENDS.includes(s.name)).map((s) => `${s.name}: ${s.reason}`);
  return `no GPU could be used, so it trains on ${backend.name} (the CPU)${reasons.length ? `. ${reasons.join('; ')}` : ''}`;
}
