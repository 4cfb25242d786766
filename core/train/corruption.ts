/**
 * Corruptions of images: Gaussian noise, salt and pepper, dropped values and masked holes, seeded so
 * the same seed always gives the same result. Pure (no tfjs): the training layers (core/compile/noise.ts)
 * build each batch row with `corruptRow`, evaluation corrupts its grid with `corruptImage`, and the
 * renderer's lab corrupts single images with the same code.
 *
 * One rule for all of them: a corruption is never clipped. GaussianNoise adds N(0, σ²) to the image
 * and the model trains on that, values below 0 and above 1 included; an image shown to the model
 * anywhere else (the dashboard's grid, the Lab) is corrupted the same way, and only drawing it
 * clips (`bytePixels`). Clipped noise on a black background has a mean of about 0.4σ that the model
 * never saw in training.
 *
 * Images are HWC, row-major, values in [0, 1] as Float32Array (`unitPixels` and `bytePixels` convert
 * from and to 0..255 bytes).
 */
import { seededRandom } from './random';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export const MASK_SHAPES = ['rectangles', 'blotches'] as const;
export type MaskShape = (typeof MASK_SHAPES)[number];
export const MASK_FILLS = ['zeros', 'noise'] as const;
export type MaskFill = (typeof MASK_FILLS)[number];

export interface MaskOptions {
  shape: MaskShape;
  /** Holes per image. */
  count: number;
  /** Each hole's size as a fraction of the image's side. */
  size: number;
}

/** One training-only corruption, as a layer applies it: out = x · keep + add, element by element. */
export type Corruption =
  | { kind: 'gaussian'; stddev: number }
  | { kind: 'dropout'; rate: number }
  | ({ kind: 'mask'; fill: MaskFill } & MaskOptions);

/** A 32-bit hash of several integers (murmur3's finaliser per part): independent seeds for each (layer, step, row). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Seeds can pass 2³²: mix the high part too, so no two parts alias.
    for (const word of [p >>> 0, Math.floor(p / 2 ** 32) >>> 0]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** Normal deviates N(0, stddev²) into out (Box–Muller, two per pair of uniforms). */
export function fillNormal(out: Float32Array, random: () => number, stddev: number): void {
  for (let k = 0; k < out.length; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random())) * stddev;
    const t = 2 * Math.PI * random();
    out[k] = r * Math.cos(t);
    if (k + 1 < out.length) out[k + 1] = r * Math.sin(t);
  }
}

/**
 * Marks `count` holes in hidden (height × width, 1 = hidden). Rectangles are 60–100 % of `size` on
 * each side; a blotch is a short random walk of discs, about `size` across: irregular like a stain
 * or a scribble, never a clean edge the model could learn to spot.
 */
export function stampHoles(hidden: Uint8Array, image: ImageShape, opts: MaskOptions, random: () => number): void {
  const { height: H, width: W } = image;
  for (let n = 0; n < opts.count; n++) {
    if (opts.shape === 'rectangles') {
      const h = Math.min(H, Math.max(1, Math.round(opts.size * H * (0.6 + 0.4 * random()))));
      const w = Math.min(W, Math.max(1, Math.round(opts.size * W * (0.6 + 0.4 * random()))));
      const top = Math.floor(random() * (H - h + 1));
      const left = Math.floor(random() * (W - w + 1));
      for (let y = top; y < top + h; y++) hidden.fill(1, y * W + left, y * W + left + w);
      continue;
    }
    // Five discs of radius ~r0 stepping 0.8·r0 apart span about 5·r0 = size·side.
    const r0 = Math.max(0.75, (opts.size * Math.min(H, W)) / 5);
    let cx = random() * W;
    let cy = random() * H;
    let heading = random() * 2 * Math.PI;
    for (let s = 0; s < 5; s++) {
      stampDisc(hidden, W, H, cx, cy, r0 * (0.6 + 0.4 * random()));
      heading += (random() - 0.5) * 1.5;
      cx = Math.min(W, Math.max(0, cx + Math.cos(heading) * r0 * 0.8));
      cy = Math.min(H, Math.max(0, cy + Math.sin(heading) * r0 * 0.8));
    }
  }
}

function stampDisc(hidden: Uint8Array, W: number, H: number, cx: number, cy: number, r: number): void {
  const r2 = r * r;
  for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(H, Math.ceil(cy + r)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(W, Math.ceil(cx + r)); x++) {
      // Pixel centres inside the circle.
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r2) hidden[y * W + x] = 1;
    }
  }
}

/** Which of keep and add a corruption writes: the layers allocate only those. */
export function corruptionTerms(c: Corruption): { keep: boolean; add: boolean } {
  return { keep: c.kind !== 'gaussian', add: c.kind === 'gaussian' || (c.kind === 'mask' && c.fill === 'noise') };
}

/**
 * What corruption `c` does to one row (one image, or one vector after a Flatten) of `shape` (no
 * batch axis): writes every element of `keep` and `add` where corruptionTerms says it uses them,
 * so that out = x · keep + add. All randomness comes from `random`, in a fixed order.
 */
