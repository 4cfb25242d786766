/** A plan's starting parameters: Glorot-uniform kernels, zero biases, batch norm at identity; seeded. */
import { mixSeed } from '../train/corruption';
import { seededRandom } from '../train/random';
import type { ParamSpec } from './blocks/types';

/** Keras' fans: [in, out] for a dense kernel; a convolution's channels times its window. */
function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

export function initialValue(spec: ParamSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (spec.init === 'ones') return out.fill(1);
  if (spec.init === 'zeros') return out;
  const [fanIn, fanOut] = fans(spec.shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const random = seededRandom(seed);
  for (let i = 0; i < size; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}

/** Every parameter's first value: each from its own stream (the graph's seed, the parameter's place). */
export function initialParams(specs: readonly ParamSpec[], seed: number): { name: string; shape: number[]; data: Float32Array }[] {
  return specs.map((s, i) => ({ name: s.name, shape: [...s.shape], data: initialValue(s, mixSeed(seed, 0x1417, i)) }));
}
