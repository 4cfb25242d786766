/**
 * The first engine (TensorFlow.js, this folder), kept only as an independent reference the ONNX
 * engine's tests check their gradients and optimizers against (parity.test.ts). No production
 * module imports this folder (scripts/layout.test.ts), and tfjs is a dev dependency.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerKernel, ResizeNearestNeighborGrad, unregisterKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { CompiledModel } from './compile';
import type { TrainingSettings } from '../../../../core/graph/types';
import type { SavedTensor } from '../../../../core/train/state';

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

/**
 * tfjs-backend-cpu 4.22's UpSampling2D gradient reads dy at the image's batch stride, so every image
 * after the first of a batch got a wrong gradient; the first engine trained with this fix (the
 * exact adjoint of nearest-neighbour upsampling by a whole factor, no corner alignment), and the
 * parity tests compare with that engine as it trained.
 */
export function fixCpuUpsamplingGradient(): void {
  const kernelFunc = ((args: { inputs: { images: TensorInfo; dy: TensorInfo }; backend: unknown }) => {
    const backend = args.backend as { data: { get(id: object): { values: ArrayLike<number> } }; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo };
    const { images, dy } = args.inputs;
    const [batch, h, w, c] = images.shape as [number, number, number, number];
    const [, oh, ow] = dy.shape as [number, number, number, number];
    const values = backend.data.get(dy.dataId).values;
    const dx = new Float32Array(batch * h * w * c);
    let from = 0;
    for (let b = 0; b < batch; b++)
      for (let r = 0; r < oh; r++)
        for (let col = 0; col < ow; col++) {
          const to = ((b * h + Math.floor((r * h) / oh)) * w + Math.floor((col * w) / ow)) * c;
          for (let ch = 0; ch < c; ch++) dx[to + ch]! += values[from++]!;
        }
    return backend.makeTensorInfo(images.shape, 'float32', dx);
  }) as unknown as KernelFunc;
  if (getKernel(ResizeNearestNeighborGrad, 'cpu')) unregisterKernel(ResizeNearestNeighborGrad, 'cpu');
  registerKernel({ kernelName: ResizeNearestNeighborGrad, backendName: 'cpu', kernelFunc });
}
