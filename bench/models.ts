/**
 * The bench's models: the app's undercomplete, convolutional and variational templates, and the
 * three models of the speed issue as GraphDocs (each has a PyTorch twin in reference_torch.py).
 */
import type { BlockKind, GraphDoc } from '../core/graph/types';
import { buildTemplate } from '../core/templates';
import { chainGraph } from '../core/templates/undercomplete';

type Block = { kind: BlockKind; params?: Record<string, unknown> };
const image: Block = { kind: 'Input', params: { height: 28, width: 28, channels: 1 } };
const denseOut: Block[] = [
  { kind: 'Dense', params: { units: 784, activation: 'sigmoid' } },
  { kind: 'Reshape', params: { targetShape: [28, 28, 1] } },
  { kind: 'Output', params: { loss: 'bce' } },
];

/** 784-256-64-256-784, ReLU hidden layers, linear code, sigmoid output. */
export function denseAE(): GraphDoc {
  return chainGraph('Dense AE 784-256-64-256-784', [
    image,
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 256, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 64 } },
    { kind: 'Dense', params: { units: 256, activation: 'relu' } },
    ...denseOut,
  ]);
}

/** Strided convolutions only: conv 16 /2 → conv 32 /2 → code 32 → 7·7·32 → convT 16 /2 → convT 1 /2. */
export function smallConvAE(): GraphDoc {
  const conv = (kind: BlockKind, filters: number, activation: string): Block => ({ kind, params: { filters, kernelSize: 3, strides: 2, padding: 'same', activation } });
  return chainGraph('Small conv AE', [
    image,
    conv('Conv2D', 16, 'relu'),
    conv('Conv2D', 32, 'relu'),
    { kind: 'Flatten' },
    { kind: 'Bottleneck', params: { latentSize: 32 } },
    { kind: 'Dense', params: { units: 7 * 7 * 32, activation: 'relu' } },
    { kind: 'Reshape', params: { targetShape: [7, 7, 32] } },
    conv('Conv2DTranspose', 16, 'relu'),
    conv('Conv2DTranspose', 1, 'sigmoid'),
    { kind: 'Output', params: { loss: 'bce' } },
  ]);
}

/** The classic 784-400-20-400-784 VAE (β 1, one epoch of KL warm-up). */
export function denseVAE(): GraphDoc {
  return chainGraph('Dense VAE 784-400-20-400-784', [
    image,
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 400, activation: 'relu' } },
    { kind: 'VariationalBottleneck', params: { latentSize: 20, beta: 1, klWarmupEpochs: 1 } },
    { kind: 'Dense', params: { units: 400, activation: 'relu' } },
    ...denseOut,
  ]);
}

export const BENCH_MODELS = {
  undercomplete: () => buildTemplate('undercomplete'),
  convolutional: () => buildTemplate('convolutional'),
  variational: () => buildTemplate('variational'),
  'dense-ae': denseAE,
  'small-conv-ae': smallConvAE,
  'dense-vae': denseVAE,
} as const satisfies Record<string, () => GraphDoc>;

export type BenchModel = keyof typeof BENCH_MODELS;
