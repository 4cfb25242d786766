import { ACTIVATION_HELP, ACTIVATIONS, type Activation, type ParamField, defineBlock } from './types';

const passThrough = (input: readonly number[] | null) => (input ? { ok: true as const, shape: input } : { ok: false as const, error: 'needs an input' });

export interface DropoutParams {
  rate: number;
}
const dropoutFields: ParamField[] = [{ name: 'rate', label: 'Rate', type: 'float', min: 0, max: 0.95, help: 'Share of values zeroed at random each training step (the rest scaled up); 0.1–0.3 is usual, too much slows learning.' }];

export const dropoutBlock = defineBlock<DropoutParams>({
  kind: 'Dropout',
  label: 'Dropout',
  group: 'encoder',
  description: 'Zeroes a random share of values while training.',
  inputs: 1,
  defaults: { rate: 0.2 },
  fields: dropoutFields,
  outputShape: passThrough,
  paramCount: () => 0,
  summary: (p) => `rate ${p.rate}`,
  trainingOnly: true,
});

export interface GaussianNoiseParams {
  stddev: number;
}
const noiseFields: ParamField[] = [{ name: 'stddev', label: 'Noise σ', type: 'float', min: 0, max: 5, help: 'Standard deviation of the noise added to pixels in [0, 1]: 0.3 is strong; too much leaves nothing to recover.' }];

/** Denoising corruption: noise on the input while training only; the target stays clean. */
export const gaussianNoiseBlock = defineBlock<GaussianNoiseParams>({
  kind: 'GaussianNoise',
  label: 'GaussianNoise',
  group: 'encoder',
  description: 'Adds Gaussian noise while training (denoising autoencoders).',
  inputs: 1,
  defaults: { stddev: 0.3 },
  fields: noiseFields,
  outputShape: passThrough,
  paramCount: () => 0,
  summary: (p) => `σ ${p.stddev}`,
  trainingOnly: true,
});

export const batchNormBlock = defineBlock<Record<string, never>>({
  kind: 'BatchNorm',
  label: 'BatchNorm',
  group: 'utility',
  description: 'Normalises each channel over the batch.',
  inputs: 1,
  defaults: {},
  fields: [],
  outputShape: passThrough,
  // γ, β (trainable) and the moving mean and variance, per channel, as countParams counts them.
  paramCount: (input) => 4 * (input[input.length - 1] ?? 0),
  summary: () => '',
});

export interface ActivationParams {
  activation: Activation;
}
const activationFields: ParamField[] = [{ name: 'activation', label: 'Activation', type: 'enum', options: ACTIVATIONS, help: ACTIVATION_HELP }];

export const activationBlock = defineBlock<ActivationParams>({
  kind: 'Activation',
  label: 'Activation',
  group: 'utility',
  description: 'Applies a non-linearity on its own.',
  inputs: 1,
  defaults: { activation: 'relu' },
  fields: activationFields,
  outputShape: passThrough,
  paramCount: () => 0,
  summary: (p) => p.activation,
});
