import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { registerDeviceGradients } from './deviceGradients';

/** The gradient of a mean and a sum of x, and the bytes of host arrays made into tensors while computing it (kernels' outputs are not). */
function gradientAndUploads(x: tf.Tensor4D) {
  const engine = tf.engine() as unknown as { makeTensor: (...args: unknown[]) => unknown };
  const makeTensor = engine.makeTensor;
  let bytes = 0;
  const spy = vi.spyOn(engine, 'makeTensor').mockImplementation((...args: unknown[]) => {
    bytes += (args[0] as { byteLength?: number } | null)?.byteLength ?? 0;
    return makeTensor.apply(engine, args);
  });
  const grad = tf.grad((t: tf.Tensor) => tf.add(tf.mean(tf.square(t)), tf.sum(tf.mul(tf.sum(t, [1, 2]), 0.5))))(x);
  spy.mockRestore();
  return { grad: grad.dataSync(), bytes };
}

describe('device gradients of Mean and Sum', () => {
  it('give tfjs\'s values and upload no batch-sized array of ones', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomUniform([16, 12, 12, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const before = gradientAndUploads(x);
    registerDeviceGradients();
    const after = gradientAndUploads(x);
    expect(Array.from(after.grad)).toEqual(Array.from(before.grad));
    // tfjs's own uploaded ones(x.shape) for each: two batches' worth of floats.
    expect(before.bytes).toBeGreaterThanOrEqual(2 * x.size * 4);
    expect(after.bytes).toBeLessThan(64);
  });
});
