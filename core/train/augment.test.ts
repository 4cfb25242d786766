import { describe, expect, it } from 'vitest';
import { NO_AUGMENTATION, type Augmentation } from '../graph/types';
import { augmentBatch, augmentImage, drawTransform, isAugmenting, type ImageTransform } from './augment';

const IDENTITY: ImageTransform = { flipX: false, flipY: false, dx: 0, dy: 0, angle: 0, brightness: 0 };
/** A 4×4 one-channel ramp: pixel (y, x) = (4y + x) / 15. */
const ramp = () => Float32Array.from({ length: 16 }, (_, i) => i / 15);
const apply = (t: Partial<ImageTransform>, src = ramp()) => {
  const dst = new Float32Array(src.length);
  augmentImage(src, dst, 4, 4, 1, { ...IDENTITY, ...t });
  return dst;
};
const at = (img: Float32Array, y: number, x: number) => img[y * 4 + x]!;
const ALL: Augmentation = { horizontalFlip: true, verticalFlip: true, shift: 0.1, rotation: 15, brightness: 0.1 };

describe('augmentation', () => {
  it('the identity leaves an image as it was', () => {
    expect(Array.from(apply({}))).toEqual(Array.from(ramp()).map((v) => expect.closeTo(v, 6)));
  });

  it('flips mirror rows and columns', () => {
    expect(at(apply({ flipX: true }), 1, 0)).toBeCloseTo(at(ramp(), 1, 3), 6);
    expect(at(apply({ flipY: true }), 0, 2)).toBeCloseTo(at(ramp(), 3, 2), 6);
  });

  it('a whole-pixel shift moves the image, repeating the edge', () => {
    const shifted = apply({ dx: 1 });
    expect(at(shifted, 2, 2)).toBeCloseTo(at(ramp(), 2, 1), 6);
    expect(at(shifted, 2, 0)).toBeCloseTo(at(ramp(), 2, 0), 6);
  });

  it('a quarter turn rotates about the centre; brightness adds and clips to [0, 1]', () => {
    const turned = apply({ angle: Math.PI / 2 });
    // Output (y, x) reads source (x', y') with x' = y, y' = 3 − x for this orientation.
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(at(turned, y, x)).toBeCloseTo(at(ramp(), 3 - x, y), 5);
    const brighter = apply({ brightness: 0.5 });
    expect(at(brighter, 0, 0)).toBeCloseTo(0.5, 6);
    expect(at(brighter, 3, 3)).toBe(1);
  });

  it('is seeded: the same seed and step give the same images, another seed or step others', () => {
    const batch = () => Float32Array.from({ length: 3 * 16 }, (_, i) => (i % 16) / 15);
    const run = (seed: number, call: number) => {
      const images = batch();
      augmentBatch(images, 3, [4, 4, 1], ALL, seed, call, new Float32Array(16));
      return Array.from(images);
    };
    expect(run(42, 5)).toEqual(run(42, 5));
    expect(run(42, 5)).not.toEqual(run(43, 5));
    expect(run(42, 5)).not.toEqual(run(42, 6));
    // Each image of the batch has its own draws.
    const rows = run(42, 5);
    expect(rows.slice(0, 16)).not.toEqual(rows.slice(16, 32));
  });

  it('draws within the bounds, and nothing when every setting is off', () => {
    expect(isAugmenting(NO_AUGMENTATION)).toBe(false);
    expect(isAugmenting({ ...NO_AUGMENTATION, brightness: 0.1 })).toBe(true);
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 200; i++) {
      const t = drawTransform(ALL, 28, 28, random);
      expect(Math.abs(t.dx)).toBeLessThanOrEqual(2.8);
      expect(Math.abs(t.angle)).toBeLessThanOrEqual((15 / 180) * Math.PI);
      expect(Math.abs(t.brightness)).toBeLessThanOrEqual(0.1);
      const none = drawTransform(NO_AUGMENTATION, 28, 28, random);
      // −0 and 0 alike: the magnitudes.
      expect(Object.values(none).map((v) => (typeof v === 'number' ? Math.abs(v) : v))).toEqual(Object.values(IDENTITY));
    }
  });
});
