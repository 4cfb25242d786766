/**
 * The model cache of DESIGN.md, inside the inference worker: a run's graph compiled once with its
 * checkpoint's weights (its encoder and decoder as the ONNX export writes them, in ONNX Runtime), the validation images of its dataset, and what is derived from them (the
 * codes of the map's points, the Gaussian fitted to the training codes), kept in one LRU bounded by
 * bytes. Every operation of the Explore view runs here (encode, decode, sample, interpolate, traverse),
 * and those of using a model: scoring a dataset by reconstruction error, reconstructing given images.
 * For a VAE the code is the mean μ (the encoder's deterministic output), and decode takes codes in
 * that space.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointChoice, ImageBatch, InterpolateRequest, ModelInfo, PointDetail, SampleResult, ScoredImages, ScoreResult, SkippedFile, TraverseRequest, TraverseResult } from '../../core/api';
import { BOTTLENECK_KINDS } from '../../core/blocks/registry';
import { planModel } from '../../core/compile/plan';
import { imageAt, imageSize, type ImageSplit } from '../../core/data/dataset';
import { parseDatasetId, withClasses } from '../../core/data/datasetId';
import { readRunGraph } from './runs/runGraph';
import { pca2d } from '../../core/latent/pca';
import { fitGaussian, lerpPath, sampleGaussian, slerpPath, standardNormal, traversal, type Gaussian } from '../../core/latent/sample';
import { evenSubsample } from '../../core/latent/tsne';
import { anomalyRoc, anomalyTruth, classRoles, errorMaps, extremes, meanSquaredErrors, perClassStats } from '../../core/score';
import { formatBytes } from '../../core/format';
import { ByteLru } from './byteLru';
import { readCheckpoint, unreadableCheckpoint } from './checkpoints';
import { loadAnyDataset } from './datasets';
import { InferenceModels } from './engine/inference';
import { MAP_MAX_IMAGE_BYTES, MAP_MAX_POINTS, ModelError, TRAVERSE_DEFAULT_DIMS, TRAVERSE_MAX_IMAGE_BYTES, type EncodedDataset, type EncodeSplit, type LoadedModelMemory, type MapBase, type ModelOps, type ModelSource } from './modelProtocol';

/** Images per encoder or decoder call: large enough to amortise a call, small enough to yield often. */
const BATCH = 128;
/** Training images a plain autoencoder's Gaussian is fitted to, at most (evenly spaced). */
const FIT_MAX_IMAGES = 20_000;

export const SAMPLE_NOTE =
  'These codes come from a Gaussian fitted to the training codes: only a VAE’s latent space is trained to be sampled, so a plain autoencoder’s codes leave gaps where decoded samples look worse.';

