import type { StateCreator } from 'zustand';
import { hasErrors } from '../../../core/shapes/infer';
import type { DatasetProgressEvent, LatentProjection, ReconstructionGrid, RunDataset, TrainEvent } from '../../../core/train/events';
import { getApi } from '../api/client';
import type { AppState } from './store';

export type TrainingStatus = 'idle' | 'starting' | 'queued' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped' | 'failed';

export interface TrainingState {
  runId: string | null;
  status: TrainingStatus;
  epochs: number;
  epoch: number;
  stepsPerEpoch: number;
  /** [fractional epoch, loss] per throttled batch-end. */
  batchLoss: [number, number][];
  /** [epoch, loss] per epoch-end. */
  valLoss: [number, number][];
  trainLoss: [number, number][];
  samplesPerSec: number;
  /** Threads computing each batch in the current run (2 where a one-core backend splits it). */
  threads: number;
  elapsedMs: number;
  classNames: string[];
  latent: LatentProjection | null;
  recon: ReconstructionGrid | null;
  message: string | null;
  /** Set while the run's dataset loads (an image folder decoding). */
  loading: Omit<DatasetProgressEvent, 'type' | 'runId'> | null;
  /** What the run trains on, with the files that were skipped. */
  dataset: RunDataset | null;
}

export interface TrainingSlice {
  training: TrainingState;
  startTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  pauseTraining(): Promise<void>;
  resumeTraining(): Promise<void>;
  handleEvent(event: TrainEvent): void;
}

export const IDLE_TRAINING: TrainingState = {
  runId: null,
  status: 'idle',
  epochs: 0,
  epoch: 0,
  stepsPerEpoch: 1,
  batchLoss: [],
  valLoss: [],
  trainLoss: [],
  samplesPerSec: 0,
  threads: 1,
  elapsedMs: 0,
  classNames: [],
  latent: null,
  recon: null,
  message: null,
  loading: null,
  dataset: null,
};

export const isTraining = (s: TrainingStatus) => s === 'starting' || s === 'queued' || s === 'running' || s === 'paused' || s === 'stopping';

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = (set, get) => ({
  training: IDLE_TRAINING,

  startTraining: async () => {
    const { doc, analysis, training } = get();
    if (isTraining(training.status) || hasErrors(analysis)) return;
    const datasetId = get().dataset?.id;
    if (!datasetId) {
      get().setNotice({ kind: 'error', text: 'No dataset is available yet.' });
      return;
    }
    set({ training: { ...IDLE_TRAINING, status: 'starting', epochs: doc.training.epochs } });
    try {
      const { runId, queuePosition } = await getApi().invoke('train:start', { graph: doc, datasetId });
      const waiting = queuePosition > 0;
      set((s) => ({
        training: {
          ...s.training,
          runId,
          status: s.training.status === 'starting' ? (waiting ? 'queued' : 'running') : s.training.status,
          message: waiting ? `Queued: ${queuePosition} run${queuePosition === 1 ? '' : 's'} ahead of this one.` : null,
        },
      }));
    } catch (err) {
      set({ training: { ...IDLE_TRAINING, status: 'failed', message: (err as Error).message } });
      get().setNotice({ kind: 'error', text: (err as Error).message });
    }
  },
  stopTraining: async () => {
    const { training } = get();
    if (!training.runId || !isTraining(training.status)) return;
    set({ training: { ...training, status: 'stopping' } });
    await getApi().invoke('train:stop', { runId: training.runId });
  },
  pauseTraining: async () => {
    const { training } = get();
    if (training.runId && training.status === 'running') await getApi().invoke('train:pause', { runId: training.runId });
  },
  resumeTraining: async () => {
    const { training } = get();
    if (training.runId && training.status === 'paused') await getApi().invoke('train:resume', { runId: training.runId });
  },
  handleEvent: (event) => {
    const t = get().training;
    // Events of a run this window did not start (another tab, the CLI) are not drawn here.
    if (t.runId !== null && event.runId !== t.runId) return;
    if (t.runId === null && t.status !== 'starting') return;
    const next: TrainingState = { ...t, runId: event.runId };
    switch (event.type) {
      case 'dataset-progress':
        next.loading = { phase: event.phase, done: event.done, total: event.total, filesPerSec: event.filesPerSec };
        break;
      case 'dataset-ready':
        Object.assign(next, { loading: null, dataset: event.dataset, classNames: event.dataset.classNames });
        break;
      case 'run-started':
        Object.assign(next, { loading: null, epochs: event.epochs, stepsPerEpoch: event.stepsPerEpoch, threads: event.threads, classNames: event.classNames, status: t.status === 'stopping' ? 'stopping' : 'running', message: null });
        break;
      case 'batch-end':
        next.batchLoss = [...t.batchLoss, [event.epoch - 1 + event.batch / t.stepsPerEpoch, event.loss]];
        Object.assign(next, { epoch: event.epoch, samplesPerSec: event.samplesPerSec, elapsedMs: event.elapsedMs });
        break;
      case 'epoch-end':
        next.valLoss = [...t.valLoss, [event.epoch, event.val_loss]];
        next.trainLoss = [...t.trainLoss, [event.epoch, event.loss]];
        // Between refreshes (refreshEvery) the last projection and grid stay on screen.
        Object.assign(next, { epoch: event.epoch, samplesPerSec: event.samplesPerSec, elapsedMs: event.elapsedMs, latent: event.latent ?? t.latent, recon: event.recon ?? t.recon });
        break;
      case 'run-paused':
        Object.assign(next, { status: 'paused', message: 'Paused: the model and its memory are held; Resume continues with the next batch.' });
        break;
      case 'run-resumed':
        Object.assign(next, { status: 'running', message: null });
        break;
      case 'run-finished':
        Object.assign(next, {
          status: 'finished',
          elapsedMs: event.elapsedMs,
          message: `${event.stoppedEarly ? 'Stopped early (no improvement) after' : 'Finished'} ${event.epochs} epoch${event.epochs === 1 ? '' : 's'}: validation loss ${event.val_loss.toFixed(4)}, best ${event.best_val_loss.toFixed(4)}`,
        });
        break;
      case 'run-stopped':
        Object.assign(next, {
          loading: null,
          status: 'stopped',
          epoch: event.epochs,
          elapsedMs: event.elapsedMs,
          message: `Stopped after ${event.epochs} finished epoch${event.epochs === 1 ? '' : 's'}; they are saved.`,
        });
        break;
      case 'run-failed':
        next.loading = null;
        next.status = 'failed';
        next.message = event.message;
        get().setNotice({ kind: 'error', text: `Training failed: ${event.message}` });
        break;
    }
    set({ training: next });
  },
});
