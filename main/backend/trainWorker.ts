/** The trainer's worker thread: picks a tfjs backend once, then trains one run at a time. */
import { parentPort } from 'node:worker_threads';
import type { ImageDataset } from '../../core/data/dataset';
import { trainAutoencoder, type TrainControl } from '../../core/train/train';
import { loadDataset } from './datasets';
import { selectBackend } from './tfBackend';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const datasets = new Map<string, ImageDataset>();

let stopRequested = false;
let paused = false;
let wake: (() => void) | null = null;
const control: TrainControl = {
  isStopRequested: () => stopRequested,
  waitWhilePaused: () =>
    paused && !stopRequested ? new Promise<void>((resolve) => (wake = resolve)) : Promise.resolve(),
};
const release = () => {
  wake?.();
  wake = null;
};

async function main() {
  let backendName: string;
  try {
    const backend = await selectBackend();
    backendName = backend.name;
    post({ type: 'ready', backend });
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message });
    return;
  }
  port.on('message', async (message: ToWorker) => {
    switch (message.type) {
      case 'stop':
        stopRequested = true;
        release();
        return;
      case 'pause':
        paused = true;
        return;
      case 'resume':
        paused = false;
        release();
        return;
      case 'train': {
        stopRequested = false;
        paused = false;
        let dataset = datasets.get(message.datasetId);
        try {
          dataset ??= loadDataset(message.datasetId);
          datasets.set(message.datasetId, dataset);
        } catch (err) {
          post({ type: 'event', event: { type: 'run-failed', runId: message.runId, message: (err as Error).message } });
          return;
        }
        await trainAutoencoder({
          runId: message.runId,
          graph: message.graph,
          dataset,
          backend: backendName,
          control,
          emit: (event) => post({ type: 'event', event }),
        });
      }
    }
  });
}

void main();
