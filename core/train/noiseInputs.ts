/**
 * The random tensors a training step reads, drawn on the host: for block stream `seed`, training
 * call `call` (the global step − 1) and row r of the batch, the stream mixSeed(seed, call, r), as
 * the first engine's noise layers drew them. So a run repeats exactly for its seed on any provider,
 * resumes exactly from its step count, and the Lab's corruptions are the training ones.
 */
import type { NoiseSpec } from '../compile/blocks/types';
import { corruptRow, mixSeed } from './corruption';
import { seededRandom } from './random';

/** The keep/add terms of every noise block for `count` rows of training call `call`, by input name. */
export function drawNoise(specs: readonly NoiseSpec[], call: number, count: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    const size = spec.rowShape.reduce((a, b) => a * b, 1);
    const keep = spec.keep ? new Float32Array(count * size) : null;
    const add = spec.add ? new Float32Array(count * size) : null;
    for (let r = 0; r < count; r++) {
      const row = (t: Float32Array | null) => t && t.subarray(r * size, (r + 1) * size);
      corruptRow(spec.corruption, spec.rowShape, seededRandom(mixSeed(spec.seed, call, r)), row(keep), row(add));
    }
    if (spec.keep) out.set(spec.keep, keep!);
    if (spec.add) out.set(spec.add, add!);
  }
  return out;
}
