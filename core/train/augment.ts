/**
 * Train-time data augmentation on a batch of [0, 1] images ([N, H, W, C]): a horizontal and a
 * vertical flip (each half the time), a shift and a rotation (one affine map, sampled bilinearly,
 * edges repeated so no black corners appear on a light background), and a brightness offset.
 * Each image's draws come from its own stream, mixSeed(seed, AUGMENT_STREAM, call, row): the same
 * seed and step give the same images on any machine, and a continued run augments as it would have.
 */
import type { Augmentation } from '../graph/types';
import { mixSeed } from './corruption';
import { seededRandom } from './random';

/** Keeps augmentation's streams apart from the noise blocks' (which mix a block's seed, the call and the row). */
const AUGMENT_STREAM = 0x41554721;

export function isAugmenting(a: Augmentation): boolean {
  return a.horizontalFlip || a.verticalFlip || a.shift > 0 || a.rotation > 0 || a.brightness > 0;
}

/** The augmentation in words, for Compare and the CLI: "flip ↔, shift 0.1, rotation 10°" or "none". */
export function describeAugmentation(a: Augmentation): string {
  const parts = [
    a.horizontalFlip && 'flip ↔',
    a.verticalFlip && 'flip ↕',
    a.shift > 0 && `shift ${a.shift}`,
    a.rotation > 0 && `rotation ${a.rotation}°`,
    a.brightness > 0 && `brightness ±${a.brightness}`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length ? parts.join(', ') : 'none';
}

/** One image's draws: what augmentImage applies. */
export interface ImageTransform {
  flipX: boolean;
  flipY: boolean;
  /** Shift in pixels (positive: right, down). */
  dx: number;
  dy: number;
  /** Rotation in radians. */
  angle: number;
  brightness: number;
}

/** The transform of one image, drawn from `random` in a fixed order (so a setting at 0 leaves the others' draws as they were). */
export function drawTransform(a: Augmentation, height: number, width: number, random: () => number): ImageTransform {
  const flipX = random() < 0.5;
  const flipY = random() < 0.5;
  const dx = (random() * 2 - 1) * a.shift * width;
  const dy = (random() * 2 - 1) * a.shift * height;
  const angle = (((random() * 2 - 1) * a.rotation) / 180) * Math.PI;
  const brightness = (random() * 2 - 1) * a.brightness;
  return { flipX: a.horizontalFlip && flipX, flipY: a.verticalFlip && flipY, dx, dy, angle, brightness };
}

/** Writes `src` ([H, W, C]) transformed into `dst` (another buffer of the same size). */
export function augmentImage(src: Float32Array, dst: Float32Array, height: number, width: number, channels: number, t: ImageTransform): void {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(t.angle);
  const sin = Math.sin(t.angle);
  const clampX = (x: number) => Math.min(width - 1, Math.max(0, x));
  const clampY = (y: number) => Math.min(height - 1, Math.max(0, y));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // The inverse map: from an output pixel back to where it comes from in the source.
      const ux = x - cx - t.dx;
      const uy = y - cy - t.dy;
      let sx = cos * ux + sin * uy + cx;
      let sy = -sin * ux + cos * uy + cy;
      if (t.flipX) sx = width - 1 - sx;
      if (t.flipY) sy = height - 1 - sy;
      sx = clampX(sx);
      sy = clampY(sy);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < channels; c++) {
        const at = (yy: number, xx: number) => src[(yy * width + xx) * channels + c]!;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        const v = top * (1 - fy) + bottom * fy + t.brightness;
        dst[(y * width + x) * channels + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
}

/**
 * Augments the first `count` images of `images` in place, for training call `call` (the global
 * step − 1) of a run seeded `seed`; `scratch` holds one image.
 */
export function augmentBatch(images: Float32Array, count: number, shape: readonly [number, number, number], a: Augmentation, seed: number, call: number, scratch: Float32Array): void {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  for (let r = 0; r < count; r++) {
    const image = images.subarray(r * size, (r + 1) * size);
    scratch.set(image);
    augmentImage(scratch, image, height, width, channels, drawTransform(a, height, width, seededRandom(mixSeed(seed, AUGMENT_STREAM, call, r))));
  }
}
