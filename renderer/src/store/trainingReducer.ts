/**
 * The training dashboard's state and the pure function that folds trainer events into it. The slice
 * decides which run's events reach it (only the run this window started, by the id the backend
 * replied with); this file only says what each event does.
 */
import type { MetricPoint, RunDetail, RunStatus } from '../../../core/api';
import type { DatasetProgressEvent, LatentProjection, ReconstructionGrid, RunDataset, TrainEvent } from '../../../core/train/events';

export type TrainingStatus = 'idle' | 'starting' | 'queued' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped' | 'failed' | 'interrupted';

/** [epoch, value] points of one per-epoch metric (loss, val_loss, recon_loss, val_kl_loss, …). */
export type EpochSeries = Record<string, [number, number][]>;

export interface TrainingState {
  runId: string | null;
  /** The run's name in the Runs list, so the dashboard can say which run it shows. */
  runName: string | null;
  /** 'live': started or continued from this window; 'stored': a finished run read back from disk. */
  source: 'live' | 'stored' | null;
  status: TrainingStatus;
  epochs: number;
  /** The epoch under way (or the last one, once the run has ended). */
  epoch: number;
  /** Epochs fully done. */
  epochsDone: number;
  stepsPerEpoch: number;
  /** [fractional epoch, loss] per throttled batch-end. */
  batchLoss: [number, number][];
  epochMetrics: EpochSeries;
  samplesPerSec: number;
  /** Threads computing each batch in the current run (2 where a one-core backend splits it). */
  threads: number;
  backend: string | null;
  elapsedMs: number;
  classNames: string[];
  latent: LatentProjection | null;
  /** The finished epoch the projection and the reconstructions were computed at. */
  latentEpoch: number | null;
  recon: ReconstructionGrid | null;
  reconEpoch: number | null;
  message: string | null;
  /** Set while the run's dataset loads (an image folder decoding). */
  loading: Omit<DatasetProgressEvent, 'type' | 'runId'> | null;
  /** What the run trains on, with the files that were skipped. */
  dataset: RunDataset | null;
}

export const IDLE_TRAINING: TrainingState = {
  runId: null,
  runName: null,
  source: null,
  status: 'idle',
  epochs: 0,
  epoch: 0,
  epochsDone: 0,
  stepsPerEpoch: 1,
  batchLoss: [],
  epochMetrics: {},
  samplesPerSec: 0,
  threads: 1,
  backend: null,
  elapsedMs: 0,
  classNames: [],
  latent: null,
  latentEpoch: null,
  recon: null,
  reconEpoch: null,
  message: null,
  loading: null,
  dataset: null,
};

export const isTraining = (s: TrainingStatus) => s === 'starting' || s === 'queued' || s === 'running' || s === 'paused' || s === 'stopping';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function appendMetrics(series: EpochSeries, epoch: number, values: Record<string, number>): EpochSeries {
  const next: EpochSeries = { ...series };
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) continue;
    // A continued run re-reports nothing, but a repeated epoch replaces its point rather than doubling it.
    next[key] = [...(series[key] ?? []).filter(([e]) => e !== epoch), [epoch, value]];
  }
  return next;
}

