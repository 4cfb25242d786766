import { describe, expect, it } from 'vitest';
import { liftPoint, pca2d, projectCode } from './pca';
import { fitGaussian, lerpPath, manifoldGrid, normalQuantile, sampleGaussian, slerpPath, standardNormal, traversal } from './sample';

function codesOf(n: number, d: number, seed = 3): Float32Array {
  const g = standardNormal(d);
  const raw = sampleGaussian(g, n, seed);
  const out = new Float32Array(n * d);
  // Stretch two directions so the principal plane is well defined.
  raw.forEach((c, i) => c.forEach((v, j) => (out[i * d + j] = v * (j === 0 ? 5 : j === 3 ? 3 : 0.5) + j)));
  return out;
}

describe('inverse projection', () => {
  it('lifts a point of the scatter to a code in the principal plane that projects back to it (1e-4)', () => {
    const d = 8;
    const codes = codesOf(500, d);
    const { basis, x, y } = pca2d(codes, 500, d);
    for (const [px, py] of [[x[0]!, y[0]!], [1.5, -2.25], [0, 0]] as [number, number][]) {
      const code = liftPoint(basis, px, py);
      const [bx, by] = projectCode(basis, code);
      expect(Math.abs(bx - px)).toBeLessThan(1e-4);
      expect(Math.abs(by - py)).toBeLessThan(1e-4);
      // A code already in the plane comes back as itself.
      const again = liftPoint(basis, bx, by);
      for (let j = 0; j < d; j++) expect(Math.abs(again[j]! - code[j]!)).toBeLessThan(1e-4);
    }
    // The scatter's own points are the projections of their codes.
    const [p0x, p0y] = projectCode(basis, codes.subarray(0, d));
    expect(Math.abs(p0x - x[0]!)).toBeLessThan(1e-4);
    expect(Math.abs(p0y - y[0]!)).toBeLessThan(1e-4);
  });
});

describe('interpolation', () => {
  const a = Float32Array.of(1, 2, -1, 0.5);
  const b = Float32Array.of(-2, 0.5, 3, 1);
  it('both paths start and end at the two codes', () => {
    for (const path of [lerpPath(a, b, 7), slerpPath(a, b, 7)]) {
      expect(path).toHaveLength(7);
      expect(Array.from(path[0]!)).toEqual(Array.from(a).map((v) => expect.closeTo(v, 6)));
      expect(Array.from(path[6]!)).toEqual(Array.from(b).map((v) => expect.closeTo(v, 6)));
    }
  });
  it('slerp keeps the norm between the two ends for codes of equal norm; lerp cuts through the middle', () => {
    const u = Float32Array.of(3, 0, 0);
    const v = Float32Array.of(0, 3, 0);
    const norm = (c: Float32Array) => Math.hypot(...c);
    expect(norm(slerpPath(u, v, 5)[2]!)).toBeCloseTo(3, 5);
    expect(norm(lerpPath(u, v, 5)[2]!)).toBeCloseTo(3 / Math.SQRT2, 5);
  });
});

describe('sampling', () => {
  it('a fixed seed gives identical samples; another seed gives others', () => {
    const g = standardNormal(16);
    const one = sampleGaussian(g, 64, 7, 0.8);
    expect(sampleGaussian(g, 64, 7, 0.8)).toEqual(one);
    expect(sampleGaussian(g, 64, 8, 0.8)).not.toEqual(one);
  });
  it('temperature scales the spread around the mean', () => {
    const g = standardNormal(4);
    const hot = sampleGaussian(g, 1, 5, 1)[0]!;
    const cool = sampleGaussian(g, 1, 5, 0.5)[0]!;
    cool.forEach((v, j) => expect(v).toBeCloseTo(hot[j]! / 2, 6));
  });
  it('a Gaussian fitted to codes gives samples with their mean and covariance', () => {
    const d = 6;
    const n = 4000;
    const codes = codesOf(n, d, 11);
    const g = fitGaussian(codes, n, d);
    expect(g.kind).toBe('full');
    const samples = sampleGaussian(g, n, 12);
    const mean = (j: number, rows: ArrayLike<number>[]) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length;
    const rows = Array.from({ length: n }, (_, i) => codes.subarray(i * d, i * d + d));
    for (let j = 0; j < d; j++) expect(Math.abs(mean(j, samples) - mean(j, rows))).toBeLessThan(0.3);
    const sd = (j: number, rs: ArrayLike<number>[]) => Math.sqrt(rs.reduce((s, r) => s + (r[j]! - mean(j, rs)) ** 2, 0) / rs.length);
    expect(sd(0, samples) / sd(0, rows)).toBeGreaterThan(0.9);
    expect(sd(0, samples) / sd(0, rows)).toBeLessThan(1.1);
  });
});

describe('traversal and the manifold grid', () => {
  it('sweeps one dimension from −3σ to +3σ, leaving the others', () => {
    const rows = traversal([0, 1, 2], [1, 2, 0.5], [1], 7);
    expect(rows[0]!.map((c) => c[1])).toEqual([-5, -3, -1, 1, 3, 5, 7]);
    expect(rows[0]!.every((c) => c[0] === 0 && c[2] === 2)).toBe(true);
  });
  it('places the grid at the normal quantiles, symmetric around 0', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    const grid = manifoldGrid(4);
    expect(grid).toHaveLength(16);
    expect(grid[0]![0]).toBeCloseTo(-grid[3]![0]!, 9);
    expect(grid[0]![1]).toBeGreaterThan(grid[12]![1]!);
  });
});
