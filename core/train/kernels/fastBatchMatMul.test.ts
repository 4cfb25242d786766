import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';

registerWasmTrainingKernels();

const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

describe('wasm BatchMatMul with transposed operands', () => {
  it.each<{ a: number[]; b: number[]; ta: boolean; tb: boolean }>([
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [2, 7, 5], b: [2, 3, 7], ta: true, tb: true },
    { a: [4, 6, 5], b: [1, 6, 3], ta: true, tb: false },
  ])('matches the cpu backend: a $a (T $ta) · b $b (T $tb)', async ({ a, b, ta, tb }) => {
    await tf.setBackend('cpu');
    const [av, bv] = [random(a, 1).dataSync(), random(b, 2).dataSync()];
    const cpu = tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb);
    const expected = { shape: cpu.shape, values: Array.from(cpu.dataSync()) };
    await tf.setBackend('wasm');
    const wasm = tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb);
    expect(wasm.shape).toEqual(expected.shape);
    Array.from(wasm.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.values[i]!, 5));
  });
});
