/**
 * The model cache of DESIGN.md, inside the inference worker: a run's graph compiled once with its
 * checkpoint's weights (its encoder and decoder as the ONNX export writes them, in ONNX Runtime), the
 * validation images of its dataset, and what is derived from them (the codes of the map's points, the
 * Gaussian fitted to the training codes), kept in one LRU bounded by bytes. `run` hands each operation
 * to its module: modelExplore.ts (map, point, interpolate, sample, traverse), modelScore.ts (scoring a
 * dataset), modelEncode.ts (encoding a dataset), modelTensors.ts (batched encode, decode, reconstruct).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointChoice, ModelInfo, SkippedFile } from '../../core/api';
import { BOTTLENECK_KINDS } from '../../core/blocks/registry';
import { planModel } from '../../core/compile/plan';
import { imageAt, imageSize, type ImageSplit } from '../../core/data/dataset';
import { withClasses } from '../../core/data/datasetId';
import type { Gaussian } from '../../core/latent/sample';
import { readRunGraph } from './runs/runGraph';
import { ByteLru } from './byteLru';
import { readCheckpoint, unreadableCheckpoint } from './checkpoints';
import { loadAnyDataset } from './datasets';
import { InferenceModels } from './engine/inference';
import { encodeDataset } from './modelEncode';
import { mapBase, point, interpolate, sample, traverse } from './modelExplore';
import { ModelError, type LoadedModelMemory, type ModelOps, type ModelSource } from './modelProtocol';
import { score } from './modelScore';
import { CancelledError, type Progress } from './workers/protocol';
import { decode, encode, reconstructBatch, rows, toFloats } from './modelTensors';

export { SAMPLE_NOTE, spread, traversalTooLarge, widest } from './modelExplore';
export { scoresWhole } from './modelScore';

export interface LoadedModel {
  kind: 'model';
  source: ModelSource;
  checkpoint: CheckpointChoice;
  /** checkpoint.json's mtime and size when loaded: a newer epoch's checkpoint replaces it. */
  stamp: string;
  epoch: number;
  models: InferenceModels;
  codeSize: number;
  variational: boolean;
  height: number;
  width: number;
  channels: number;
  weightBytes: number;
  /** The map's points: their indices in the validation split, codes and reconstruction errors. */
  points?: { key: string; indices: number[]; codes: Float32Array; errors: Float32Array };
  fitted?: Gaussian;
}

/** A dataset's images as the model uses them: the validation split, or every image of a folder scored whole. */
export interface LoadedImages {
  kind: 'images';
  split: ImageSplit;
  files: string[] | null;
  classNames: string[];
  name: string;
  size: number;
  bytes: number;
  /** Files of an image folder left out (the first 1,000), and how many in all. */
  skipped: SkippedFile[];
  skippedCount: number;
}

type Entry = LoadedModel | LoadedImages;

export type { Progress };

export class ModelService {
  readonly cache: ByteLru<Entry>;
  /** Loads and encodings under way, by key: a second request for one waits for it instead of repeating it. */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(maxBytes: number) {
    this.cache = new ByteLru<Entry>(maxBytes, (_key, entry) => {
      // Pinned while an operation uses it, so nothing runs on the sessions released here.
      if (entry.kind === 'model') void entry.models.release();
    });
  }

  /** Runs one operation of the protocol. */
  async run<O extends keyof ModelOps>(op: O, source: ModelSource | null, request: ModelOps[O][0], report: Progress = () => {}, signal?: AbortSignal): Promise<ModelOps[O][1]> {
    // Every long loop reports progress after each batch (then yields to messages): that is where a cancelled job stops.
    const progress: Progress = (phase, done, total) => {
      if (signal?.aborted) throw new CancelledError(`${op} was cancelled`);
      report(phase, done, total);
    };
    if (op === 'memory') return this.memory() as ModelOps[O][1];
    if (!source) throw new ModelError(`${op} needs a run`, 'bad-request');
    const handlers: { [K in Exclude<keyof ModelOps, 'memory'>]: (m: LoadedModel, r: ModelOps[K][0]) => Promise<ModelOps[K][1]> } = {
      info: async (m) => this.info(m),
      mapBase: (m, r) => mapBase(this, m, r.maxPoints, r.maxImageBytes, progress),
      decode: (m, r) => decode(m, r.codes),
      point: (m, r) => point(this, m, r.index),
      interpolate: (m, r) => interpolate(this, m, r),
      sample: (m, r) => sample(this, m, r, progress),
      traverse: (m, r) => traverse(this, m, r, progress),
      encodeImages: async (m, r) => rows(await encode(m, toFloats(r.pixels), r.count), m.codeSize),
      encodeDataset: (m, r) => encodeDataset(m, r.datasetId, r.split, progress),
      score: (m, r) => score(this, m, r.datasetId, r.extremes, progress, signal),
      reconstruct: (m, r) => reconstructBatch(m, r.images),
    };
    const model = await this.model(source);
    const key = modelKey(source.runDir, model.checkpoint);
    const release = this.cache.pin(key);
    try {
      return await (handlers[op as Exclude<O, 'memory'>] as (m: LoadedModel, r: unknown) => Promise<ModelOps[O][1]>)(model, request);
    } finally {
      release();
    }
  }

