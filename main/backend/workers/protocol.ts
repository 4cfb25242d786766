/**
 * Messages between a worker host (host.ts, main thread) and a worker serving jobs (serve.ts). Each
 * call is a job with an id; a job can report progress and be cancelled; 'close' is the first step of
 * ending a worker that may be inside an ONNX Runtime call (end.ts).
 */

/** A worker's operations: op -> [request, result]. */
export type WorkerOps = Record<string, [unknown, unknown]>;

export type ToWorker =
  | { type: 'call'; id: number; op: string; request: unknown }
  /** Stop the job at its next check; its reply is no longer awaited. */
  | { type: 'cancel'; id: number }
  /** A message that needs no reply (the model worker's 'forget'). */
  | { type: 'notice'; name: string; payload: unknown }
  /** The host is about to terminate the worker: finish the native call in flight, start none. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  /** No ONNX Runtime call is in flight or will start: the worker can be terminated safely. */
  | { type: 'closed' }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; id: number; phase: string; done: number; total: number }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; message: string; code?: string };

export type Progress = (phase: string, done: number, total: number) => void;

/** What a job's handler gets besides its request: where to report progress, and whether it was cancelled. */
export interface JobContext {
  progress: Progress;
  /** Aborted when the host cancels the job: long loops check it between batches (`throwIfCancelled`). */
  signal: AbortSignal;
}

/** The error a cancelled job's caller gets; `code` 'cancelled' crosses the contract. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  readonly code = 'cancelled';
}
