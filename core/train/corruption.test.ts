import { describe, expect, it } from 'vitest';
import {
  addGaussianNoise,
  addSaltAndPepper,
  applyMask,
  bytePixels,
  corruptImage,
  corruptRow,
  maskedError,
  meanSquaredError,
  mixSeed,
  randomMask,
  rectangleMask,
  unitPixels,
} from './corruption';
import { seededRandom } from './random';

const IMAGE = { height: 28, width: 28, channels: 1 };
const grey = (n: number, v = 0.5) => new Float32Array(n).fill(v);

/** Rows and columns that hold a hidden pixel: the mask's bounding box. */
function bounds(hidden: Uint8Array, width: number) {
  let top = Infinity, left = Infinity, bottom = -1, right = -1; // prettier-ignore
  hidden.forEach((h, p) => {
    if (!h) return;
    const y = Math.floor(p / width);
    const x = p % width;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    left = Math.min(left, x);
    right = Math.max(right, x);
  });
  return { height: bottom - top + 1, width: right - left + 1 };
}

const hiddenCount = (hidden: Uint8Array) => hidden.reduce((n, h) => n + h, 0);

describe('corruptions (pure, seeded)', () => {
  it('Gaussian noise has the asked σ, is not clipped (as the GaussianNoise block trains), and repeats for a seed', () => {
    const clean = grey(20_000);
    const noisy = addGaussianNoise(clean, 0.1, 3);
    const deltas = noisy.map((v, i) => v - clean[i]!);
    const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
    const sd = Math.sqrt(deltas.reduce((a, b) => a + (b - mean) ** 2, 0) / deltas.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(Math.abs(sd - 0.1)).toBeLessThan(0.003);
    expect(meanSquaredError(noisy, clean)).toBeCloseTo(0.01, 3);
    expect(addGaussianNoise(clean, 0.1, 3)).toEqual(noisy);
    expect(addGaussianNoise(clean, 0.1, 4)).not.toEqual(noisy);
    // Strong noise goes past 0 and 1 and keeps a mean of 0: clipped, it would have a bias training never had.
    const strong = addGaussianNoise(clean, 2, 3);
    expect(Math.min(...strong)).toBeLessThan(-2);
    expect(Math.max(...strong)).toBeGreaterThan(3);
    expect(Math.abs(strong.reduce((a, v, i) => a + v - clean[i]!, 0) / strong.length)).toBeLessThan(0.05);
  });

  it('the Lab’s noise and the GaussianNoise block’s are one function: the same values from the same stream', () => {
    const clean = grey(28 * 28);
    const add = new Float32Array(clean.length);
    corruptRow({ kind: 'gaussian', stddev: 0.3 }, [28, 28, 1], seededRandom(mixSeed(9, 0)), null, add);
    expect(addGaussianNoise(clean, 0.3, 9)).toEqual(clean.map((v, k) => v + add[k]!));
  });

  it('salt and pepper turns about `amount` of the pixels black or white, every channel alike', () => {
    const image = { height: 50, width: 50, channels: 3 };
    const clean = grey(50 * 50 * 3);
    const out = addSaltAndPepper(clean, image, 0.2, 1);
    let changed = 0;
    for (let p = 0; p < 2500; p++) {
      const px = out.subarray(p * 3, p * 3 + 3);
      if (px[0] === 0.5) continue;
      changed++;
      expect([0, 1]).toContain(px[0]);
      expect(px[1]).toBe(px[0]);
      expect(px[2]).toBe(px[0]);
    }
    expect(changed / 2500).toBeGreaterThan(0.17);
    expect(changed / 2500).toBeLessThan(0.23);
  });

  it('a rectangle hole is 60–100 % of `size` on each side; a blotch is irregular and about `size` across', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rect = randomMask(IMAGE, { shape: 'rectangles', count: 1, size: 0.5 }, seed);
      const box = bounds(rect, 28);
      expect(hiddenCount(rect)).toBe(box.height * box.width);
      for (const side of [box.height, box.width]) {
        expect(side).toBeGreaterThanOrEqual(8);
        expect(side).toBeLessThanOrEqual(14);
      }
      const blotch = randomMask(IMAGE, { shape: 'blotches', count: 1, size: 0.5 }, seed);
      const b = bounds(blotch, 28);
      expect(Math.max(b.height, b.width)).toBeLessThanOrEqual(Math.ceil(28 * 0.5 * 1.4));
      expect(Math.max(b.height, b.width)).toBeGreaterThanOrEqual(4);
      expect(hiddenCount(blotch)).toBeLessThan(b.height * b.width);
    }
    // More and larger holes hide more.
    const area = (count: number, size: number) => hiddenCount(randomMask(IMAGE, { shape: 'rectangles', count, size }, 9));
    expect(area(4, 0.3)).toBeGreaterThan(area(1, 0.3));
    expect(area(1, 0.6)).toBeGreaterThan(area(1, 0.2));
  });

  it('masks hide every channel with zeros or noise; the masked error counts the hidden pixels only', () => {
    const image = { height: 4, width: 4, channels: 2 };
    const clean = grey(32, 0.5);
    const hidden = rectangleMask(image, [{ top: 1, left: 1, height: 2, width: 10 }]);
    expect(Array.from(hidden)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0]);
    const zeros = applyMask(clean, image, hidden, 'zeros');
    expect(maskedError(zeros, clean, image, hidden)).toBeCloseTo(0.25, 6);
    expect(meanSquaredError(zeros, clean)).toBeCloseTo((0.25 * 12) / 32, 6);
    const noise = applyMask(clean, image, hidden, 'noise', 2);
    expect(noise.filter((v, k) => hidden[k >> 1] === 0 && v !== 0.5)).toHaveLength(0);
    expect(new Set(noise.filter((_, k) => hidden[k >> 1] === 1)).size).toBe(12);
    expect(maskedError(clean, clean, image, new Uint8Array(16))).toBe(0);
  });

  it('corruptImage applies a chain and reports the hidden pixels; the same seed, the same image', () => {
    const clean = grey(28 * 28);
    const chain = [
      { kind: 'mask' as const, shape: 'blotches' as const, count: 3, size: 0.3, fill: 'zeros' as const },
      { kind: 'gaussian' as const, stddev: 0.1 },
    ];
    const a = corruptImage(clean, IMAGE, chain, 11);
    expect(corruptImage(clean, IMAGE, chain, 11)).toEqual(a);
    expect(a.hidden).not.toBeNull();
    expect(hiddenCount(a.hidden!)).toBeGreaterThan(10);
    // Hidden pixels are 0 plus noise, not clipped (as in training): about 0 on average, some below.
    const hiddenValues = a.pixels.filter((_, p) => a.hidden![p]);
    expect(Math.abs(hiddenValues.reduce((s, v) => s + v, 0) / hiddenValues.length)).toBeLessThan(0.03);
    expect(Math.min(...hiddenValues)).toBeLessThan(0);
    expect(corruptImage(clean, IMAGE, [{ kind: 'gaussian', stddev: 0.1 }], 11).hidden).toBeNull();
  });

  it('dropout keeps about 1 − rate of the values, scaled by 1 / (1 − rate)', () => {
    const keep = new Float32Array(10_000);
    corruptRow({ kind: 'dropout', rate: 0.25 }, [10_000], seededRandom(1), keep, null);
    const kept = keep.filter((v) => v !== 0);
    expect(kept.length / 10_000).toBeGreaterThan(0.73);
    expect(kept.length / 10_000).toBeLessThan(0.77);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
  });

  it('mixSeed separates nearby and large seeds; bytes round-trip', () => {
    const seeds = new Set<number>();
    for (let a = 0; a < 20; a++) for (let b = 0; b < 20; b++) seeds.add(mixSeed(a, b));
    expect(seeds.size).toBe(400);
    expect(mixSeed(2 ** 32 + 1)).not.toBe(mixSeed(1));
    const bytes = Uint8Array.from([0, 1, 128, 254, 255]);
    expect(bytePixels(unitPixels(bytes))).toEqual(bytes);
  });
});
