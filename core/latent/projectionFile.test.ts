import { describe, expect, it } from 'vitest';
import type { LatentProjection } from '../train/events';
import { decodeProjection, encodeProjection } from './projectionFile';

const projection = (count: number): LatentProjection => ({
  method: 'pca',
  x: Array.from({ length: count }, (_, i) => Math.fround(Math.sin(i) * 3.25)),
  y: Array.from({ length: count }, (_, i) => Math.fround(-i / 7)),
  labels: Array.from({ length: count }, (_, i) => i % 10),
  explained: [0.55, 0.19],
});

describe('latent projection files', () => {
  it('read back what was written, at 10 bytes a point plus a small header', () => {
    const p = projection(7000);
    const bytes = encodeProjection(p);
    expect(bytes.length).toBeLessThan(7000 * 10 + 128);
    expect(bytes.length).toBeLessThan(JSON.stringify(p).length / 3);
    expect(decodeProjection(bytes)).toEqual(p);
  });

  it('keep a raw 2-D code without an explained share, and an empty projection', () => {
    const raw: LatentProjection = { method: 'raw', x: [0.5], y: [-1], labels: [3] };
    expect(decodeProjection(encodeProjection(raw))).toEqual(raw);
    const empty: LatentProjection = { method: 'pca', x: [], y: [], labels: [] };
    expect(decodeProjection(encodeProjection(empty))).toEqual(empty);
  });

  it('say what is wrong with a damaged file', () => {
    const bytes = encodeProjection(projection(10));
    expect(() => decodeProjection(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    expect(() => decodeProjection(new TextEncoder().encode('{"method":"pca"}'))).toThrow(/BNLP/);
    const future = encodeProjection(projection(1));
    const text = new TextDecoder().decode(future).replace('"version":1', '"version":9');
    expect(() => decodeProjection(new TextEncoder().encode(text))).toThrow(/version 9 is newer/);
  });
});
