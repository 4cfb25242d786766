/**
 * A loaded model's encoder and decoder run in batches (images as floats in [0, 1], codes row-major),
 * and the conversions between the contract's ImageBatch and floats.
 */
import type { ImageBatch } from '../../core/api';
import { imageAt } from '../../core/data/dataset';
import type { LoadedImages, LoadedModel } from './models';
import { ModelError } from './modelProtocol';

/** Images per encoder or decoder call: large enough to amortise a call, small enough to yield often. */
export const BATCH = 128;

/** Lets the worker's messages in between batches (a decode asked for meanwhile, a cancel). */
export const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Codes of images (bytes scaled to [0, 1]), batch by batch. */
export async function encode(m: LoadedModel, x: Float32Array, count: number): Promise<Float32Array> {
  const out = new Float32Array(count * m.codeSize);
  const size = m.height * m.width * m.channels;
  for (let from = 0; from < count; from += BATCH) {
    const n = Math.min(BATCH, count - from);
    out.set(await m.models.encode(x.subarray(from * size, (from + n) * size), n), from * m.codeSize);
  }
  return out;
}

/** Images decoded from codes (count × codeSize), as floats in the model's output range. */
export async function decodeFloats(m: LoadedModel, codes: Float32Array, count: number): Promise<Float32Array> {
  const size = m.height * m.width * m.channels;
  const out = new Float32Array(count * size);
  for (let from = 0; from < count; from += BATCH * 2) {
    const n = Math.min(BATCH * 2, count - from);
    out.set(await m.models.decode(codes.subarray(from * m.codeSize, (from + n) * m.codeSize), n), from * size);
  }
  return out;
}

export async function decode(m: LoadedModel, codes: ArrayLike<number>[]): Promise<ImageBatch> {
  return toImageBatch(m, await decodeFloats(m, checkCodes(m, codes), codes.length), codes.length);
}

/** The codes as one array; every length is checked against the model's code size before anything is copied. */
export function checkCodes(m: LoadedModel, codes: ArrayLike<number>[]): Float32Array {
  const wrong = codes.find((code) => code.length !== m.codeSize);
  if (wrong) throw new ModelError(`a code has ${wrong.length.toLocaleString('en')} values; the codes of run ${m.source.runId} have ${m.codeSize}`, 'bad-request');
  const flat = new Float32Array(codes.length * m.codeSize);
  codes.forEach((code, i) => flat.set(code, i * m.codeSize));
  return flat;
}

export function toImageBatch(m: LoadedModel, floats: Float32Array, count: number): ImageBatch {
  const bytes = new Uint8Array(floats.length);
  for (let i = 0; i < floats.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, floats[i]!)) * 255);
  return { count, height: m.height, width: m.width, channels: m.channels, pixels: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

export function checkIndex(m: LoadedModel, images: LoadedImages, index: number): void {
  if (index >= images.split.count) {
    throw new ModelError(`image ${index} is out of range: run ${m.source.runId} has ${images.split.count} validation images (0 to ${images.split.count - 1})`, 'bad-request');
  }
}

/** Validation images as floats in [0, 1]. */
export function floatsOf(images: LoadedImages, indices: number[]): Float32Array {
  const x = new Float32Array(indices.length * images.size);
  indices.forEach((index, i) => {
    const bytes = imageAt(images.split, images.size, index);
    for (let k = 0; k < images.size; k++) x[i * images.size + k] = bytes[k]! / 255;
  });
  return x;
}


/** The model's output for images given as floats in [0, 1]: encoded, then decoded. */
export async function reconstruct(m: LoadedModel, x: Float32Array, count: number): Promise<Float32Array> {
  return decodeFloats(m, await encode(m, x, count), count);
}

/** Images sent by a view (the lab's corrupted images), reconstructed. */
export async function reconstructBatch(m: LoadedModel, images: ImageBatch): Promise<ImageBatch> {
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
  return toImageBatch(m, await reconstruct(m, x, images.count), images.count);
}

export function toFloats(bytes: Uint8Array): Float32Array {
  return Float32Array.from(bytes, (v) => v / 255);
}

export function littleEndianFloats(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

export function rows(flat: Float32Array, d: number): number[][] {
  return Array.from({ length: flat.length / d }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d)));
}
