import { denseParamCount, denseShape, MAX_UNITS } from './dense';
import { type ParamField, defineBlock } from './types';

export interface VariationalBottleneckParams {
  latentSize: number;
  /** Weight of the KL term (β-VAE). */
  beta: number;
  /** Epochs over which the KL weight rises linearly from 0 to β. */
  klWarmupEpochs: number;
}

const fields: ParamField[] = [
  { name: 'latentSize', label: 'Code size', type: 'int', min: 1, max: MAX_UNITS, help: 'Dimensions of the latent space; 2 can be plotted as is, more are projected.' },
  { name: 'beta', label: 'β (KL weight)', type: 'float', min: 0, max: 100, help: 'Trades reconstruction for a smoother latent space: higher gives blurrier images but better samples and paths.' },
  { name: 'klWarmupEpochs', label: 'KL warm-up epochs', type: 'int', min: 0, max: 1000, help: 'Epochs over which the KL weight rises from 0 to β, so the code learns to reconstruct before it is pulled to the prior.' },
];

/**
 * Mean and log-variance heads (two Dense layers on the same input) and a sampling step,
 * z = μ + exp(½·log σ²)·ε, that is the mean itself outside training.
 */
export const variationalBottleneckBlock = defineBlock<VariationalBottleneckParams>({
  kind: 'VariationalBottleneck',
  label: 'Variational bottleneck',
  group: 'bottleneck',
  description: 'Mean and log-variance heads with reparameterised sampling (VAE).',
  inputs: 1,
  defaults: { latentSize: 16, beta: 1, klWarmupEpochs: 0 },
  fields,
  outputShape: (input, p) => denseShape(input, p.latentSize),
  paramCount: (input, p) => 2 * denseParamCount(input, p.latentSize),
  summary: (p) => `μ, log σ² · ${p.latentSize} · β ${p.beta}`,
});
