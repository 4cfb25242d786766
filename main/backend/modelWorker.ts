/**
 * The inference worker: holds the model cache (models.ts), whose models run in ONNX Runtime on the
 * CPU, and answers calls off the main thread, so the window never waits on a model.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { closeNativeGate } from './engine/nativeGate';
import { ModelService } from './models';
import type { FromModelWorker, ModelWorkerData, ToModelWorker } from './modelProtocol';

const port = parentPort!;
const post = (message: FromModelWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** The typed arrays of a result travel without a copy. */
function buffersOf(result: unknown): ArrayBuffer[] {
  if (typeof result !== 'object' || result === null) return [];
  const out: ArrayBuffer[] = [];
  for (const value of Object.values(result)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  }
  return out;
}

async function main() {
  let service: ModelService;
  try {
    service = new ModelService((workerData as ModelWorkerData).maxBytes);
    post({ type: 'ready' });
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message });
    return;
  }
  port.on('message', (message: ToModelWorker) => {
    if (message.type === 'close') {
      void closeNativeGate().then(() => post({ type: 'closed' }));
      return;
    }
    if (message.type === 'forget') {
      service.forget(message.runDir);
      return;
    }
    const { id } = message;
    let lastPost = 0;
    const progress = (phase: string, done: number, total: number) => {
      // At most ~5 a second, and the last one always.
      const now = Date.now();
      if (now - lastPost < 200 && done < total) return;
      lastPost = now;
      post({ type: 'progress', id, phase, done, total });
    };
    service.run(message.op, message.source, message.request as never, progress).then(
      (result) => post({ type: 'result', id, ok: true, result }, buffersOf(result)),
      (err: Error & { code?: unknown }) => post({ type: 'result', id, ok: false, message: err.message, ...(typeof err.code === 'string' && { code: err.code }) }),
    );
  });
}

void main();
