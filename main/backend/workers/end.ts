import type { Worker } from 'node:worker_threads';

/** A step of a large model on a slow adapter can take this long; a worker that says nothing by then is hung. */
const CLOSE_WAIT_MS = 15_000;

/**
 * Ends a worker that may be inside an ONNX Runtime call: asks it to close its native gate
 * (engine/nativeGate.ts), waits for its `closed` (or its exit), then terminates it. Terminating
 * mid-call would abort this whole process; a worker hung past the wait is terminated anyway.
 */
export async function endWorker(worker: Worker, waitMs = CLOSE_WAIT_MS): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', done);
      resolve();
    };
    const onMessage = (message: { type?: string }) => message?.type === 'closed' && done();
    const timer = setTimeout(done, waitMs);
    worker.on('message', onMessage);
    worker.on('exit', done);
    worker.postMessage({ type: 'close' });
  });
  await worker.terminate();
}