  /** Drops a run's models (deleted, or its checkpoint replaced by a continued run). */
  forget(runDir: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${runDir}|`)) this.cache.delete(key);
  }

  memory(): { entries: LoadedModelMemory[]; total: number; limit: number } {
    const entries = this.cache.keys().map((key): LoadedModelMemory => {
      const entry = this.cache.peek(key)!;
      const bytes = this.cache.bytesOf(key)!;
      if (entry.kind === 'images') return { key, kind: 'images', bytes };
      return { key, kind: 'model', bytes, weightBytes: entry.weightBytes, codeBytes: bytes - entry.weightBytes };
    });
    return { entries, total: this.cache.bytes, limit: this.cache.maxBytes };
  }

  /** The run's model, from the cache while its checkpoint is unchanged; loaded (and the cache trimmed) otherwise. */
  async model(source: ModelSource): Promise<LoadedModel> {
    const { runDir } = source;
    const checkpoint = source.checkpoint === 'best' && !checkpointStamp(runDir, 'best') && checkpointStamp(runDir, 'last') ? 'last' : source.checkpoint;
    const stamp = checkpointStamp(runDir, checkpoint);
    const key = modelKey(runDir, checkpoint);
    const cached = this.cache.get(key);
    // Between the two renames of a checkpoint being replaced there is none on disk: keep the one loaded.
    if (cached?.kind === 'model' && (cached.stamp === stamp || stamp === null)) return cached;
    return this.once(`load|${key}|${stamp}`, () => this.load(source, checkpoint, stamp, key));
  }

  private async load(source: ModelSource, checkpoint: CheckpointChoice, stamp: string | null, key: string): Promise<LoadedModel> {
    const { runId, runDir } = source;
    let graph;
    try {
      graph = readRunGraph(runDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ModelError(`the graph of run ${runId} cannot be read${code ? ` (${code})` : `: ${(err as Error).message}`}`, 'unreadable');
    }
    const bottleneck = graph.nodes.some((n) => BOTTLENECK_KINDS.includes(n.kind));
    if (!bottleneck) throw new ModelError(`the graph of run ${runId} has no bottleneck: there is no latent space to explore`, 'no-bottleneck');
    if (stamp === null) throw new ModelError(`run ${runId} has no checkpoint yet: it has not finished an epoch`, 'no-checkpoint');
    let state;
    try {
      state = readCheckpoint(runDir, checkpoint);
    } catch (err) {
      throw new ModelError(unreadableCheckpoint(runId, checkpoint, err), 'unreadable');
    }
    let plan;
    try {
      plan = planModel(graph);
    } catch (err) {
      throw new ModelError(`the graph of run ${runId} cannot be compiled: ${(err as Error).message}`, 'unreadable');
    }
    const [height, width, channels] = plan.inputShape;
    let models: InferenceModels;
    try {
      models = await InferenceModels.load(graph, state.weights, plan.inputShape, plan.codeSize);
    } catch (err) {
      throw new ModelError(`the ${checkpoint} checkpoint of run ${runId} does not fit its graph: ${(err as Error).message}`, 'unreadable');
    }
    const weightBytes = state.weights.reduce((sum, w) => sum + w.data.byteLength, 0);
    const model: LoadedModel = {
      kind: 'model',
      source,
      checkpoint,
      stamp,
      epoch: state.epoch,
      models,
      codeSize: plan.codeSize,
      variational: plan.variational,
      height,
      width,
      channels,
      weightBytes,
    };
    this.cache.set(key, model, weightBytes);
    return model;
  }

  info(m: LoadedModel, images?: LoadedImages): ModelInfo {
    const s = m.source;
    return {
      runId: s.runId,
      runName: s.runName,
      checkpoint: m.checkpoint,
      epoch: m.epoch,
      codeSize: m.codeSize,
      variational: m.variational,
      height: m.height,
      width: m.width,
      channels: m.channels,
      classNames: images?.classNames ?? s.classNames ?? [],
      datasetId: s.datasetId,
      datasetName: s.datasetName,
      count: images?.split.count ?? s.validationCount ?? 0,
    };
  }

  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key) as Promise<T> | undefined;
    // Work another job started and then cancelled is not this job's end: it does the work itself.
    if (running) return running.catch((err: unknown) => (err instanceof CancelledError ? this.once(key, make) : Promise.reject(err)));
    const promise = make().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return promise;
  }

  /** The validation images of the run's dataset, cached per dataset (runs on one dataset share them). */
  images(m: LoadedModel): Promise<LoadedImages> {
    return this.datasetImages(m, m.source.datasetId, false, true, () => {});
  }

  /**
   * A dataset's validation split, or every image (`whole`), cached by dataset: the classes a run
   * trained on do not change the validation split, so runs holding out different classes share it.
   * `own`: the run's dataset (a fault loading it is the run's), or one the user chose.
   */
  async datasetImages(m: LoadedModel, datasetId: string, whole: boolean, own: boolean, progress: Progress, signal?: AbortSignal): Promise<LoadedImages> {
    let id = datasetId;
    try {
      id = withClasses(datasetId, null);
    } catch {
      // An id this version cannot read: loading it says why.
    }
    const key = `images|${whole ? 'all' : 'validation'}|${id}`;
    const cached = this.cache.get(key);
    if (cached?.kind === 'images') return cached;
    return this.once(key, () => this.loadImages(m, key, id, whole, own, progress, signal));
  }

  private async loadImages(m: LoadedModel, key: string, datasetId: string, whole: boolean, own: boolean, progress: Progress, signal?: AbortSignal): Promise<LoadedImages> {
    let loaded;
    try {
      loaded = await loadAnyDataset(datasetId, { ...(signal && { signal }), onProgress: (p) => progress(p.phase, p.done, p.total) });
    } catch (err) {
      if (err instanceof CancelledError || signal?.aborted) throw new CancelledError(`loading ${datasetId} was cancelled`);
      if (own) throw new ModelError(`the images of run ${m.source.runId} cannot be loaded: ${(err as Error).message}`, 'unreadable');
      throw new ModelError((err as Error).message, 'bad-request');
    }
    const { dataset } = loaded;
    if (dataset.height !== m.height || dataset.width !== m.width || dataset.channels !== m.channels) {
      if (own) throw new ModelError(`the dataset of run ${m.source.runId} is now ${dataset.height}×${dataset.width}×${dataset.channels}; the model takes ${m.height}×${m.width}×${m.channels}`, 'unreadable');
      throw new ModelError(`the images are ${dataset.height}×${dataset.width}×${dataset.channels}; the model of run ${m.source.runId} takes ${m.height}×${m.width}×${m.channels}`, 'bad-request');
    }
    const size = imageSize(dataset);
    // Copies, so the training images (often the same buffer) can be freed; a streamed split stays on disk.
    const split = whole ? joinSplits(dataset.train, dataset.validation, size) : copySplit(dataset.validation, size);
    const files = loaded.files ? (whole ? [...loaded.files.train, ...loaded.files.validation] : loaded.files.validation) : null;
    const { skipped, skippedCount } = loaded.record;
    const images: LoadedImages = { kind: 'images', split, files, classNames: dataset.classNames, name: dataset.name, size, bytes: split.images.byteLength + split.labels.byteLength, skipped, skippedCount };
    this.cache.set(key, images, images.bytes);
    return images;
  }

}

export function modelKey(runDir: string, checkpoint: CheckpointChoice): string {
  return `${runDir}|${checkpoint}`;
}

/** checkpoint.json's mtime and size, or null when there is none (the run has not finished an epoch). */
function checkpointStamp(runDir: string, kind: CheckpointChoice): string | null {
  for (const dir of [kind, `${kind}.old`]) {
    try {
      const s = statSync(join(runDir, 'checkpoints', dir, 'checkpoint.json'));
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      // Not there: try the copy a crash mid-replace leaves, then give up.
    }
  }
  return null;
}

/** A split's images and labels copied out of the dataset's buffers; a streamed split as it is. */
function copySplit(split: ImageSplit, size: number): ImageSplit {
  return split.readImage ? split : { images: split.images.slice(0, split.count * size), labels: split.labels.slice(), count: split.count };
}

/** One split of both, training images first: copied, or read through when either is streamed. */
function joinSplits(a: ImageSplit, b: ImageSplit, size: number): ImageSplit {
  const labels = new Uint8Array(a.count + b.count);
  labels.set(a.labels.subarray(0, a.count));
  labels.set(b.labels.subarray(0, b.count), a.count);
  const count = a.count + b.count;
  if (a.readImage || b.readImage) return { images: new Uint8Array(0), labels, count, readImage: (i) => (i < a.count ? imageAt(a, size, i) : imageAt(b, size, i - a.count)) };
  const images = new Uint8Array(count * size);
  images.set(a.images.subarray(0, a.count * size));
  images.set(b.images.subarray(0, b.count * size), a.count * size);
  return { images, labels, count };
}
