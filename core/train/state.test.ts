import { describe, expect, it } from 'vitest';
import { flatLayout } from '../compile/flatParams';
import { flatOptimizerState, namedOptimizerState } from './state';

const layout = flatLayout([
  { name: 'dense-3/kernel', shape: [2, 3], init: 'glorot-uniform', trainable: true },
  { name: 'dense-3/bias', shape: [3], init: 'zeros', trainable: true },
]);

describe('the optimizer state of a checkpoint', () => {
  it('names each slot per weight as tfjs did, after the step count, and reads it back flat', () => {
    const m = Float32Array.from({ length: 9 }, (_, i) => i);
    const v = Float32Array.from({ length: 9 }, (_, i) => -i);
    const named = namedOptimizerState(['m', 'v'], [m, v], layout, 42);
    expect(named.map((t) => `${t.name}:${t.shape.join('x')}`)).toEqual(['iter:', 'dense-3/kernel/m:2x3', 'dense-3/bias/m:3', 'dense-3/kernel/v:2x3', 'dense-3/bias/v:3']);
    expect(named[0]!.data[0]).toBe(42);
    const [m2, v2] = flatOptimizerState(named, ['m', 'v'], layout);
    expect(Array.from(m2!)).toEqual(Array.from(m));
    expect(Array.from(v2!)).toEqual(Array.from(v));
  });

  it('reads a first-engine checkpoint whose variables tfjs suffixed (_1), starts a slot it lacks at zero, and names a misshapen one', () => {
    const saved = [
      { name: 'iter', shape: [], data: Float32Array.of(7) },
      { name: 'dense-3/kernel_1/momentum', shape: [2, 3], data: new Float32Array(6).fill(1) },
      { name: 'dense-3/bias_1/momentum', shape: [3], data: new Float32Array(3).fill(2) },
    ];
    expect(Array.from(flatOptimizerState(saved, ['momentum'], layout)[0]!)).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2]);
    expect(Array.from(flatOptimizerState(saved, ['rms'], layout)[0]!)).toEqual(new Array(9).fill(0));
    const bad = [{ name: 'dense-3/kernel/m', shape: [3, 2], data: new Float32Array(6) }, { name: 'dense-3/bias/m', shape: [3], data: new Float32Array(3) }];
    expect(() => flatOptimizerState(bad, ['m'], layout)).toThrow('checkpoint optimizer state m of dense-3/kernel are 3×2, the model needs 2×3');
  });
});
