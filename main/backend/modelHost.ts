/**
 * The main thread's side of the model cache: starts the inference worker (modelWorker.ts) on first
 * use, sends it one call at a time per request, and turns a worker that dies into errors for the
 * calls it had, starting a fresh one for the next.
 */
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ModelError, type FromModelWorker, type ModelOp, type ModelOps, type ModelSource, type ModelWorkerData, type ToModelWorker } from './modelProtocol';
import { endWorker } from './workerEnd';
import { workerFile } from './workerFile';

/** The cache's bound: BOTTLENECK_MODEL_CACHE_MB, else an eighth of the machine's memory, at most 1 GiB. */
export function modelCacheBytes(): number {
  const mb = Number(process.env.BOTTLENECK_MODEL_CACHE_MB);
  if (Number.isFinite(mb) && mb > 0) return mb * 2 ** 20;
  return Math.min(2 ** 30, Math.floor(totalmem() / 8));
}

type Progress = (phase: string, done: number, total: number) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  progress?: Progress;
}

export class ModelHost {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly maxBytes = modelCacheBytes()) {}

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const file = workerFile('modelWorker');
    if (!file) return Promise.reject(new Error('the inference worker is missing from this build (modelWorker.cjs)'));
    const worker = new Worker(file, { workerData: { maxBytes: this.maxBytes } satisfies ModelWorkerData });
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (message: FromModelWorker) => {
        if (message.type === 'ready') resolve(worker);
        else if (message.type === 'fatal') reject(new Error(`the inference worker could not start: ${message.message}`));
        else if (message.type === 'progress') this.pending.get(message.id)?.progress?.(message.phase, message.done, message.total);
        else if (message.type === 'result') {
          const call = this.pending.get(message.id);
          if (!call) return;
          this.pending.delete(message.id);
          this.idle();
          if (message.ok) call.resolve(message.result);
          else call.reject(new ModelError(message.message, message.code ?? 'failed'));
        }
      });
      const died = (cause: string) => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.ready = null;
        reject(new Error(`the inference worker could not start: ${cause}`));
        const calls = [...this.pending.values()];
        this.pending.clear();
        for (const call of calls) call.reject(new ModelError(`the inference worker stopped: ${cause}`, 'failed'));
      };
      worker.on('error', (err) => died(err.message));
      worker.on('exit', (code) => died(`it exited with code ${code}`));
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  /** An idle worker does not keep the process alive (the CLI exits when its work is done). */
  private idle() {
    if (this.pending.size === 0) this.worker?.unref();
  }

  async call<O extends ModelOp>(op: O, source: ModelSource | null, request: ModelOps[O][0], progress?: Progress): Promise<ModelOps[O][1]> {
    const worker = await this.start();
    const id = this.nextId++;
    worker.ref();
    return new Promise<ModelOps[O][1]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(progress && { progress }) });
      worker.postMessage({ type: 'call', id, op, source, request } satisfies ToModelWorker);
    });
  }

  /** Drops what the worker holds of a run (deleted, or continued: its checkpoints change). */
  forget(runDir: string): void {
    this.worker?.postMessage({ type: 'forget', runDir } satisfies ToModelWorker);
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(new Error('the app is closing'));
    if (worker) {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      await endWorker(worker);
    }
  }
}
