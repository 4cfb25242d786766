/** Messages between the model host (main thread) and the inference worker (modelWorker.ts). */
import type { CheckpointChoice, ImageBatch, InterpolateRequest, LatentPlane, ModelInfo, PointDetail, SampleResult, ScoreResult, TraverseRequest, TraverseResult } from '../../core/api';

/** A run as the worker loads it: the main thread has checked that it exists and read its run.json. */
export interface ModelSource {
  runId: string;
  runDir: string;
  runName: string;
  datasetId: string;
  datasetName: string;
  checkpoint: CheckpointChoice;
  /** From run.json's dataset record, so model:info need not load the images; absent in runs that never loaded them. */
  classNames?: string[];
  validationCount?: number;
  /** The classes it trained on, when the Data option kept some only (the dataset id's `classes`). */
  trainedClasses?: number[];
}

/** Points on a map at most: UMAP of 10,000 codes takes about 15 s here. */
export const MAP_MAX_POINTS = 10_000;
/** The map's images travel with it for hover tooltips: at most this many bytes of them (fewer points for large images). */
export const MAP_MAX_IMAGE_BYTES = 24 * 2 ** 20;
/** Dimensions a traversal shows when none are chosen: the widest spread. */
export const TRAVERSE_DEFAULT_DIMS = 8;
/**
 * A traversal's images at most (bytes before base64): the Lab's 8 dimensions × 9 steps of the largest
 * input (512×512×4, 72 MB) fit; 64 dimensions × 32 steps of 128×128×3 (96 MB, and +1 GB to build) do
 * not, and the reply stays far under V8's largest string.
 */
export const TRAVERSE_MAX_IMAGE_BYTES = 80 * 2 ** 20;

/** Everything of a latent map but its 2-D layout for UMAP and t-SNE: the points, their codes and the PCA. */
export interface MapBase {
  info: ModelInfo;
  indices: Int32Array;
  labels: Uint8Array;
  errors: Float32Array;
  files: string[] | null;
  images: ImageBatch;
  /** points × codeSize, row-major. */
  codes: Float32Array;
  /** PCA, or the code itself for a 2-D code (raw). */
  x: Float32Array;
  y: Float32Array;
  plane: LatentPlane;
  raw: boolean;
  /** The map shows `indices.length` of `total` validation images. */
  total: number;
}

export type EncodeSplit = 'train' | 'validation' | 'all';

/** Every image of a dataset encoded: one row per image. */
export interface EncodedDataset {
  codeSize: number;
  count: number;
  codes: Float32Array;
  split: ('train' | 'validation')[];
  /** Index within its split. */
  index: Int32Array;
  labels: Uint8Array;
  classNames: string[];
  files: string[] | null;
}

export interface LoadedModelMemory {
  key: string;
  kind: 'model' | 'images';
  bytes: number;
  /** For a model: its weights, and its validation codes once computed. */
  weightBytes?: number;
  codeBytes?: number;
}

/** op -> [request, result]. Each request also carries the source. */
export interface ModelOps {
  info: [Record<string, never>, ModelInfo];
  mapBase: [{ maxPoints: number; maxImageBytes: number }, MapBase];
  decode: [{ codes: number[][] }, ImageBatch];
  point: [{ index: number }, PointDetail];
  interpolate: [Pick<InterpolateRequest, 'from' | 'to' | 'steps' | 'path'>, { images: ImageBatch; codes: number[][] }];
  sample: [{ count: number; seed: number; temperature: number }, SampleResult];
  traverse: [Pick<TraverseRequest, 'base' | 'dims' | 'steps' | 'range'>, TraverseResult];
  /** Images given as bytes (HWC, the model's shape), e.g. files the CLI resized. */
  encodeImages: [{ pixels: Uint8Array; count: number }, number[][]];
  encodeDataset: [{ datasetId: string; split: EncodeSplit }, EncodedDataset];
  /** datasetId null: the run's own validation split. */
  score: [{ datasetId: string | null; extremes: number }, ScoreResult];
  reconstruct: [{ images: ImageBatch }, ImageBatch];
  memory: [Record<string, never>, { entries: LoadedModelMemory[]; total: number; limit: number }];
}
export type ModelOp = keyof ModelOps;

/** The operations as the worker serves them (workers/serve.ts): each request carries the run. */
export type ModelWorkerOps = { [O in ModelOp]: [{ source: ModelSource | null; request: ModelOps[O][0] }, ModelOps[O][1]] };

/** What the worker is started with. */
export interface ModelWorkerData {
  /** The cache's bound in bytes (weights, codes and images). */
  maxBytes: number;
}

/**
 * Why a run's model cannot be used; `code` crosses the contract so the view can tell the cases apart:
 * not-found, deleted, unreadable, no-bottleneck, no-checkpoint, bad-request, cancelled, failed (a fault).
 */
export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
