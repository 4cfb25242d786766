import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';

registerWasmTrainingKernels();

/** The gradient of sum(maxPool(x) · r) with respect to x on one backend. */
async function poolGradient(backend: string, x: number[], xShape: number[], r: number[], size: number, strides: number, pad: 'same' | 'valid') {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const input = tf.tensor4d(x, xShape as [number, number, number, number]);
    const dx = tf.grad((t: tf.Tensor) => {
      const y = tf.maxPool(t as tf.Tensor4D, size, strides, pad);
      return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
    })(input);
    return Array.from(dx.dataSync());
  });
}

// tfjs-backend-wasm 4.22's own MaxPoolGrad is wrong for most images and channels of most shapes
// (it fails these tests); ours replaces it.
describe('wasm MaxPoolGrad', () => {
  it.each<{ xShape: number[]; size: number; strides: number; pad: 'same' | 'valid'; ties: boolean }>([
    { xShape: [2, 8, 8, 3], size: 2, strides: 2, pad: 'valid', ties: false },
    { xShape: [2, 7, 9, 4], size: 2, strides: 2, pad: 'same', ties: false },
    { xShape: [1, 9, 9, 2], size: 3, strides: 2, pad: 'same', ties: false },
    { xShape: [2, 8, 8, 5], size: 2, strides: 2, pad: 'valid', ties: true },
    { xShape: [1, 6, 6, 3], size: 3, strides: 1, pad: 'same', ties: true },
  ])('matches the cpu backend in every channel: $xShape, $size×$size /$strides $pad, ties $ties', async ({ xShape, size, strides, pad, ties }) => {
    await tf.setBackend('cpu');
    const n = xShape.reduce((a, b) => a * b, 1);
    // Rounded values make windows with several equal maxima (as ReLU's zeros do in training).
    const x = Array.from(tf.randomUniform([n], -1, 1, 'float32', 7).dataSync(), (v) => (ties ? Math.max(0, Math.round(v * 2)) : v));
    const outShape = tf.maxPool(tf.zeros(xShape as [number, number, number, number]) as tf.Tensor4D, size, strides, pad).shape;
    const r = Array.from(tf.randomUniform([outShape.reduce((a, b) => a * b, 1)], 0.5, 1.5, 'float32', 8).dataSync());
    const cpu = await poolGradient('cpu', x, xShape, r, size, strides, pad);
    const wasm = await poolGradient('wasm', x, xShape, r, size, strides, pad);
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i]!, 5));
    // Every window sends its dy to exactly one input (with overlapping windows, possibly the same one).
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(wasm)).toBeCloseTo(sum(r), 3);
  });
});
