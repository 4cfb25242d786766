/**
 * The lab's image work in the window: an image as floats in [0, 1] (HWC), the user's mask, a text
 * watermark, and the errors the lab shows. Noise, masks and errors come from core: the same code
 * training and the quality tests use.
 */
import type { ImageBatch } from '../../../core/api';
import { addGaussianNoise, addSaltAndPepper, applyMask, bytePixels, maskedError, meanSquaredError, rectangleMask, unitPixels, type ImageShape } from '../../../core/train/corruption';
import { batchBytes } from '../plots/images';

export interface LabImage {
  height: number;
  width: number;
  channels: number;
  /** HWC, in [0, 1]. */
  data: Float32Array;
}

export function fromBatch(batch: ImageBatch, index = 0): LabImage {
  const size = batch.height * batch.width * batch.channels;
  const bytes = batchBytes(batch).subarray(index * size, (index + 1) * size);
  return { height: batch.height, width: batch.width, channels: batch.channels, data: unitPixels(bytes) };
}

/** Images as bytes, to draw (values outside [0, 1] clipped). */
export function toBatch(images: LabImage[]): ImageBatch {
  const first = images[0]!;
  let text = '';
  for (const im of images) for (const v of bytePixels(im.data)) text += String.fromCharCode(v);
  return { count: images.length, height: first.height, width: first.width, channels: first.channels, pixels: btoa(text) };
}

/** Images as float32 values, to give the model: noise beyond [0, 1] kept, as in training. */
export function toModelBatch(images: LabImage[]): ImageBatch {
  const first = images[0]!;
  const values = new Float32Array(images.reduce((n, im) => n + im.data.length, 0));
  let at = 0;
  for (const im of images) {
    values.set(im.data, at);
    at += im.data.length;
  }
  const bytes = new Uint8Array(values.buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { count: images.length, height: first.height, width: first.width, channels: first.channels, pixels: btoa(text), encoding: 'float32' };
}

/** Which pixels the user hid (1) or left (0), one per pixel (all channels). */
export type Mask = Uint8Array;

export function emptyMask(im: Pick<LabImage, 'height' | 'width'>): Mask {
  return new Uint8Array(im.height * im.width);
}

/** Adds the rectangle between two corners (image coordinates, in any order) to a mask. */
export function maskRect(mask: Mask, im: ImageShape, a: [number, number], b: [number, number]): Mask {
  const left = Math.floor(Math.min(a[0], b[0]));
  const top = Math.floor(Math.min(a[1], b[1]));
  return rectangleMask(im, [{ left, top, width: Math.floor(Math.max(a[0], b[0])) + 1 - left, height: Math.floor(Math.max(a[1], b[1])) + 1 - top }], mask.slice());
}

/** Adds a brush stroke: discs of `radius` pixels along the segment a → b. */
export function maskStroke(mask: Mask, width: number, a: [number, number], b: [number, number], radius: number): Mask {
  const out = mask.slice();
  const height = out.length / width;
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / Math.max(radius / 2, 0.5)));
  for (let s = 0; s <= steps; s++) {
    const cx = a[0] + ((b[0] - a[0]) * s) / steps;
    const cy = a[1] + ((b[1] - a[1]) * s) / steps;
    for (let y = Math.max(0, Math.floor(cy - radius)); y <= Math.min(height - 1, Math.ceil(cy + radius)); y++) {
      for (let x = Math.max(0, Math.floor(cx - radius)); x <= Math.min(width - 1, Math.ceil(cx + radius)); x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) out[y * width + x] = 1;
      }
    }
  }
  return out;
}

/** The image with the masked pixels black, as the inpainting template's RandomMask makes its holes. */
export function withMask(im: LabImage, mask: Mask): LabImage {
  return { ...im, data: applyMask(im.data, im, mask, 'zeros') };
}

/**
 * Stamps a text watermark (white, at an opacity) across the image, as a watermark on a photo would be:
 * drawn at the image's own resolution, so it is as coarse as the image.
 */
export function stampText(im: LabImage, text: string, opacity: number, size: number): LabImage {
  if (!text) return im;
  const canvas = document.createElement('canvas');
  canvas.width = im.width;
  canvas.height = im.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.font = `bold ${Math.max(4, Math.round(size * im.height))}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.translate(im.width / 2, im.height / 2);
  ctx.rotate(-Math.PI / 8);
  ctx.fillText(text, 0, 0, im.width * 1.2);
  const alpha = ctx.getImageData(0, 0, im.width, im.height).data;
  const data = im.data.slice();
  for (let p = 0; p < im.width * im.height; p++) {
    const a = (alpha[p * 4 + 3]! / 255) * opacity;
    if (a > 0) for (let c = 0; c < im.channels; c++) data[p * im.channels + c] = data[p * im.channels + c]! * (1 - a) + a;
  }
  return { ...im, data };
}

/** Mean squared error per value of two images; over the masked pixels only when a mask is given (null if it hides none, or the shapes differ). */
export function mse(a: LabImage, b: LabImage, mask?: Mask): number | null {
  // Images of different shapes (a model switched while a reply was on its way) have no error.
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) return null;
  if (mask && mask.length !== a.height * a.width) return null;
  if (!mask) return meanSquaredError(a.data, b.data);
  return mask.includes(1) ? maskedError(a.data, b.data, a, mask) : null;
}

/** How the model's error compares with the corrupted input's: "62 % lower", or "15 % higher" where it made things worse. */
export function change(before: number | null, after: number | null): string {
  if (!before || after === null) return '';
  const p = Math.round((100 * (after - before)) / before);
  return p === 0 ? 'about the same' : `${Math.abs(p)} % ${p < 0 ? 'lower' : 'higher'}`;
}

/** The Lab's corruptions: σ of Gaussian noise, a share of salt and pepper, a watermark and its look, and the seed. */
export interface LabCorruption {
  sigma: number;
  saltPepper: number;
  watermark: string;
  watermarkSize: number;
  watermarkOpacity: number;
  seed: number;
}

/**
 * The corrupted image: the mask, then the watermark, then noise (as a scratched, stamped, noisy scan
 * would be). The noise is the GaussianNoise block's, not clipped: what a denoising model trained on.
 */
export function corrupt(clean: LabImage, mask: Mask, c: LabCorruption): LabImage {
  let im = withMask(clean, mask);
  im = stampText(im, c.watermark, c.watermarkOpacity, c.watermarkSize);
  if (c.sigma > 0) im = { ...im, data: addGaussianNoise(im.data, c.sigma, c.seed) };
  if (c.saltPepper > 0) im = { ...im, data: addSaltAndPepper(im.data, im, c.saltPepper, c.seed + 1) };
  return im;
}
