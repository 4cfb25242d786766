/** The trainer's worker thread: picks an ONNX Runtime provider once, then trains one run at a time. */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { ImageDataset } from '../../core/data/dataset';
import type { TrainEvent } from '../../core/train/events';
import type { TrainingState } from '../../core/train/state';
import type { TrainingEngine } from '../../core/train/engine';
import { trainAutoencoder, type TrainControl } from '../../core/train/train';
import { readCheckpoint, writeCheckpoint } from './checkpoints';
import { loadAnyDataset, type LoadedDataset } from './datasets';
import { closeNativeGate } from './engine/nativeGate';
import { onnxEngine } from './engine/onnxRunner';
import { selectProvider, type Provider } from './engine/providers';
import type { TrainerWorkerData } from './trainerHost';
import { gpuFaultMessage } from './gpuFaults';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const emit = (event: TrainEvent) => post({ type: 'event', event });
// The last dataset loaded stays for the next run; one at a time, so memory stays bounded.
let lastLoaded: LoadedDataset | null = null;

let current: { runId: string; epoch: number } | null = null;
/** Set while the run's dataset loads: Stop cancels the decoding. */
let loading: AbortController | null = null;
let stopRequested = false;
/** A run stopped before its train message arrived (the host may send Stop while it starts the worker). */
let stoppedBeforeStart: string | null = null;
/** The run before this one, until its loop has let go: runs never overlap in this worker. */
let previous: Promise<void> = Promise.resolve();
let paused = false;
let wake: (() => void) | null = null;
/** Batches the current run's loop has reached (counted before its pause check), for the host's 'position'. */
let batchesBegun = 0;
const control: TrainControl = {
  // The loop may not yield between batches (an epoch of one batch never does): read the port here.
  poll: () => {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) handle(m.message as ToWorker);
  },
  isStopRequested: () => stopRequested,
  // Called before each batch. While paused the loop waits here, holding its model and memory, until resume or stop.
  waitWhilePaused: () => {
    batchesBegun++;
    return paused && !stopRequested ? new Promise<void>((resolve) => (wake = resolve)) : Promise.resolve();
  },
};
const release = () => {
  wake?.();
  wake = null;
};

async function train(message: Extract<ToWorker, { type: 'train' }>) {
  const runId = message.runId;
  stopRequested = stoppedBeforeStart === runId;
  stoppedBeforeStart = null;
  paused = false;
  batchesBegun = 0;
  current = { runId, epoch: 0 };
  let resumeFrom: TrainingState | undefined;
  let dataset: ImageDataset;
  try {
    if (lastLoaded?.record.id !== message.datasetId) {
      lastLoaded = null;
      loading = new AbortController();
      let lastPost = 0;
      let lastPhase = '';
      lastLoaded = await loadAnyDataset(message.datasetId, {
        signal: loading.signal,
        onProgress: (p) => {
          // At most ~5 a second: the host records none of them and the UI only needs the latest.
          const now = Date.now();
          if (now - lastPost < 200 && p.done < p.total && p.phase === lastPhase) return;
          lastPost = now;
          lastPhase = p.phase;
          emit({ type: 'dataset-progress', runId, ...p });
        },
      });
    }
    dataset = lastLoaded.dataset;
    if (message.resume) resumeFrom = readCheckpoint(message.runDir, 'last');
    if (stopRequested) throw new Error('stopped before it began');
    emit({ type: 'dataset-ready', runId, dataset: lastLoaded.record });
  } catch (err) {
    if (stopRequested) emit({ type: 'run-stopped', runId, epochs: resumeFrom?.epoch ?? 0, loss: null, val_loss: null, elapsedMs: 0 });
    else emit({ type: 'run-failed', runId, message: (err as Error).message });
    current = null;
    return;
  } finally {
    loading = null;
  }
  // Epochs whose checkpoint is on disk, for a GPU fault's message (what is kept).
  let saved = resumeFrom?.epoch ?? 0;
  await trainAutoencoder({
    runId: message.runId,
    graph: message.graph,
    dataset,
    engine: engine!,
    control,
    resumeFrom,
    emit: (event) => {
      if (event.type === 'epoch-end' && current) current.epoch = event.epoch;
      // A step that fails on a GPU: say which GPU, what is kept and how to go on on the CPU; the host
      // replaces this worker (its device may be broken) before the next run.
      if (event.type === 'run-failed' && provider?.target === 'gpu' && event.message.startsWith('training failed: ')) {
        post({ type: 'device-fault' });
        emit({ ...event, message: gpuFaultMessage(provider, event.message.slice('training failed: '.length), runId, saved) });
        return;
      }
      emit(event);
    },
    // Last and best weights with the optimizer state, written before the epoch is reported.
    onEpochEnd: async (checkpoint) => {
      const state = await checkpoint.state();
      writeCheckpoint(message.runDir, 'last', state);
      if (checkpoint.improved) writeCheckpoint(message.runDir, 'best', state);
      saved = checkpoint.epoch;
    },
  });
  current = null;
}

/** Acts on one message from the host, from the port's listener or from the loop's poll. */
function handle(message: ToWorker): void {
  switch (message.type) {
    case 'close':
      void closeNativeGate().then(() => post({ type: 'closed' }));
      return;
    case 'stop':
      if (current?.runId !== message.runId) {
        stoppedBeforeStart = message.runId;
        return;
      }
      stopRequested = true;
      loading?.abort();
      release();
      return;
    case 'pause':
      if (current?.runId === message.runId && !paused) {
        paused = true;
        emit({ type: 'run-paused', runId: current.runId, epoch: current.epoch });
      }
      return;
    case 'resume':
      if (current?.runId === message.runId && paused) {
        paused = false;
        emit({ type: 'run-resumed', runId: current.runId, epoch: current.epoch });
        release();
      }
      return;
    case 'position':
      // The loop is held exactly while it waits on wake (release clears it).
      post({ type: 'position', id: message.id, position: { runId: current?.runId ?? null, batchesBegun, held: wake !== null } });
      return;
    case 'train':
      previous = previous
        .then(() => train(message))
        .catch((err: Error) => {
          current = null;
          emit({ type: 'run-failed', runId: message.runId, message: `training failed: ${err.message}` });
        });
  }
}

/** The provider training runs on, and the engine over it; chosen once per worker. */
let provider: Provider | null = null;
let engine: TrainingEngine | null = null;

async function main() {
  try {
    const selected = await selectProvider(undefined, (workerData as TrainerWorkerData | null)?.preference ?? 'auto');
    provider = selected.provider;
    engine = onnxEngine(provider);
    post({ type: 'ready', backend: selected.info });
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message });
    return;
  }
  port.on('message', handle);
}

void main();
