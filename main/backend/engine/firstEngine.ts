/**
 * The first engine (TensorFlow.js), kept only as the reference the new engine is checked against
 * (parity.test.ts) until it is removed: its weights, optimizer and state as plain tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompiledModel } from '../../../core/compile/compile';
import type { TrainingSettings } from '../../../core/graph/types';
import type { SavedTensor } from '../../../core/train/state';

export function makeOptimizer(settings: TrainingSettings): tf.Optimizer {
  switch (settings.optimizer) {
    case 'sgd':
      return settings.momentum > 0 ? tf.train.momentum(settings.learningRate, settings.momentum) : tf.train.sgd(settings.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(settings.learningRate, 0.9, 0, 1e-7);
    default:
      return tf.train.adam(settings.learningRate, 0.9, 0.999, 1e-7);
  }
}

export async function captureWeights(compiled: CompiledModel): Promise<SavedTensor[]> {
  return Promise.all(compiled.model.weights.map(async (v) => ({ name: v.originalName, shape: v.shape as number[], data: new Float32Array(await v.read().data()) })));
}

export async function captureOptimizer(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const named = await optimizer.getWeights();
  return Promise.all(named.map(async ({ name, tensor }) => ({ name, shape: tensor.shape, data: new Float32Array(await tensor.data()) })));
}
