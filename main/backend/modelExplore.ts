/**
 * The Explore view's operations on a loaded model: the map's points (encoded once per checkpoint),
 * a point's detail, interpolation, sampling (a VAE's prior, or a Gaussian fitted to a plain
 * autoencoder's training codes) and traversal of code dimensions. For a VAE the code is the mean μ.
 */
import type { InterpolateRequest, PointDetail, SampleResult, TraverseRequest, TraverseResult } from '../../core/api';
import { imageAt, imageSize } from '../../core/data/dataset';
import { pca2d } from '../../core/latent/pca';
import { fitGaussian, lerpPath, sampleGaussian, slerpPath, standardNormal, traversal, type Gaussian } from '../../core/latent/sample';
import { evenSubsample } from '../../core/latent/tsne';
import { meanSquaredErrors } from '../../core/score';
import { formatBytes } from '../../core/format';
import { loadAnyDataset } from './datasets';
import { MAP_MAX_IMAGE_BYTES, MAP_MAX_POINTS, ModelError, TRAVERSE_DEFAULT_DIMS, TRAVERSE_MAX_IMAGE_BYTES, type MapBase } from './modelProtocol';
import { modelKey, type LoadedImages, type LoadedModel, type ModelService, type Progress } from './models';
import { BATCH, checkCodes, checkIndex, decode, decodeFloats, encode, floatsOf, toImageBatch, yieldToMessages } from './modelTensors';

/** Training images a plain autoencoder's Gaussian is fitted to, at most (evenly spaced). */
const FIT_MAX_IMAGES = 20_000;

export const SAMPLE_NOTE =
  'These codes come from a Gaussian fitted to the training codes: only a VAE’s latent space is trained to be sampled, so a plain autoencoder’s codes leave gaps where decoded samples look worse.';

/** Codes and reconstruction errors of validation images, a batch at a time, yielding between batches so decodes are answered meanwhile. */
export async function encodeValidation(m: LoadedModel, images: LoadedImages, indices: number[], progress: Progress): Promise<{ codes: Float32Array; errors: Float32Array }> {
  const codes = new Float32Array(indices.length * m.codeSize);
  const errors = new Float32Array(indices.length);
  for (let from = 0; from < indices.length; from += BATCH) {
    const part = indices.slice(from, from + BATCH);
    const x = floatsOf(images, part);
    const c = await encode(m, x, part.length);
    codes.set(c, from * m.codeSize);
    errors.set(meanSquaredErrors(x, await decodeFloats(m, c, part.length), part.length, images.size), from);
    progress('encoding', Math.min(from + BATCH, indices.length), indices.length);
    await yieldToMessages();
  }
  return { codes, errors };
}

/** The map's points (at most `maxPoints`, and no more images than `maxImageBytes`), encoded once per checkpoint. */
export async function mapPoints(svc: ModelService, m: LoadedModel, images: LoadedImages, maxPoints: number, maxImageBytes: number, progress: Progress) {
  const limit = Math.max(1, Math.min(maxPoints, Math.floor(maxImageBytes / images.size)));
  const indices = evenSubsample(images.split.count, limit);
  const key = `${limit}`;
  if (m.points?.key === key) return m.points;
  const entry = modelKey(m.source.runDir, m.checkpoint);
  return svc.once(`${entry}|${m.stamp}|points|${key}`, async () => {
    const { codes, errors } = await encodeValidation(m, images, indices, progress);
    m.points = { key, indices, codes, errors };
    svc.cache.resize(entry, m.weightBytes + codes.byteLength + errors.byteLength + indices.length * 8);
    return m.points;
  });
}

