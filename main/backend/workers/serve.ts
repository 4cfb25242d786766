/**
 * The worker side of host.ts: answers each 'call' with its handler, one AbortController per job
 * ('cancel' aborts it), throttles progress, sends typed arrays without a copy, and on 'close' closes
 * the native gate (engine/nativeGate.ts) before saying 'closed'.
 */
import { parentPort } from 'node:worker_threads';
import { closeNativeGate } from '../engine/nativeGate';
import type { FromWorker, JobContext, ToWorker, WorkerOps } from './protocol';

export type Handlers<Ops extends WorkerOps> = { [O in keyof Ops]: (request: Ops[O][0], job: JobContext) => Promise<Ops[O][1]> | Ops[O][1] };

/** Progress at most this often, and the first of a phase and the last one always. */
const PROGRESS_EVERY_MS = 200;

export function serveJobs<Ops extends WorkerOps>(handlers: Handlers<Ops>, onNotice: (name: string, payload: unknown) => void = () => {}): void {
  const port = parentPort!;
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const jobs = new Map<number, AbortController>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      for (const job of jobs.values()) job.abort();
      void closeNativeGate().then(() => post({ type: 'closed' }));
      return;
    }
    if (message.type === 'cancel') {
      jobs.get(message.id)?.abort();
      return;
    }
    if (message.type === 'notice') {
      onNotice(message.name, message.payload);
      return;
    }
    const { id } = message;
    const controller = new AbortController();
    jobs.set(id, controller);
    let lastPost = 0;
    let lastPhase = '';
    const progress = (phase: string, done: number, total: number) => {
      const now = Date.now();
      if (now - lastPost < PROGRESS_EVERY_MS && done < total && phase === lastPhase) return;
      lastPost = now;
      lastPhase = phase;
      post({ type: 'progress', id, phase, done, total });
    };
    const handler = handlers[message.op as keyof Ops];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no operation ${message.op}`);
        return handler(message.request as never, { progress, signal: controller.signal });
      })
      .then(
        (result) => post({ type: 'result', id, ok: true, result }, buffersOf(result)),
        (err: Error & { code?: unknown }) => post({ type: 'result', id, ok: false, message: err.message, ...(typeof err.code === 'string' && { code: err.code }) }),
      )
      .finally(() => jobs.delete(id));
  });
  post({ type: 'ready' });
}

/** The typed arrays of a result travel without a copy. */
function buffersOf(result: unknown): ArrayBuffer[] {
  if (typeof result !== 'object' || result === null) return [];
  const out: ArrayBuffer[] = [];
  for (const value of Object.values(result)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  }
  return out;
}
