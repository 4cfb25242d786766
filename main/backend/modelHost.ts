/**
 * The main thread's side of the model cache: the inference worker (modelWorker.ts) behind a
 * WorkerHost (workers/host.ts), started on first use; each call is a cancellable job.
 */
import { totalmem } from 'node:os';
import { ModelError, type ModelOp, type ModelOps, type ModelSource, type ModelWorkerData, type ModelWorkerOps } from './modelProtocol';
import { WorkerHost } from './workers/host';
import type { Progress } from './workers/protocol';

/** The cache's bound: BOTTLENECK_MODEL_CACHE_MB, else an eighth of the machine's memory, at most 1 GiB. */
export function modelCacheBytes(): number {
  const mb = Number(process.env.BOTTLENECK_MODEL_CACHE_MB);
  if (Number.isFinite(mb) && mb > 0) return mb * 2 ** 20;
  return Math.min(2 ** 30, Math.floor(totalmem() / 8));
}

export class ModelHost {
  private readonly host: WorkerHost<ModelWorkerOps>;

  constructor(maxBytes = modelCacheBytes()) {
    this.host = new WorkerHost<ModelWorkerOps>({
      name: 'modelWorker',
      label: 'the inference worker',
      workerData: { maxBytes } satisfies ModelWorkerData,
      failure: (message, code) => new ModelError(message, code),
    });
  }

  call<O extends ModelOp>(op: O, source: ModelSource | null, request: ModelOps[O][0], progress?: Progress, jobId?: string): Promise<ModelOps[O][1]> {
    return this.host.call(op, { source, request }, { ...(progress && { progress }), ...(jobId && { jobId }) });
  }

  /** Cancels the call made with this job id; false when none is running. */
  cancel(jobId: string): boolean {
    return this.host.cancel(jobId);
  }

  /** Drops what the worker holds of a run (deleted, or continued: its checkpoints change). */
  forget(runDir: string): void {
    this.host.notify('forget', runDir);
  }

  dispose(): Promise<void> {
    return this.host.dispose();
  }
}
