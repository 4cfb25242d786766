import { type ParamField, defineBlock } from './types';

export const RECONSTRUCTION_LOSSES = ['bce', 'mse'] as const;
export type ReconstructionLoss = (typeof RECONSTRUCTION_LOSSES)[number];

export interface OutputParams {
  loss: ReconstructionLoss;
}

const fields: ParamField[] = [
  { name: 'loss', label: 'Reconstruction loss', type: 'enum', options: RECONSTRUCTION_LOSSES, help: 'How the output is compared with the clean image: BCE (needs a sigmoid before it) usually gives sharper images, MSE is the plain squared error.' },
];

/** The reconstruction: passes its input through; the graph check compares it with the Input's shape. */
export const outputBlock = defineBlock<OutputParams>({
  kind: 'Output',
  label: 'Output',
  group: 'output',
  description: 'The reconstruction and its loss.',
  inputs: 1,
  defaults: { loss: 'bce' },
  fields,
  outputShape: (input) => (input ? { ok: true, shape: input } : { ok: false, error: 'needs an input' }),
  paramCount: () => 0,
  summary: (p) => `loss ${String(p.loss).toUpperCase()}`,
});
