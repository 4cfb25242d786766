/**
 * The main thread's side of a worker serving jobs (serve.ts): starts it on first use, sends each
 * call as a job with an id, routes its progress, cancels a job by the caller's job id (the promise
 * rejects at once with CancelledError; the worker stops the job at its next check), turns a worker
 * that dies into errors for the calls it had (a fresh one starts for the next), and ends it in two
 * steps (end.ts) so no ONNX Runtime call is cut off.
 */
import type { Worker } from 'node:worker_threads';
import { endWorker } from './end';
import { startWorker } from './entry';
import { CancelledError, type FromWorker, type Progress, type ToWorker, type WorkerOps } from './protocol';

export interface CallOptions {
  progress?: Progress;
  /** The caller's name for this job, to cancel it by (`jobs:cancel`). */
  jobId?: string;
}

export interface WorkerHostOptions {
  /** The bundle's name (scripts/mainEntries.mjs), e.g. 'modelWorker'. */
  name: string;
  /** How errors name it: 'the inference worker'. */
  label: string;
  workerData: unknown;
  /** The error a failed job's caller gets (the worker's message and code). */
  failure?: (message: string, code: string) => Error;
  /**
   * A worker with no ONNX Runtime in it whose jobs never yield (UMAP's neighbour search): a cancel
   * terminates it at once, the only way to stop such a job, and the next call starts a fresh one.
   */
  terminateOnCancel?: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  progress?: Progress;
  jobId?: string;
}

export class WorkerHost<Ops extends WorkerOps> {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly options: WorkerHostOptions) {}

  private fail(message: string, code: string): Error {
    return this.options.failure?.(message, code) ?? Object.assign(new Error(message), { code });
  }

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const { name, label, workerData } = this.options;
    const worker = startWorker(name, workerData);
    if (!worker) return Promise.reject(new Error(`${label} is missing from this build (${name}.cjs)`));
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve(worker);
        else if (message.type === 'fatal') reject(new Error(`${label} could not start: ${message.message}`));
        else if (message.type === 'progress') this.pending.get(message.id)?.progress?.(message.phase, message.done, message.total);
        else if (message.type === 'result') {
          const call = this.pending.get(message.id);
          if (!call) return; // cancelled: its caller has had its answer
          this.pending.delete(message.id);
          this.idle();
          if (message.ok) call.resolve(message.result);
          else call.reject(this.fail(message.message, message.code ?? 'failed'));
        }
      });
      const died = (cause: string) => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.ready = null;
        reject(new Error(`${label} could not start: ${cause}`));
        const calls = [...this.pending.values()];
        this.pending.clear();
        for (const call of calls) call.reject(this.fail(`${label} stopped: ${cause}`, 'failed'));
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

  async call<O extends keyof Ops & string>(op: O, request: Ops[O][0], options: CallOptions = {}): Promise<Ops[O][1]> {
    const worker = await this.start();
    const id = this.nextId++;
    worker.ref();
    return new Promise<Ops[O][1]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(options.progress && { progress: options.progress }), ...(options.jobId && { jobId: options.jobId }) });
      worker.postMessage({ type: 'call', id, op, request } satisfies ToWorker);
    });
  }

  /** Cancels the job the caller named `jobId`: its promise rejects with CancelledError. False when no such job runs here. */
  cancel(jobId: string): boolean {
    const entry = [...this.pending].find(([, call]) => call.jobId === jobId);
    if (!entry) return false;
    const [id, call] = entry;
    this.pending.delete(id);
    call.reject(new CancelledError(`${jobId} was cancelled`));
    const worker = this.worker;
    if (this.options.terminateOnCancel && worker) {
      // Nothing native runs in it (see terminateOnCancel): terminating is safe, and the calls it had fail.
      this.worker = null;
      this.ready = null;
      const others = [...this.pending.values()];
      this.pending.clear();
      for (const other of others) other.reject(this.fail(`${this.options.label} was restarted to cancel ${jobId}`, 'failed'));
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      void worker.terminate();
    } else {
      worker?.postMessage({ type: 'cancel', id } satisfies ToWorker);
      this.idle();
    }
    return true;
  }

  /** A message that needs no reply; dropped when no worker runs (it holds nothing then). */
  notify(name: string, payload: unknown): void {
    this.worker?.postMessage({ type: 'notice', name, payload } satisfies ToWorker);
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