export async function mapBase(svc: ModelService, m: LoadedModel, maxPoints: number, maxImageBytes: number, progress: Progress): Promise<MapBase> {
  const images = await svc.images(m);
  if (images.split.count === 0) throw new ModelError(`run ${m.source.runId} has no validation images to map`, 'unreadable');
  const points = await mapPoints(svc, m, images, maxPoints, maxImageBytes, progress);
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
    info: svc.info(m, images),
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

export async function point(svc: ModelService, m: LoadedModel, index: number): Promise<PointDetail> {
  const images = await svc.images(m);
  checkIndex(m, images, index);
  const x = floatsOf(images, [index]);
  const code = await encode(m, x, 1);
  const recon = await decodeFloats(m, code, 1);
  const both = new Float32Array(2 * images.size);
  both.set(x, 0);
  both.set(recon, images.size);
  return {
    index,
    label: images.split.labels[index]!,
    file: images.files?.[index] ?? null,
    error: meanSquaredErrors(x, recon, 1, images.size)[0]!,
    images: toImageBatch(m, both, 2),
    code: Array.from(code),
  };
}

/** A path end as a code: a validation image's, or the code given. */
export async function endCode(svc: ModelService, m: LoadedModel, end: { index: number } | { code: number[] }): Promise<Float32Array> {
  if ('code' in end) return checkCodes(m, [end.code]);
  const images = await svc.images(m);
  checkIndex(m, images, end.index);
  return encode(m, floatsOf(images, [end.index]), 1);
}

export async function interpolate(svc: ModelService, m: LoadedModel, r: Pick<InterpolateRequest, 'from' | 'to' | 'steps' | 'path'>) {
  const a = await endCode(svc, m, r.from);
  const b = await endCode(svc, m, r.to);
  const path = (r.path === 'spherical' ? slerpPath : lerpPath)(a, b, r.steps);
  return { images: await decode(m, path), codes: path.map((c) => Array.from(c)) };
}

export async function sample(svc: ModelService, m: LoadedModel, r: { count: number; seed: number; temperature: number }, progress: Progress): Promise<SampleResult> {
  const gaussian = m.variational ? standardNormal(m.codeSize) : await fitted(svc, m, progress);
  const codes = sampleGaussian(gaussian, r.count, r.seed, r.temperature);
  return { images: await decode(m, codes), codes: codes.map((c) => Array.from(c)), source: m.variational ? 'prior' : 'fitted', note: m.variational ? null : SAMPLE_NOTE };
}

/** A plain autoencoder's Gaussian: fitted once per checkpoint to the codes of (up to 20,000) training images. */
export async function fitted(svc: ModelService, m: LoadedModel, progress: Progress): Promise<Gaussian> {
  if (m.fitted) return m.fitted;
  return svc.once(`${modelKey(m.source.runDir, m.checkpoint)}|${m.stamp}|fit`, () => fit(m, progress));
}

export async function fit(m: LoadedModel, progress: Progress): Promise<Gaussian> {
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
    codes.set(await encode(m, x, part.length), from * m.codeSize);
    progress('fitting', Math.min(from + BATCH, indices.length), indices.length);
    await yieldToMessages();
  }
  m.fitted = fitGaussian(codes, indices.length, m.codeSize);
  return m.fitted;
}

export async function traverse(svc: ModelService, m: LoadedModel, r: Pick<TraverseRequest, 'base' | 'dims' | 'steps' | 'range'>, progress: Progress): Promise<TraverseResult> {
  // The request is bounded before any work: each dimension once and in range, and a reply under the byte cap.
  const seen = new Set<number>();
  for (const dim of r.dims ?? []) {
    if (dim >= m.codeSize) throw new ModelError(`dimension ${dim} is out of range: the codes of run ${m.source.runId} have ${m.codeSize} (0 to ${m.codeSize - 1})`, 'bad-request');
    if (seen.has(dim)) throw new ModelError(`dimension ${dim} is listed twice: give each dimension once`, 'bad-request');
    seen.add(dim);
  }
  const tooLarge = traversalTooLarge(r.dims?.length ?? Math.min(TRAVERSE_DEFAULT_DIMS, m.codeSize), r.steps, m);
  if (tooLarge) throw new ModelError(tooLarge, 'bad-request');
  const images = await svc.images(m);
  // σ from the map's points (the same ones, so they are encoded once).
  const points = await mapPoints(svc, m, images, MAP_MAX_POINTS, MAP_MAX_IMAGE_BYTES, progress);
  const { mean, sigma } = spread(points.codes, points.indices.length, m.codeSize);
  const dims = r.dims ?? widest(sigma, TRAVERSE_DEFAULT_DIMS);
  const base = r.base ? await endCode(svc, m, r.base) : mean;
  const grid = traversal(base, sigma, dims, r.steps, r.range);
  const flat = grid.flat();
  const floats = await decodeFloats(m, checkCodes(m, flat), flat.length);
  const size = m.height * m.width * m.channels;
  const rowsOut = dims.map((_, row) => toImageBatch(m, floats.subarray(row * r.steps * size, (row + 1) * r.steps * size), r.steps));
  return { dims, rows: rowsOut, sigma: dims.map((d) => sigma[d]!) };
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
