/** A batch's pixels: a split's images, by index, scaled to [0, 1] into a host buffer. */
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
