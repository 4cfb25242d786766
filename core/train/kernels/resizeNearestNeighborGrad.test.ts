import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerCpuTrainingKernels, registerWasmTrainingKernels } from './register';
import { nearestSources } from './resizeNearestNeighborGrad';

registerCpuTrainingKernels();
registerWasmTrainingKernels();

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);

describe('the gradient of ResizeNearestNeighbor (UpSampling2D)', () => {
  it('maps output rows to the input rows tfjs reads', () => {
    expect(Array.from(nearestSources(3, 6, false, false))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(nearestSources(3, 5, true, false))).toEqual([0, 1, 1, 2, 2]);
    expect(Array.from(nearestSources(4, 6, false, true))).toEqual([0, 1, 1, 2, 3, 3]);
  });

  it.each<{ backend: string; xShape: [number, number, number, number]; size: [number, number]; alignCorners: boolean; halfPixelCenters: boolean }>([
    { backend: 'cpu', xShape: [4, 6, 6, 6], size: [12, 12], alignCorners: false, halfPixelCenters: false },
    { backend: 'cpu', xShape: [3, 5, 4, 2], size: [9, 11], alignCorners: true, halfPixelCenters: false },
    { backend: 'cpu', xShape: [2, 4, 5, 3], size: [7, 10], alignCorners: false, halfPixelCenters: true },
    { backend: 'wasm', xShape: [4, 6, 6, 6], size: [12, 12], alignCorners: false, halfPixelCenters: false },
  ])('is the adjoint of the forward pass on $backend: $xShape → $size, alignCorners $alignCorners, halfPixelCenters $halfPixelCenters', async ({ backend, xShape, size, alignCorners, halfPixelCenters }) => {
    await tf.setBackend(backend);
    // ⟨resize(x), r⟩ = ⟨x, ∇ₓ⟨resize(x), r⟩⟩ for any x and r, image by image across the batch.
    const x = tf.randomUniform(xShape, -1, 1, 'float32', 1) as tf.Tensor4D;
    const r = tf.randomUniform([xShape[0], ...size, xShape[3]], -1, 1, 'float32', 2);
    const resize = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, halfPixelCenters);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(resize(t), r)))(x);
    expect(dx.shape).toEqual(xShape);
    expect(dot(x.dataSync(), dx.dataSync())).toBeCloseTo(dot(resize(x).dataSync(), r.dataSync()), 3);
    // Each output value comes from one input value, so the gradient's total is r's total.
    expect(tf.sum(dx).dataSync()[0]).toBeCloseTo(tf.sum(r).dataSync()[0]!, 3);
  });
});
