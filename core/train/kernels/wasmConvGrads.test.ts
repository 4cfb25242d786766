import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';

registerWasmTrainingKernels();

interface Case {
  x: number[];
  xShape: number[];
  w: number[];
  wShape: number[];
  r: number[];
  strides: number;
  pad: 'same' | 'valid';
}

/** The gradients of sum(conv2d(x, w) · r) with respect to x and to w, on one backend. */
async function gradients(backend: string, c: Case) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.xShape as [number, number, number, number]);
    const w = tf.tensor4d(c.w, c.wShape as [number, number, number, number]);
    const [dx, dw] = tf.grads((input: tf.Tensor, filter: tf.Tensor) => {
      const y = tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(c.r, y.shape)));
    })([x, w]);
    return { dx: { shape: dx!.shape, values: Array.from(dx!.dataSync()) }, dw: { shape: dw!.shape, values: Array.from(dw!.dataSync()) } };
  });
}

/** conv2dTranspose's forward pass (Conv2DBackpropInput), on one backend. */
async function transposed(backend: string, c: { x: number[]; xShape: number[]; w: number[]; wShape: number[]; outShape: number[]; strides: number; pad: 'same' | 'valid' }) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const y = tf.conv2dTranspose(tf.tensor4d(c.x, c.xShape as [number, number, number, number]), tf.tensor4d(c.w, c.wShape as [number, number, number, number]), c.outShape as [number, number, number, number], c.strides, c.pad);
    return { shape: y.shape, values: Array.from(y.dataSync()) };
  });
}

const random = (n: number, seed: number) => Array.from(tf.randomUniform([n], -1, 1, 'float32', seed).dataSync());
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const worstDifference = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe('wasm convolution gradients', () => {
  it.each<{ name: string; xShape: number[]; wShape: number[]; strides: number; pad: 'same' | 'valid' }>([
    { name: 'same padding, stride 1', xShape: [2, 7, 6, 3], wShape: [3, 3, 3, 4], strides: 1, pad: 'same' as const },
    { name: 'same padding, stride 1, one output channel', xShape: [2, 8, 8, 5], wShape: [3, 3, 5, 1], strides: 1, pad: 'same' as const },
    { name: 'same padding, 4×4 kernel (uneven padding)', xShape: [2, 9, 7, 2], wShape: [4, 4, 2, 3], strides: 1, pad: 'same' as const },
    { name: 'same padding, stride 2', xShape: [3, 9, 8, 2], wShape: [3, 3, 2, 5], strides: 2, pad: 'same' as const },
    { name: 'valid padding, 5×5 kernel', xShape: [2, 10, 11, 1], wShape: [5, 5, 1, 3], strides: 1, pad: 'valid' as const },
    { name: 'valid padding, stride 3', xShape: [1, 12, 12, 4], wShape: [2, 2, 4, 6], strides: 3, pad: 'valid' as const },
  ])('match the cpu backend: $name', async ({ xShape, wShape, strides, pad }) => {
    await tf.setBackend('cpu');
    const outShape = tf.conv2d(tf.zeros<tf.Rank>(xShape) as tf.Tensor4D, tf.zeros<tf.Rank>(wShape) as tf.Tensor4D, strides as [number, number] | number, pad).shape as number[];
    const c = { xShape, wShape, strides, pad, x: random(size(xShape), 1), w: random(size(wShape), 2), r: random(size(outShape), 3) };
    const cpu = await gradients('cpu', c);
    const wasm = await gradients('wasm', c);
    expect(wasm.dw.shape).toEqual(wShape);
    expect(wasm.dx.shape).toEqual(xShape);
    expect(worstDifference(wasm.dw.values, cpu.dw.values)).toBeLessThan(1e-4);
    expect(worstDifference(wasm.dx.values, cpu.dx.values)).toBeLessThan(1e-4);
  });

  it.each<{ xShape: number[]; wShape: number[]; outShape: number[]; strides: number; pad: 'same' | 'valid' }>([
    { xShape: [2, 7, 7, 4], wShape: [3, 3, 3, 4], outShape: [2, 14, 14, 3], strides: 2, pad: 'same' },
    { xShape: [2, 5, 6, 2], wShape: [3, 3, 1, 2], outShape: [2, 5, 6, 1], strides: 1, pad: 'same' },
    { xShape: [1, 4, 4, 3], wShape: [2, 2, 2, 3], outShape: [1, 8, 8, 2], strides: 2, pad: 'valid' },
  ])('conv2dTranspose matches the cpu backend: $xShape → $outShape', async (c) => {
    const data = { ...c, x: random(size(c.xShape), 4), w: random(size(c.wShape), 5) };
    const cpu = await transposed('cpu', data);
    const wasm = await transposed('wasm', data);
    expect(wasm.shape).toEqual(c.outShape);
    expect(worstDifference(wasm.values, cpu.values)).toBeLessThan(1e-4);
  });

  it('leaves no tensor or wasm memory behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 12, 12, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 8]) as tf.Tensor4D;
    const step = (strides: number) => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, 'same')))([x, w]).forEach((g) => g.dataSync()));
    step(1);
    step(2);
    const before = tf.memory();
    for (let i = 0; i < 20; i++) {
      step(1);
      step(2);
    }
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
