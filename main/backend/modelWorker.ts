/**
 * The inference worker: holds the model cache (models.ts), whose models run in ONNX Runtime on the
 * CPU, and answers calls off the main thread (workers/serve.ts), so the window never waits on a model.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ModelService } from './models';
import type { ModelOp, ModelWorkerData, ModelWorkerOps } from './modelProtocol';
import type { JobContext } from './workers/protocol';
import { serveJobs, type Handlers } from './workers/serve';

function main() {
  let service: ModelService;
  try {
    service = new ModelService((workerData as ModelWorkerData).maxBytes);
  } catch (err) {
    parentPort!.postMessage({ type: 'fatal', message: (err as Error).message });
    return;
  }
  // Every operation is ModelService.run's; the list is checked against ModelOp, so none is missed.
  const ops = Object.keys({ info: 1, mapBase: 1, decode: 1, point: 1, interpolate: 1, sample: 1, traverse: 1, encodeImages: 1, encodeDataset: 1, score: 1, reconstruct: 1, memory: 1 } satisfies Record<ModelOp, 1>) as ModelOp[];
  const handlers = Object.fromEntries(ops.map((op) => [op, ({ source, request }: { source: never; request: never }, job: JobContext) => service.run(op, source, request, job.progress, job.signal)])) as Handlers<ModelWorkerOps>;
  serveJobs(handlers, (name, payload) => {
    if (name === 'forget') service.forget(payload as string);
  });
}

main();