export function corruptRow(c: Corruption, shape: readonly number[], random: () => number, keep: Float32Array | null, add: Float32Array | null): void {
  switch (c.kind) {
    case 'gaussian':
      fillNormal(add!, random, c.stddev);
      return;
    case 'dropout': {
      // Kept values are scaled by 1 / (1 − rate), as Keras does, so the expected sum is unchanged.
      const scale = 1 / (1 - c.rate);
      for (let k = 0; k < keep!.length; k++) keep![k] = random() >= c.rate ? scale : 0;
      return;
    }
    case 'mask': {
      const [height = 1, width = 1, channels = 1] = shape;
      const hidden = new Uint8Array(height * width);
      stampHoles(hidden, { height, width, channels }, c, random);
      keep!.fill(1);
      add?.fill(0);
      for (let p = 0; p < hidden.length; p++) {
        if (!hidden[p]) continue;
        for (let ch = 0; ch < channels; ch++) {
          keep![p * channels + ch] = 0;
          if (add) add[p * channels + ch] = random();
        }
      }
    }
  }
}

/**
 * An image corrupted by a chain of corruptions (those the model applies to its input while
 * training), each with its own stream from `seed`, exactly as the training layers apply them: not
 * clipped. `hidden` marks the pixels a mask hid (height × width, 1 = hidden), or is null when no
 * corruption masks.
 */
export function corruptImage(pixels: Float32Array, image: ImageShape, corruptions: readonly Corruption[], seed: number): { pixels: Float32Array; hidden: Uint8Array | null } {
  const shape = [image.height, image.width, image.channels];
  let out = Float32Array.from(pixels);
  let hidden: Uint8Array | null = null;
  corruptions.forEach((c, i) => {
    const terms = corruptionTerms(c);
    const keep = terms.keep ? new Float32Array(out.length) : null;
    const add = terms.add ? new Float32Array(out.length) : null;
    corruptRow(c, shape, seededRandom(mixSeed(seed, i)), keep, add);
    if (c.kind === 'mask') {
      hidden ??= new Uint8Array(image.height * image.width);
      for (let p = 0; p < hidden.length; p++) if (keep![p * image.channels] === 0) hidden[p] = 1;
    }
    out = out.map((v, k) => v * (keep ? keep[k]! : 1) + (add ? add[k]! : 0));
  });
  return { pixels: out, hidden };
}

/** The image with Gaussian noise of standard deviation `sigma` added as a GaussianNoise block adds it (not clipped). */
export function addGaussianNoise(pixels: Float32Array, sigma: number, seed: number): Float32Array {
  return corruptImage(pixels, { height: 1, width: pixels.length, channels: 1 }, [{ kind: 'gaussian', stddev: sigma }], seed).pixels;
}

/** Salt and pepper: a share `amount` (0..1) of the pixels set to black or white (every channel), half each. */
export function addSaltAndPepper(pixels: Float32Array, image: ImageShape, amount: number, seed: number): Float32Array {
  const random = seededRandom(mixSeed(seed));
  const out = Float32Array.from(pixels);
  for (let p = 0; p < image.height * image.width; p++) {
    if (random() >= amount) continue;
    const value = random() < 0.5 ? 0 : 1;
    out.fill(value, p * image.channels, (p + 1) * image.channels);
  }
  return out;
}

/** Random holes as a RandomMask block makes them (height × width, 1 = hidden). */
export function randomMask(image: ImageShape, opts: MaskOptions, seed: number): Uint8Array {
  const hidden = new Uint8Array(image.height * image.width);
  stampHoles(hidden, image, opts, seededRandom(mixSeed(seed)));
  return hidden;
}

/** A rectangle in pixels (a mask drawn by hand). */
export interface PixelRect {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Hides the pixels of each rectangle (clipped to the image) in `hidden`, or in a new mask. */
export function rectangleMask(image: ImageShape, rects: readonly PixelRect[], hidden = new Uint8Array(image.height * image.width)): Uint8Array {
  for (const r of rects) {
    const top = Math.max(0, Math.round(r.top));
    const left = Math.max(0, Math.round(r.left));
    const bottom = Math.min(image.height, Math.round(r.top + r.height));
    const right = Math.min(image.width, Math.round(r.left + r.width));
    for (let y = top; y < bottom; y++) if (right > left) hidden.fill(1, y * image.width + left, y * image.width + right);
  }
  return hidden;
}

/** The image with the hidden pixels (every channel) set to 0, or to uniform noise drawn from `seed`. */
export function applyMask(pixels: Float32Array, image: ImageShape, hidden: Uint8Array, fill: MaskFill, seed = 0): Float32Array {
  const random = seededRandom(mixSeed(seed));
  const out = Float32Array.from(pixels);
  for (let p = 0; p < hidden.length; p++) {
    if (!hidden[p]) continue;
    for (let ch = 0; ch < image.channels; ch++) out[p * image.channels + ch] = fill === 'noise' ? random() : 0;
  }
  return out;
}

/** Mean squared error over every value of two images of the same size. */
export function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`images of ${a.length} and ${b.length} values cannot be compared`);
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k]! - b[k]!) ** 2;
  return a.length ? sum / a.length : 0;
}

/** Mean squared error over the hidden pixels only (every channel); 0 when nothing is hidden. */
export function maskedError(a: ArrayLike<number>, b: ArrayLike<number>, image: ImageShape, hidden: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < hidden.length; p++) {
    if (!hidden[p]) continue;
    for (let ch = 0; ch < image.channels; ch++) {
      const k = p * image.channels + ch;
      sum += (a[k]! - b[k]!) ** 2;
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** 0..255 bytes as values in [0, 1]. */
export function unitPixels(bytes: ArrayLike<number>): Float32Array {
  return Float32Array.from(bytes as ArrayLike<number>, (v) => v / 255);
}

/** Values in [0, 1] as 0..255 bytes (clipped, rounded). */
export function bytePixels(values: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(values as ArrayLike<number>, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}
