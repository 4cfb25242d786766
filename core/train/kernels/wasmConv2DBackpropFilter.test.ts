import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './wasmConv2DBackpropFilter';

registerWasmTrainingKernels();

/** The gradient of sum(conv2d(x, w) · r) with respect to w, on one backend. */
async function filterGradient(backend: string, c: { x: number[]; xShape: number[]; w: number[]; wShape: number[]; r: number[]; strides: number; pad: 'same' | 'valid' }) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.xShape as [number, number, number, number]);
    const w = tf.tensor4d(c.w, c.wShape as [number, number, number, number]);
    const grad = tf.grad((filter: tf.Tensor) => {
      const y = tf.conv2d(x, filter as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(c.r, y.shape)));
    })(w);
    return { shape: grad.shape, values: Array.from(grad.dataSync()) };
  });
}

const random = (n: number, seed: number) => Array.from(tf.randomUniform([n], -1, 1, 'float32', seed).dataSync());

describe('wasm Conv2DBackpropFilter', () => {
  it.each<{ name: string; xShape: number[]; wShape: number[]; strides: number; pad: 'same' | 'valid' }>([
    { name: 'same padding, stride 1', xShape: [2, 7, 6, 3], wShape: [3, 3, 3, 4], strides: 1, pad: 'same' as const },
    { name: 'same padding, stride 2', xShape: [3, 9, 8, 2], wShape: [3, 3, 2, 5], strides: 2, pad: 'same' as const },
    { name: 'valid padding, 5×5 kernel', xShape: [2, 10, 11, 1], wShape: [5, 5, 1, 3], strides: 1, pad: 'valid' as const },
    { name: 'valid padding, stride 3', xShape: [1, 12, 12, 4], wShape: [2, 2, 4, 6], strides: 3, pad: 'valid' as const },
  ])('matches the cpu backend: $name', async ({ xShape, wShape, strides, pad }) => {
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    await tf.setBackend('cpu');
    const outShape = tf.conv2d(tf.zeros<tf.Rank>(xShape) as tf.Tensor4D, tf.zeros<tf.Rank>(wShape) as tf.Tensor4D, strides as [number, number] | number, pad).shape as number[];
    const c = { xShape: xShape as number[], wShape: wShape as number[], strides, pad, x: random(size(xShape), 1), w: random(size(wShape), 2), r: random(size(outShape), 3) };
    const cpu = await filterGradient('cpu', c);
    const wasm = await filterGradient('wasm', c);
    expect(wasm.shape).toEqual(wShape);
    expect(wasm.values).toHaveLength(cpu.values.length);
    const worst = Math.max(...wasm.values.map((v, i) => Math.abs(v - cpu.values[i]!)));
    expect(worst).toBeLessThan(1e-4);
  });
});
