/**
 * Graphs beyond the templates for the engine's tests: every block kind and activation, asymmetric
 * `same` pads in both directions, a transposed convolution with a kernel shorter than its stride,
 * pooling with overlapping windows, batch norm on images and on vectors, both sparsity penalties
 * and a VAE, and an odd, non-square colour image.
 */
import type { BlockKind, GraphDoc } from '../../../core/graph/types';
import { chainGraph } from '../../../core/templates/undercomplete';

const b = (kind: BlockKind, params: Record<string, unknown> = {}) => ({ kind, params });

export function everyBlock(bottleneck: Record<string, unknown> = { latentSize: 10, activation: 'sigmoid', sparsity: 'kl', rho: 0.1, klWeight: 0.5 }): GraphDoc {
  return chainGraph('Every block', [
    b('Input', { height: 28, width: 28, channels: 1 }),
    b('GaussianNoise', { stddev: 0.2 }),
    b('RandomMask', { shape: 'blotches', count: 2, size: 0.3, fill: 'noise' }),
    b('Conv2D', { filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }), // 28 → 14, pads 0/1
    b('BatchNorm'),
    b('MaxPool2D', { poolSize: 3, strides: 2, padding: 'same' }), // 14 → 7, overlapping windows
    b('Conv2D', { filters: 4, kernelSize: 2, strides: 1, padding: 'valid', activation: 'selu' }), // 7 → 6
    b('Activation', { activation: 'tanh' }),
    b('Dropout', { rate: 0.3 }),
    b('Flatten'),
    b('BatchNorm'),
    b('Bottleneck', bottleneck),
    b('Dense', { units: 36, activation: 'selu' }),
    b('Reshape', { targetShape: [3, 3, 4] }),
    b('Conv2DTranspose', { filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }), // 3 → 7
    b('UpSampling2D', { size: 2 }), // 7 → 14
    b('Conv2DTranspose', { filters: 5, kernelSize: 1, strides: 2, padding: 'same', activation: 'elu' }), // 14 → 28, k < s
    b('BatchNorm'),
    b('Conv2DTranspose', { filters: 1, kernelSize: 4, strides: 1, padding: 'same', activation: 'sigmoid' }), // pads 1/2
    b('Output', { loss: 'bce' }),
  ]);
}

/** everyBlock with a VAE bottleneck (β 1.5) in place of the sparse one. */
export function everyBlockVae(): GraphDoc {
  const doc = everyBlock();
  const node = doc.nodes.find((n) => n.kind === 'Bottleneck')!;
  node.kind = 'VariationalBottleneck';
  node.params = { latentSize: 10, beta: 1.5, klWarmupEpochs: 0 };
  return doc;
}

/** An odd, non-square colour image: asymmetric pads that differ per axis, a VAE code, MSE. */
export function oddImage(): GraphDoc {
  return chainGraph('Odd image', [
    b('Input', { height: 17, width: 23, channels: 3 }),
    b('Conv2D', { filters: 4, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }), // 9×12
    b('MaxPool2D', { poolSize: 2, strides: 1, padding: 'same' }),
    b('Conv2DTranspose', { filters: 3, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }), // 18×24
    b('Flatten'),
    b('Dropout', { rate: 0.2 }),
    b('VariationalBottleneck', { latentSize: 8, beta: 2, klWarmupEpochs: 0 }),
    b('Dense', { units: 17 * 23 * 3, activation: 'linear' }),
    b('Reshape', { targetShape: [17, 23, 3] }),
    b('Conv2D', { filters: 3, kernelSize: 3, strides: 1, padding: 'same', activation: 'linear' }),
    b('BatchNorm'),
    b('Activation', { activation: 'sigmoid' }),
    b('Output', { loss: 'mse' }),
  ]);
}

/** L1 sparsity on a relu code, RMS-sized: the other penalty. */
export function l1Sparse(): GraphDoc {
  return chainGraph('L1 sparse', [
    b('Input', { height: 12, width: 12, channels: 1 }),
    b('Flatten'),
    b('Dense', { units: 32, activation: 'relu' }),
    b('Bottleneck', { latentSize: 16, activation: 'relu', sparsity: 'l1', l1Weight: 0.3 }),
    b('Dense', { units: 144, activation: 'sigmoid' }),
    b('Reshape', { targetShape: [12, 12, 1] }),
    b('Output', { loss: 'bce' }),
  ]);
}
