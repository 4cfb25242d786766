import { denseParamCount, denseShape, MAX_UNITS } from './dense';
import { type ParamField, defineBlock } from './types';

export const SPARSITY_KINDS = ['none', 'l1', 'kl'] as const;
export type Sparsity = (typeof SPARSITY_KINDS)[number];
export const CODE_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

export interface BottleneckParams {
  latentSize: number;
  activation: (typeof CODE_ACTIVATIONS)[number];
  sparsity: Sparsity;
  /** L1 activity penalty weight. */
  l1Weight: number;
  /** KL sparsity: target mean activation and penalty weight. */
  rho: number;
  klWeight: number;
}

const fields: ParamField[] = [
  { name: 'latentSize', label: 'Code size', type: 'int', min: 1, max: MAX_UNITS, help: 'Numbers per image in the code: smaller compresses more but blurs; as large as the input, it can learn to copy.' },
  { name: 'activation', label: 'Code activation', type: 'enum', options: CODE_ACTIVATIONS, help: 'linear is usual; sigmoid keeps the code in (0, 1), which KL sparsity needs.' },
  { name: 'sparsity', label: 'Sparsity', type: 'enum', options: SPARSITY_KINDS, help: 'L1: penalise code magnitudes. KL: push each unit\'s mean activation to ρ (needs a sigmoid code).' },
  { name: 'l1Weight', label: 'L1 weight', type: 'float', min: 0, max: 10, visible: (p) => p.sparsity === 'l1', help: 'How hard code magnitudes are penalised: higher gives sparser codes and blurrier reconstructions.' },
  { name: 'rho', label: 'Target activation ρ', type: 'float', min: 0.001, max: 0.999, visible: (p) => p.sparsity === 'kl', help: "The target mean activation of each code unit over the images: 0.05 means on for about 5 % of them." },
  { name: 'klWeight', label: 'KL weight', type: 'float', min: 0, max: 100, visible: (p) => p.sparsity === 'kl', help: "How hard each unit's mean activation is pulled to ρ; too high switches units off for good." },
];

/** The latent code: a Dense layer whose output is what the encoder model returns. */
export const bottleneckBlock = defineBlock<BottleneckParams>({
  kind: 'Bottleneck',
  label: 'Bottleneck',
  group: 'bottleneck',
  description: 'The latent code, optionally sparse (L1 or KL).',
  inputs: 1,
  defaults: { latentSize: 32, activation: 'linear', sparsity: 'none', l1Weight: 1e-4, rho: 0.05, klWeight: 1 },
  fields,
  check: (p) => (p.sparsity === 'kl' && p.activation !== 'sigmoid' ? ['KL sparsity needs a sigmoid code activation (activations in (0, 1))'] : []),
  outputShape: (input, p) => denseShape(input, p.latentSize),
  paramCount: (input, p) => denseParamCount(input, p.latentSize),
  summary: (p) =>
    `code ${p.latentSize}${p.sparsity === 'l1' ? ` · L1 ${p.l1Weight}` : p.sparsity === 'kl' ? ` · KL ρ=${p.rho}` : ''}`,
});
