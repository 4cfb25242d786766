/**
 * Gradients that stay on the device. tfjs 4.22's gradients of Mean and Sum multiply by
 * ones(x.shape), an array filled on the host and uploaded: on a GPU, every training step sent a
 * batch-sized array of ones (the reconstruction loss is a mean over the batch's pixels). Ours
 * broadcast the incoming gradient on the device instead; the values are the same, bit for bit.
 */
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { Mean, Sum, registerGradient, type GradConfig, type NamedAttrMap } from '@tensorflow/tfjs-core';

/** dy reshaped to x's rank (reduced axes as 1) and broadcast over x's shape. */
function spread(dy: tf.Tensor, x: tf.Tensor, attrs: NamedAttrMap): tf.Tensor {
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const expanded = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
  return tf.broadcastTo(tf.reshape(dy, expanded), x.shape);
}

const MEAN: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!;
    const reduced = tf.util.sizeFromShape(tf.util.parseAxisParam(attrs.axis as number | number[], x.shape).map((a) => x.shape[a]!));
    return { x: () => tf.div(spread(dy as tf.Tensor, x, attrs), reduced) };
  },
};

const SUM: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => ({ x: () => spread(dy as tf.Tensor, saved[0]!, attrs) }),
};

/** Replaces tfjs's Mean and Sum gradients (for every backend: gradients are not per backend). */
export function registerDeviceGradients(): void {
  registerGradient(MEAN);
  registerGradient(SUM);
}
