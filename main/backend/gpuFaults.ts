/** A GPU that fails mid-run (lost, out of memory, a kernel refused): how the run's failure says it. */
import type { BackendAdapter } from '../../core/api';
import { adapterLabel } from '../../core/format';

/**
 * The run's failure message: which GPU, what happened, what is kept, and how to go on on the CPU.
 * `savedEpoch`: the last epoch with a checkpoint on disk (0: none).
 */
export function gpuFaultMessage(gpu: { name: string; adapter?: BackendAdapter }, cause: string, runId: string, savedEpoch: number): string {
  const which = gpu.adapter ? gpu.adapter.description || adapterLabel(gpu.adapter) : 'unknown GPU';
  const next = savedEpoch
    ? `the checkpoint of epoch ${savedEpoch} is kept: to go on on the CPU, choose CPU under the backend badge and continue the run, or run: bottleneck train --resume ${runId} --backend cpu`
    : 'no epoch had finished, so there is no checkpoint: start the run again (on the CPU: choose CPU under the backend badge, or bottleneck train --backend cpu)';
  return `the GPU (${which}, through ${gpu.name}) failed: ${cause}; ${next}`;
}
