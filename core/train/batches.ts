/**
 * Where a batch's pixels come from: a split's images, by index, scaled to [0, 1]. On the host they
 * are copied into a buffer and uploaded per batch; on a GPU the split is uploaded once and each
 * batch is gathered on the device.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../data/dataset';

/** Copies a batch of images (by index) into a float buffer scaled to [0, 1]. */
export function fillBatch(split: ImageSplit, size: number, indices: ArrayLike<number>, from: number, count: number, out: Float32Array): void {
  if (split.readImage) {
    for (let b = 0; b < count; b++) {
      const image = split.readImage(indices[from + b]!);
      const dst = b * size;
      for (let k = 0; k < size; k++) out[dst + k] = image[k]! / 255;
    }
    return;
  }
  const { images } = split;
  for (let b = 0; b < count; b++) {
    const src = indices[from + b]! * size;
    const dst = b * size;
    for (let k = 0; k < size; k++) out[dst + k] = images[src + k]! / 255;
  }
}

/** One image per class first (so the grid shows variety), then the rest in order. */
export function pickReconIndices(labels: Uint8Array, count: number): number[] {
  const picked: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < labels.length && picked.length < count; i++) {
    if (!seen.has(labels[i]!)) {
      seen.add(labels[i]!);
      picked.push(i);
    }
  }
  for (let i = 0; i < labels.length && picked.length < count; i++) if (!picked.includes(i)) picked.push(i);
  return picked.slice(0, count);
}

/** A split's images as tensors, batch by batch. */
export interface BatchSource {
  /** Images order[from], …, order[from + count - 1] as a [count, h, w, c] tensor in [0, 1]; the caller disposes it. */
  batch(order: ArrayLike<number>, from: number, count: number): tf.Tensor4D;
  dispose(): void;
}

type ImageShape = readonly [number, number, number];

/** Copies each batch into a host buffer and uploads it: the path for CPU backends, where host memory is the device's. */
export class HostBatchSource implements BatchSource {
  private readonly size: number;

  constructor(
    private readonly split: ImageSplit,
    private readonly shape: ImageShape,
    /** At least the largest batch asked for; shared with a parallel group when taking over from it. */
    private readonly buffer: Float32Array,
  ) {
    this.size = shape[0] * shape[1] * shape[2];
  }

  batch(order: ArrayLike<number>, from: number, count: number): tf.Tensor4D {
    fillBatch(this.split, this.size, order, from, count, this.buffer);
    return tf.tensor4d(this.buffer.subarray(0, count * this.size), [count, ...this.shape]);
  }

  dispose(): void {}
}

/**
 * The whole split on the device, uploaded once in chunks of at most `chunkImages` images (one GPU
 * buffer each: a device caps a buffer's size). A batch is gathered there by its indices; the
 * epoch's order is uploaded once per epoch, so a batch costs no transfer on one chunk.
 */
export class DeviceBatchSource implements BatchSource {
  private readonly chunks: tf.Tensor4D[] = [];
  private order: { host: ArrayLike<number>; device: tf.Tensor1D } | null = null;

  constructor(
    split: ImageSplit,
    shape: ImageShape,
    private readonly chunkImages: number,
  ) {
    const size = shape[0] * shape[1] * shape[2];
    const rows = Math.max(1, Math.min(chunkImages, split.count));
    const buffer = new Float32Array(rows * size);
    for (let from = 0; from < split.count; from += rows) {
      const count = Math.min(rows, split.count - from);
      const indices = Uint32Array.from({ length: count }, (_, i) => from + i);
      // The same conversion as the host path (uint8 / 255 in double, rounded to float32): equal pixels.
      fillBatch(split, size, indices, 0, count, buffer);
      this.chunks.push(tf.tensor4d(buffer.slice(0, count * size), [count, ...shape]));
    }
  }

  batch(order: ArrayLike<number>, from: number, count: number): tf.Tensor4D {
    if (this.chunks.length === 1) {
      if (this.order?.host !== order) {
        this.order?.device.dispose();
        // Kept: a caller's tidy (evaluation's) must not dispose what is cached here.
        this.order = { host: order, device: tf.keep(tf.tensor1d(Int32Array.from(order), 'int32')) };
      }
      const indices = this.order.device;
      return tf.tidy(() => tf.gather(this.chunks[0]!, tf.slice(indices, from, count)));
    }
    // Rows from several chunks: gather each chunk's share, then put the rows back in batch order.
    return tf.tidy(() => {
      const parts: tf.Tensor4D[] = [];
      const position = new Int32Array(count);
      let placed = 0;
      this.chunks.forEach((chunk, c) => {
        const local: number[] = [];
        for (let i = 0; i < count; i++) {
          const index = order[from + i]!;
          if (Math.floor(index / this.chunkImages) !== c) continue;
          local.push(index - c * this.chunkImages);
          position[i] = placed++;
        }
        if (local.length) parts.push(tf.gather(chunk, tf.tensor1d(local, 'int32')));
      });
      return tf.gather(tf.concat(parts, 0), tf.tensor1d(position, 'int32')) as tf.Tensor4D;
    });
  }

  dispose(): void {
    tf.dispose(this.chunks);
    this.chunks.length = 0;
    this.order?.device.dispose();
    this.order = null;
  }
}

/** The backends whose memory is not the host's: the dataset goes to the device once. */
export function keepsDataOnDevice(backend: string): boolean {
  return backend === 'webgpu' || backend === 'tfjs-node-gpu';
}

/** At most this much of a dataset is kept on a GPU (both splits, as float32); a larger one is uploaded batch by batch. */
export const DEVICE_DATA_BUDGET = 1024 * 2 ** 20;

/**
 * The training and validation sources for a run: on the device when the backend computes on a
 * GPU and both splits fit `budget`; else on the host. `maxChunkBytes` caps one device buffer.
 */
export function batchSources(
  dataset: { train: ImageSplit; validation: ImageSplit; height: number; width: number; channels: number },
  opts: { onDevice: boolean; batchSize: number; evalBatch: number; budget?: number; maxChunkBytes?: number },
): { train: BatchSource; validation: BatchSource; onDevice: boolean } {
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const imageBytes = shape[0] * shape[1] * shape[2] * 4;
  const total = (dataset.train.count + dataset.validation.count) * imageBytes;
  if (opts.onDevice && total <= (opts.budget ?? DEVICE_DATA_BUDGET)) {
    const chunkImages = Math.max(1, Math.floor((opts.maxChunkBytes ?? 2 ** 27) / imageBytes));
    return { train: new DeviceBatchSource(dataset.train, shape, chunkImages), validation: new DeviceBatchSource(dataset.validation, shape, chunkImages), onDevice: true };
  }
  const host = (split: ImageSplit, rows: number) => new HostBatchSource(split, shape, new Float32Array(rows * (imageBytes / 4)));
  return { train: host(dataset.train, opts.batchSize), validation: host(dataset.validation, opts.evalBatch), onDevice: false };
}