/** Folds one event of the run this dashboard shows into its state. */
export function reduceTraining(t: TrainingState, event: TrainEvent): TrainingState {
  switch (event.type) {
    case 'dataset-progress':
      return { ...t, loading: { phase: event.phase, done: event.done, total: event.total, filesPerSec: event.filesPerSec } };
    case 'dataset-ready':
      return { ...t, loading: null, dataset: event.dataset, classNames: event.dataset.classNames };
    case 'run-started':
      return {
        ...t,
        loading: null,
        epochs: event.epochs,
        epoch: event.startEpoch,
        epochsDone: event.startEpoch,
        stepsPerEpoch: event.stepsPerEpoch,
        threads: event.threads,
        backend: event.backend,
        classNames: event.classNames,
        status: t.status === 'stopping' ? 'stopping' : 'running',
        message: event.note ?? null,
      };
    case 'batch-end':
      return {
        ...t,
        batchLoss: [...t.batchLoss, [event.epoch - 1 + event.batch / Math.max(t.stepsPerEpoch, 1), event.loss]],
        epoch: event.epoch,
        samplesPerSec: event.samplesPerSec,
        elapsedMs: event.elapsedMs,
      };
    case 'epoch-end':
      return {
        ...t,
        epochMetrics: appendMetrics(t.epochMetrics, event.epoch, { ...event.metrics, loss: event.loss, val_loss: event.val_loss }),
        epoch: event.epoch,
        epochsDone: event.epoch,
        samplesPerSec: event.samplesPerSec,
        elapsedMs: event.elapsedMs,
        // Between refreshes (refreshEvery) the last projection and grid stay, labelled with their own epoch.
        latent: event.latent ?? t.latent,
        latentEpoch: event.latent ? event.epoch : t.latentEpoch,
        recon: event.recon ?? t.recon,
        reconEpoch: event.recon ? event.epoch : t.reconEpoch,
      };
    case 'run-paused':
      return { ...t, status: 'paused', message: 'Paused: the model and its memory are held; Resume continues with the next batch.' };
    case 'run-resumed':
      return { ...t, status: t.status === 'stopping' ? 'stopping' : 'running', message: null };
    case 'run-finished':
      return {
        ...t,
        status: 'finished',
        loading: null,
        elapsedMs: event.elapsedMs,
        epoch: event.epochs,
        epochsDone: event.epochs,
        message: `${event.stoppedEarly ? 'Stopped early (no improvement) after' : 'Finished'} ${plural(event.epochs, 'epoch')}: validation loss ${event.val_loss.toFixed(4)}, best ${event.best_val_loss.toFixed(4)}`,
      };
    case 'run-stopped':
      return {
        ...t,
        loading: null,
        status: 'stopped',
        epoch: event.epochs,
        epochsDone: event.epochs,
        elapsedMs: event.elapsedMs,
        message: event.epochs > 0 ? `Stopped after ${plural(event.epochs, 'finished epoch')}; they are saved.` : 'Stopped before the first epoch finished.',
      };
    case 'run-failed':
      return { ...t, loading: null, status: 'failed', message: event.message };
  }
}

const STORED_STATUS: Record<RunStatus, TrainingStatus> = {
  queued: 'queued',
  running: 'running',
  paused: 'paused',
  finished: 'finished',
  stopped: 'stopped',
  failed: 'failed',
  interrupted: 'interrupted',
};

/**
 * A stored run as the dashboard shows it: its curves from metrics.jsonl, its last projection and
 * reconstructions, and its outcome. Used when a run's graph is reopened from the Runs view.
 */
export function trainingFromRun(detail: RunDetail, latent: LatentProjection | null, recon: ReconstructionGrid | null): TrainingState {
  const { summary } = detail;
  const byKey = new Map<string, MetricPoint[]>();
  for (const m of detail.metrics) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
  // Steps per epoch: the step of epoch 1's end (metrics carry the global step).
  const firstEpoch = (byKey.get('epoch_loss') ?? []).find((m) => m.epoch === 1);
  const stepsPerEpoch = firstEpoch ? Math.max(1, firstEpoch.step) : 1;
  const epochMetrics: EpochSeries = {};
  for (const [key, points] of byKey) {
    if (key === 'loss' || key === 'samples_per_sec') continue;
    epochMetrics[key === 'epoch_loss' ? 'loss' : key] = points.map((m) => [m.epoch, m.value]);
  }
  const batchLoss = (byKey.get('loss') ?? []).map((m) => [m.step / stepsPerEpoch, m.value] as [number, number]);
  const classNames = Array.isArray(detail.dataset.classNames) ? (detail.dataset.classNames as string[]) : [];
  const ended = summary.status === 'finished' ? 'Finished' : summary.status === 'interrupted' ? 'Interrupted' : summary.status === 'stopped' ? 'Stopped' : summary.status === 'failed' ? 'Failed' : 'Running';
  const outcome = summary.error ? `: ${summary.error}` : summary.best_val_loss !== null ? `; best validation loss ${summary.best_val_loss.toFixed(4)}` : '';
  return {
    ...IDLE_TRAINING,
    runId: summary.id,
    runName: summary.name,
    source: 'stored',
    status: STORED_STATUS[summary.status],
    epochs: summary.epochs,
    epoch: summary.epochsDone,
    epochsDone: summary.epochsDone,
    stepsPerEpoch,
    batchLoss,
    epochMetrics,
    samplesPerSec: (byKey.get('samples_per_sec') ?? []).at(-1)?.value ?? 0,
    backend: summary.backend,
    elapsedMs: summary.durationMs ?? 0,
    classNames,
    latent,
    latentEpoch: latent ? (detail.latentEpochs.at(-1) ?? null) : null,
    recon,
    reconEpoch: recon ? (detail.sampleEpochs.at(-1) ?? null) : null,
    message: `${ended} after ${plural(summary.epochsDone, 'epoch')} of ${summary.epochs}${outcome}.`,
  };
}
