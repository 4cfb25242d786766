/** Everything the trainer reports. Plain data: it crosses worker, IPC and WebSocket boundaries as JSON. */
import type { DatasetSummary } from '../data/dataset';
import type { Preprocessing } from '../data/folder';

export interface SkippedFile {
  path: string;
  reason: string;
}

/** What a run trained on, as recorded in its run.json. */
export interface RunDataset extends DatasetSummary {
  /** Images per class, train and validation together. */
  counts: Record<string, number>;
  /** Image folders only: the folder, its fingerprint (paths, sizes, mtimes and settings), the settings. */
  path?: string;
  fingerprint?: string;
  preprocessing?: Preprocessing;
  /** Files left out with the reason (the first 1,000), and how many in all. */
  skipped: SkippedFile[];
  skippedCount: number;
  fromCache?: boolean;
  /** Read from the cache file batch by batch: too large for the memory budget. */
  streamed?: boolean;
}

/** Loading a dataset before the first epoch: decoding an image folder, or reading its cache. */
export interface DatasetProgressEvent {
  type: 'dataset-progress';
  runId: string;
  phase: 'scanning' | 'decoding' | 'reading';
  done: number;
  total: number;
  filesPerSec: number;
}

export interface DatasetReadyEvent {
  type: 'dataset-ready';
  runId: string;
  dataset: RunDataset;
}

export interface LatentProjection {
  /** 'pca' for a projection, 'raw' when the code is already 2-D. */
  method: 'pca' | 'raw';
  x: number[];
  y: number[];
  labels: number[];
  /** Share of variance explained by each axis (PCA only). */
  explained?: [number, number];
}

export interface ReconstructionGrid {
  height: number;
  width: number;
  channels: number;
  /** Pixels in 0..255, HWC, one array per image: the clean validation images (the loss's target). */
  originals: number[][];
  /** The model's output for each image: from `corrupted` when present, else from `originals`. */
  reconstructions: number[][];
  labels: number[];
  /**
   * Set for a model whose input is corrupted while training (GaussianNoise, RandomMask after the
   * Input): each image as that corruption leaves it, 0..255, HWC, the same shape as `originals`.
   * Drawn from a fixed seed, so the same every epoch. Absent in grids recorded before.
   */
  corrupted?: number[][];
  /**
   * Set for a run that augments its training images: the first images of the epoch's last batch
   * as the model trained on them (augmented; training images, not the validation ones above).
   */
  augmented?: number[][];
}

export interface RunStartedEvent {
  type: 'run-started';
  runId: string;
  /** Epochs already done when resuming from a checkpoint (0 for a new run). */
  startEpoch: number;
  backend: string;
  /** Threads that compute each batch: 2 where a one-core backend splits it (core/train/parallel.ts). */
  threads: number;
  epochs: number;
  stepsPerEpoch: number;
  trainCount: number;
  validationCount: number;
  classNames: string[];
  totalParams: number;
  codeSize: number;
  /**
   * The batch size used: the setting, or the training split's size when that is smaller. Optional
   * only for events from before it existed; the trainer always sets it.
   */
  effectiveBatchSize?: number;
  /** Something about the run's settings the user should know, in a sentence (e.g. the batch was capped). */
  note?: string;
}

export interface BatchEndEvent {
  type: 'batch-end';
  runId: string;
  epoch: number;
  batch: number;
  /** Global step, counted from 1. */
  step: number;
  /** Mean training loss over the batches since the last batch-end. */
  loss: number;
  samplesPerSec: number;
  elapsedMs: number;
}

export interface EpochEndEvent {
  type: 'epoch-end';
  runId: string;
  epoch: number;
  step: number;
  loss: number;
  val_loss: number;
  /** Every loss term, train and validation: loss, recon_loss, sparsity_loss, kl_loss, val_…. */
  metrics: Record<string, number>;
  samplesPerSec: number;
  elapsedMs: number;
  /** Null on epochs between refreshes (training settings: refreshEvery). */
  latent: LatentProjection | null;
  recon: ReconstructionGrid | null;
  /** The lowest validation loss so far, and whether this epoch reached it (its weights are the best checkpoint). */
  best_val_loss: number;
  improved: boolean;
}

export interface RunFinishedEvent {
  type: 'run-finished';
  runId: string;
  epochs: number;
  loss: number;
  val_loss: number;
  best_val_loss: number;
  elapsedMs: number;
  /** Set when early stopping ended the run before its last epoch. */
  stoppedEarly: boolean;
}

export interface RunPausedEvent {
  type: 'run-paused';
  runId: string;
  epoch: number;
}

export interface RunResumedEvent {
  type: 'run-resumed';
  runId: string;
  epoch: number;
}

export interface RunStoppedEvent {
  type: 'run-stopped';
  runId: string;
  /** Epochs fully completed before the stop. */
  epochs: number;
  loss: number | null;
  val_loss: number | null;
  elapsedMs: number;
}

export interface RunFailedEvent {
  type: 'run-failed';
  runId: string;
  message: string;
  epoch?: number;
  batch?: number;
}

export type TrainEvent =
  | DatasetProgressEvent
  | DatasetReadyEvent
  | RunStartedEvent
  | BatchEndEvent
  | EpochEndEvent
  | RunFinishedEvent
  | RunStoppedEvent
  | RunFailedEvent
  | RunPausedEvent
  | RunResumedEvent;

export const TERMINAL_EVENTS = ['run-finished', 'run-stopped', 'run-failed'] as const;

export function isTerminal(e: TrainEvent): e is RunFinishedEvent | RunStoppedEvent | RunFailedEvent {
  return (TERMINAL_EVENTS as readonly string[]).includes(e.type);
}