interface LoadedModel {
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
interface LoadedImages {
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

export type Progress = (phase: string, done: number, total: number) => void;

const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  async run<O extends keyof ModelOps>(op: O, source: ModelSource | null, request: ModelOps[O][0], progress: Progress = () => {}): Promise<ModelOps[O][1]> {
    if (op === 'memory') return this.memory() as ModelOps[O][1];
    if (!source) throw new ModelError(`${op} needs a run`, 'bad-request');
    const handlers: { [K in Exclude<keyof ModelOps, 'memory'>]: (m: LoadedModel, r: ModelOps[K][0]) => Promise<ModelOps[K][1]> } = {
      info: async (m) => this.info(m),
      mapBase: (m, r) => this.mapBase(m, r.maxPoints, r.maxImageBytes, progress),
      decode: (m, r) => this.decode(m, r.codes),
      point: (m, r) => this.point(m, r.index),
      interpolate: (m, r) => this.interpolate(m, r),
      sample: (m, r) => this.sample(m, r, progress),
      traverse: (m, r) => this.traverse(m, r, progress),
      encodeImages: async (m, r) => rows(await this.encode(m, toFloats(r.pixels), r.count), m.codeSize),
      encodeDataset: (m, r) => this.encodeDataset(m, r.datasetId, r.split, progress),
      score: (m, r) => this.score(m, r.datasetId, r.extremes, progress),
      reconstruct: (m, r) => this.reconstructBatch(m, r.images),
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

  private info(m: LoadedModel, images?: LoadedImages): ModelInfo {
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

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key) as Promise<T> | undefined;
    if (running) return running;
    const promise = make().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return promise;
  }

  /** The validation images of the run's dataset, cached per dataset (runs on one dataset share them). */
  private images(m: LoadedModel): Promise<LoadedImages> {
    return this.datasetImages(m, m.source.datasetId, false, true, () => {});
  }

  /**
   * A dataset's validation split, or every image (`whole`), cached by dataset: the classes a run
   * trained on do not change the validation split, so runs holding out different classes share it.
   * `own`: the run's dataset (a fault loading it is the run's), or one the user chose.
   */
  private async datasetImages(m: LoadedModel, datasetId: string, whole: boolean, own: boolean, progress: Progress): Promise<LoadedImages> {
    let id = datasetId;
    try {
      id = withClasses(datasetId, null);
    } catch {
      // An id this version cannot read: loading it says why.
    }
    const key = `images|${whole ? 'all' : 'validation'}|${id}`;
    const cached = this.cache.get(key);
    if (cached?.kind === 'images') return cached;
    return this.once(key, () => this.loadImages(m, key, id, whole, own, progress));
  }

  private async loadImages(m: LoadedModel, key: string, datasetId: string, whole: boolean, own: boolean, progress: Progress): Promise<LoadedImages> {
    let loaded;
    try {
      loaded = await loadAnyDataset(datasetId, { onProgress: (p) => progress(p.phase, p.done, p.total) });
    } catch (err) {
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

  /** Codes of images (bytes scaled to [0, 1]), batch by batch. */
  private async encode(m: LoadedModel, x: Float32Array, count: number): Promise<Float32Array> {
    const out = new Float32Array(count * m.codeSize);
    const size = m.height * m.width * m.channels;
    for (let from = 0; from < count; from += BATCH) {
      const n = Math.min(BATCH, count - from);
      out.set(await m.models.encode(x.subarray(from * size, (from + n) * size), n), from * m.codeSize);
    }
    return out;
  }

  /** Images decoded from codes (count × codeSize), as floats in the model's output range. */
  private async decodeFloats(m: LoadedModel, codes: Float32Array, count: number): Promise<Float32Array> {
    const size = m.height * m.width * m.channels;
    const out = new Float32Array(count * size);
    for (let from = 0; from < count; from += BATCH * 2) {
      const n = Math.min(BATCH * 2, count - from);
      out.set(await m.models.decode(codes.subarray(from * m.codeSize, (from + n) * m.codeSize), n), from * size);
    }
    return out;
  }

  private async decode(m: LoadedModel, codes: ArrayLike<number>[]): Promise<ImageBatch> {
    return this.batch(m, await this.decodeFloats(m, this.checkCodes(m, codes), codes.length), codes.length);
  }

  /** The codes as one array; every length is checked against the model's code size before anything is copied. */
  private checkCodes(m: LoadedModel, codes: ArrayLike<number>[]): Float32Array {
    const wrong = codes.find((code) => code.length !== m.codeSize);
    if (wrong) throw new ModelError(`a code has ${wrong.length.toLocaleString('en')} values; the codes of run ${m.source.runId} have ${m.codeSize}`, 'bad-request');
    const flat = new Float32Array(codes.length * m.codeSize);
    codes.forEach((code, i) => flat.set(code, i * m.codeSize));
    return flat;
  }

  private batch(m: LoadedModel, floats: Float32Array, count: number): ImageBatch {
    const bytes = new Uint8Array(floats.length);
    for (let i = 0; i < floats.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, floats[i]!)) * 255);
    return { count, height: m.height, width: m.width, channels: m.channels, pixels: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }

  private checkIndex(m: LoadedModel, images: LoadedImages, index: number): void {
    if (index >= images.split.count) {
      throw new ModelError(`image ${index} is out of range: run ${m.source.runId} has ${images.split.count} validation images (0 to ${images.split.count - 1})`, 'bad-request');
    }
  }

  /** Validation images as floats in [0, 1]. */
  private floatsOf(images: LoadedImages, indices: number[]): Float32Array {
    const x = new Float32Array(indices.length * images.size);
    indices.forEach((index, i) => {
      const bytes = imageAt(images.split, images.size, index);
      for (let k = 0; k < images.size; k++) x[i * images.size + k] = bytes[k]! / 255;
    });
    return x;
  }

  /** Codes and reconstruction errors of validation images, a batch at a time, yielding between batches so decodes are answered meanwhile. */
  private async encodeValidation(m: LoadedModel, images: LoadedImages, indices: number[], progress: Progress): Promise<{ codes: Float32Array; errors: Float32Array }> {
    const codes = new Float32Array(indices.length * m.codeSize);
    const errors = new Float32Array(indices.length);
    for (let from = 0; from < indices.length; from += BATCH) {
      const part = indices.slice(from, from + BATCH);
      const x = this.floatsOf(images, part);
      const c = await this.encode(m, x, part.length);
      codes.set(c, from * m.codeSize);
      errors.set(meanSquaredErrors(x, await this.decodeFloats(m, c, part.length), part.length, images.size), from);
      progress('encoding', Math.min(from + BATCH, indices.length), indices.length);
      await yieldToMessages();
    }
    return { codes, errors };
  }

  /** The map's points (at most `maxPoints`, and no more images than `maxImageBytes`), encoded once per checkpoint. */
  private async points(m: LoadedModel, images: LoadedImages, maxPoints: number, maxImageBytes: number, progress: Progress) {
    const limit = Math.max(1, Math.min(maxPoints, Math.floor(maxImageBytes / images.size)));
    const indices = evenSubsample(images.split.count, limit);
    const key = `${limit}`;
    if (m.points?.key === key) return m.points;
    const entry = modelKey(m.source.runDir, m.checkpoint);
    return this.once(`${entry}|${m.stamp}|points|${key}`, async () => {
      const { codes, errors } = await this.encodeValidation(m, images, indices, progress);
      m.points = { key, indices, codes, errors };
      this.cache.resize(entry, m.weightBytes + codes.byteLength + errors.byteLength + indices.length * 8);
      return m.points;
    });
  }

  private async mapBase(m: LoadedModel, maxPoints: number, maxImageBytes: number, progress: Progress): Promise<MapBase> {
    const images = await this.images(m);
    if (images.split.count === 0) throw new ModelError(`run ${m.source.runId} has no validation images to map`, 'unreadable');
    const points = await this.points(m, images, maxPoints, maxImageBytes, progress);
    const n = points.indices.length;
    const d = m.codeSize;
    const pixels = new Uint8Array(n * images.size);
    points.indices.forEach((index, i) => pixels.set(imageAt(images.split, images.size, index), i * images.size));
    const raw = d === 2;
    let x: Float32Array;
    let y: Float32Array;
    let plane: MapBase['plane'];
    if (raw) {
      x = Float32Array.from({ length: n }, (_, i) => points.codes[2 * i]!);
      y = Float32Array.from({ length: n }, (_, i) => points.codes[2 * i + 1]!);
      plane = { mean: [0, 0], axes: [[1, 0], [0, 1]] };
    } else {
      const p = pca2d(points.codes, n, d);
      ({ x, y } = p);
      plane = p.basis;
    }
    return {
      info: this.info(m, images),
      indices: Int32Array.from(points.indices),
      labels: Uint8Array.from(points.indices, (i) => images.split.labels[i]!),
      errors: points.errors.slice(),
      files: images.files ? points.indices.map((i) => images.files![i]!) : null,
      images: { count: n, height: m.height, width: m.width, channels: m.channels, pixels: Buffer.from(pixels.buffer).toString('base64') },
      codes: points.codes.slice(),
      x,
      y,
      plane,
      raw,
      total: images.split.count,
    };
  }

  private async point(m: LoadedModel, index: number): Promise<PointDetail> {
    const images = await this.images(m);
    this.checkIndex(m, images, index);
    const x = this.floatsOf(images, [index]);
    const code = await this.encode(m, x, 1);
    const recon = await this.decodeFloats(m, code, 1);
    const both = new Float32Array(2 * images.size);
    both.set(x, 0);
    both.set(recon, images.size);
    return {
      index,
      label: images.split.labels[index]!,
      file: images.files?.[index] ?? null,
      error: meanSquaredErrors(x, recon, 1, images.size)[0]!,
      images: this.batch(m, both, 2),
      code: Array.from(code),
    };
  }

  /** A path end as a code: a validation image's, or the code given. */
  private async endCode(m: LoadedModel, end: { index: number } | { code: number[] }): Promise<Float32Array> {
    if ('code' in end) return this.checkCodes(m, [end.code]);
    const images = await this.images(m);
    this.checkIndex(m, images, end.index);
    return this.encode(m, this.floatsOf(images, [end.index]), 1);
  }

  private async interpolate(m: LoadedModel, r: Pick<InterpolateRequest, 'from' | 'to' | 'steps' | 'path'>) {
    const a = await this.endCode(m, r.from);
    const b = await this.endCode(m, r.to);
    const path = (r.path === 'spherical' ? slerpPath : lerpPath)(a, b, r.steps);
    return { images: await this.decode(m, path), codes: path.map((c) => Array.from(c)) };
  }

  private async sample(m: LoadedModel, r: { count: number; seed: number; temperature: number }, progress: Progress): Promise<SampleResult> {
    const gaussian = m.variational ? standardNormal(m.codeSize) : await this.fitted(m, progress);
    const codes = sampleGaussian(gaussian, r.count, r.seed, r.temperature);
    return { images: await this.decode(m, codes), codes: codes.map((c) => Array.from(c)), source: m.variational ? 'prior' : 'fitted', note: m.variational ? null : SAMPLE_NOTE };
  }

  /** A plain autoencoder's Gaussian: fitted once per checkpoint to the codes of (up to 20,000) training images. */
  private async fitted(m: LoadedModel, progress: Progress): Promise<Gaussian> {
    if (m.fitted) return m.fitted;
    return this.once(`${modelKey(m.source.runDir, m.checkpoint)}|${m.stamp}|fit`, () => this.fit(m, progress));
  }

  private async fit(m: LoadedModel, progress: Progress): Promise<Gaussian> {
    let loaded;
    try {
      loaded = await loadAnyDataset(m.source.datasetId);
    } catch (err) {
      throw new ModelError(`the training images of run ${m.source.runId} cannot be loaded to fit the samples' Gaussian: ${(err as Error).message}`, 'unreadable');
    }
    const train = loaded.dataset.train;
    const size = imageSize(loaded.dataset);
    const indices = evenSubsample(train.count, FIT_MAX_IMAGES);
    const codes = new Float32Array(indices.length * m.codeSize);
    for (let from = 0; from < indices.length; from += BATCH) {
      const part = indices.slice(from, from + BATCH);
      const x = new Float32Array(part.length * size);
      part.forEach((index, i) => {
        const bytes = imageAt(train, size, index);
        for (let k = 0; k < size; k++) x[i * size + k] = bytes[k]! / 255;
      });
      codes.set(await this.encode(m, x, part.length), from * m.codeSize);
      progress('fitting', Math.min(from + BATCH, indices.length), indices.length);
      await yieldToMessages();
    }
    m.fitted = fitGaussian(codes, indices.length, m.codeSize);
    return m.fitted;
  }

  private async traverse(m: LoadedModel, r: Pick<TraverseRequest, 'base' | 'dims' | 'steps' | 'range'>, progress: Progress): Promise<TraverseResult> {
    // The request is bounded before any work: each dimension once and in range, and a reply under the byte cap.
    const seen = new Set<number>();
    for (const dim of r.dims ?? []) {
      if (dim >= m.codeSize) throw new ModelError(`dimension ${dim} is out of range: the codes of run ${m.source.runId} have ${m.codeSize} (0 to ${m.codeSize - 1})`, 'bad-request');
      if (seen.has(dim)) throw new ModelError(`dimension ${dim} is listed twice: give each dimension once`, 'bad-request');
      seen.add(dim);
    }
    const tooLarge = traversalTooLarge(r.dims?.length ?? Math.min(TRAVERSE_DEFAULT_DIMS, m.codeSize), r.steps, m);
    if (tooLarge) throw new ModelError(tooLarge, 'bad-request');
    const images = await this.images(m);
    // σ from the map's points (the same ones, so they are encoded once).
    const points = await this.points(m, images, MAP_MAX_POINTS, MAP_MAX_IMAGE_BYTES, progress);
    const { mean, sigma } = spread(points.codes, points.indices.length, m.codeSize);
    const dims = r.dims ?? widest(sigma, TRAVERSE_DEFAULT_DIMS);
    const base = r.base ? await this.endCode(m, r.base) : mean;
    const grid = traversal(base, sigma, dims, r.steps, r.range);
    const flat = grid.flat();
    const floats = await this.decodeFloats(m, this.checkCodes(m, flat), flat.length);
    const size = m.height * m.width * m.channels;
    const rowsOut = dims.map((_, row) => this.batch(m, floats.subarray(row * r.steps * size, (row + 1) * r.steps * size), r.steps));
    return { dims, rows: rowsOut, sigma: dims.map((d) => sigma[d]!) };
  }

  /** The model's output for images given as floats in [0, 1]: encoded, then decoded. */
  private async reconstruct(m: LoadedModel, x: Float32Array, count: number): Promise<Float32Array> {
    return this.decodeFloats(m, await this.encode(m, x, count), count);
  }

  /** Images sent by a view (the lab's corrupted images), reconstructed. */
  private async reconstructBatch(m: LoadedModel, images: ImageBatch): Promise<ImageBatch> {
    if (images.height !== m.height || images.width !== m.width || images.channels !== m.channels) {
      throw new ModelError(`the images are ${images.height}×${images.width}×${images.channels}; the model of run ${m.source.runId} takes ${m.height}×${m.width}×${m.channels}`, 'bad-request');
    }
    const bytes = Buffer.from(images.pixels, 'base64');
    const size = m.height * m.width * m.channels;
    const bytesPerValue = images.encoding === 'float32' ? 4 : 1;
    if (bytes.length !== images.count * size * bytesPerValue) {
      throw new ModelError(`the pixels hold ${bytes.length} bytes; ${images.count} images of ${m.height}×${m.width}×${m.channels} take ${images.count * size * bytesPerValue}`, 'bad-request');
    }
    const x = images.encoding === 'float32' ? littleEndianFloats(bytes) : toFloats(bytes);
    if (!x.every(Number.isFinite)) throw new ModelError('the pixels hold a value that is not a finite number', 'bad-request');
    return this.batch(m, await this.reconstruct(m, x, images.count), images.count);
  }

  /**
   * Every image of a dataset scored by its reconstruction error, a batch at a time: the run's
   * validation split by default, a built-in set's validation split, every image of another folder.
   */
  private async score(m: LoadedModel, datasetId: string | null, count: number, progress: Progress): Promise<ScoreResult> {
    const id = datasetId ?? m.source.datasetId;
    const whole = scoresWhole(m.source.datasetId, id);
    const own = datasetId === null || (!whole && sameImages(m.source.datasetId, id));
    const images = await this.datasetImages(m, id, whole, own, progress);
    const n = images.split.count;
    if (n === 0) throw new ModelError(`${images.name} has no images to score`, 'bad-request');
    const errors = new Float32Array(n);
    for (let from = 0; from < n; from += BATCH) {
      const part = Array.from({ length: Math.min(BATCH, n - from) }, (_, i) => from + i);
      const x = this.floatsOf(images, part);
      errors.set(meanSquaredErrors(x, await this.reconstruct(m, x, part.length), part.length, images.size), from);
      progress('scoring', from + part.length, n);
      await yieldToMessages();
    }
    const labels = Array.from(images.split.labels);
    const { heldOut, newClasses } = classRoles({ classNames: m.source.classNames ?? null, trainedClasses: m.source.trainedClasses ?? null }, images.classNames);
    const ends = extremes(errors, count);
    return {
      runId: m.source.runId,
      datasetId: id,
      datasetName: images.name,
      count: n,
      errors: Array.from(errors),
      labels,
      classNames: images.classNames,
      files: images.files,
      indices: Array.from({ length: n }, (_, i) => i),
      perClass: perClassStats(errors, labels),
      heldOut,
      newClasses,
      roc: anomalyRoc(errors, anomalyTruth({ labels, classNames: images.classNames, heldOut, newClasses })),
      highest: await this.scored(m, images, ends.highest),
      lowest: await this.scored(m, images, ends.lowest),
      skipped: images.skipped,
      skippedCount: images.skippedCount,
    };
  }

  /** Images of a scored set with their reconstructions and error maps (scaled to this batch's largest error). */
  private async scored(m: LoadedModel, images: LoadedImages, positions: number[]): Promise<ScoredImages> {
    const x = this.floatsOf(images, positions);
    const out = await this.reconstruct(m, x, positions.length);
    const maps = errorMaps(x, out, positions.length, m.height * m.width, m.channels);
    return {
      positions,
      inputs: this.batch(m, x, positions.length),
      reconstructions: this.batch(m, out, positions.length),
      errorMaps: { count: positions.length, height: m.height, width: m.width, channels: 1, pixels: Buffer.from(maps.buffer, maps.byteOffset, maps.byteLength).toString('base64') },
    };
  }

  private async encodeDataset(m: LoadedModel, datasetId: string, split: EncodeSplit, progress: Progress): Promise<EncodedDataset> {
    let loaded;
    try {
      loaded = await loadAnyDataset(datasetId, { onProgress: (p) => progress(p.phase, p.done, p.total) });
    } catch (err) {
      throw new ModelError((err as Error).message, 'bad-request');
    }
    const { dataset } = loaded;
    if (dataset.height !== m.height || dataset.width !== m.width || dataset.channels !== m.channels) {
      throw new ModelError(`the images are ${dataset.height}×${dataset.width}×${dataset.channels}; the model of run ${m.source.runId} takes ${m.height}×${m.width}×${m.channels}`, 'bad-request');
    }
    const size = imageSize(dataset);
    const parts = (split === 'all' ? (['train', 'validation'] as const) : [split]).map((name) => ({ name, split: dataset[name], files: loaded.files?.[name] ?? null }));
    const count = parts.reduce((s, p) => s + p.split.count, 0);
    const codes = new Float32Array(count * m.codeSize);
    const out: EncodedDataset = { codeSize: m.codeSize, count, codes, split: [], index: new Int32Array(count), labels: new Uint8Array(count), classNames: dataset.classNames, files: loaded.files ? [] : null };
    let row = 0;
    for (const part of parts) {
      for (let from = 0; from < part.split.count; from += BATCH) {
        const n = Math.min(BATCH, part.split.count - from);
        const x = new Float32Array(n * size);
        for (let i = 0; i < n; i++) {
          const bytes = imageAt(part.split, size, from + i);
          for (let k = 0; k < size; k++) x[i * size + k] = bytes[k]! / 255;
          out.split.push(part.name);
          out.index[row + i] = from + i;
          out.labels[row + i] = part.split.labels[from + i]!;
          out.files?.push(part.files?.[from + i] ?? '');
        }
        codes.set(await this.encode(m, x, n), row * m.codeSize);
        row += n;
        progress('encoding', row, count);
        await yieldToMessages();
      }
    }
    return out;
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

/**
 * Whether a score covers every image of a dataset: an image folder other than the run's own is new
 * to the model, all of it; a built-in set (whose training images runs train on) and the run's own
 * folder are scored on their validation split.
 */
export function scoresWhole(runDatasetId: string, datasetId: string): boolean {
  try {
    const ref = parseDatasetId(datasetId);
    if (ref.kind === 'builtin') return false;
    const own = parseDatasetId(runDatasetId);
    return !(own.kind === 'folder' && own.path === ref.path);
  } catch {
    return false;
  }
}

/** The same validation images: the ids differ at most in the classes training kept. */
function sameImages(a: string, b: string): boolean {
  try {
    return withClasses(a, null) === withClasses(b, null);
  } catch {
    return a === b;
  }
}

function toFloats(bytes: Uint8Array): Float32Array {
  return Float32Array.from(bytes, (v) => v / 255);
}

function littleEndianFloats(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

function rows(flat: Float32Array, d: number): number[][] {
  return Array.from({ length: flat.length / d }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d)));
}

/** Each code unit's mean and standard deviation over n codes. */
export function spread(codes: Float32Array, n: number, d: number): { mean: Float32Array; sigma: Float32Array } {
  const mean = new Float32Array(d);
  const sigma = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += codes[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sigma[j]! += (codes[i * d + j]! - mean[j]!) ** 2 / Math.max(n - 1, 1);
  for (let j = 0; j < d; j++) sigma[j] = Math.sqrt(sigma[j]!);
  return { mean, sigma };
}

/** The `count` dimensions with the widest spread, widest first. */
/** Why a traversal's images would be too many bytes to send (TRAVERSE_MAX_IMAGE_BYTES), or null. */
export function traversalTooLarge(rows: number, steps: number, image: { height: number; width: number; channels: number }): string | null {
  const bytes = rows * steps * image.height * image.width * image.channels;
  if (bytes <= TRAVERSE_MAX_IMAGE_BYTES) return null;
  const shape = `${image.height}×${image.width}×${image.channels}`;
  return `a traversal of ${rows} dimension${rows === 1 ? '' : 's'} × ${steps} steps of ${shape} images is ${formatBytes(bytes)}; at most ${formatBytes(TRAVERSE_MAX_IMAGE_BYTES)}: choose fewer dimensions or steps`;
}

export function widest(sigma: ArrayLike<number>, count: number): number[] {
  return Array.from(sigma, (s, d) => [s, d] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, count)
    .map(([, d]) => d);
}
