/** A GPU that fails mid-run (lost, out of memory, a shader refused): how the trainer sees it and says it. */
import type { BackendInfo } from '../../core/api';
import { adapterLabel } from '../../core/format';
import type { DeviceWatch } from '../../core/train/webgpu';

export type GpuWatch = DeviceWatch;

/** The watch over the webgpu backend's device; null on other backends. */
export async function watchGpu(backend: BackendInfo): Promise<GpuWatch | null> {
  if (backend.name !== 'webgpu') return null;
  // Loaded only here and in tfBackend's webgpu candidate: a CPU worker never loads the webgpu backend.
  const { currentDeviceWatch } = await import('../../core/train/webgpu');
  return currentDeviceWatch();
}

/**
 * The run's failure message: which GPU, what happened, what is kept, and how to go on on the CPU.
 * `savedEpoch`: the last epoch with a checkpoint on disk (0: none).
 */
export function gpuFaultMessage(watch: Pick<GpuWatch, 'adapter'>, cause: string, runId: string, savedEpoch: number): string {
  const { adapter } = watch;
  const name = adapterLabel(adapter);
  const gpu = adapter.description && adapter.description !== name ? `${name}, ${adapter.description}` : name;
  const next = savedEpoch
    ? `the checkpoint of epoch ${savedEpoch} is kept: to go on on the CPU, choose CPU under the backend badge and continue the run, or run: bottleneck train --resume ${runId} --backend wasm`
    : 'no epoch had finished, so there is no checkpoint: start the run again (on the CPU: choose CPU under the backend badge, or bottleneck train --backend wasm)';
  return `the GPU (${gpu}) failed: ${cause}; ${next}`;
}
