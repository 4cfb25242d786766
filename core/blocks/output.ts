import { checkEnum, type BlockSpec } from './types';

export const RECONSTRUCTION_LOSSES = ['bce', 'mse'] as const;
export type ReconstructionLoss = (typeof RECONSTRUCTION_LOSSES)[number];

export interface OutputParams {
  loss: ReconstructionLoss;
}

/** The reconstruction: passes its input through; the graph check compares it with the Input's shape. */
export const outputBlock: BlockSpec<OutputParams> = {
  kind: 'Output',
  label: 'Output',
  group: 'output',
  inputs: 1,
  defaults: { loss: 'bce' },
  fields: [{ name: 'loss', label: 'Reconstruction loss', type: 'enum', options: RECONSTRUCTION_LOSSES }],
  checkParams: (p) => checkEnum('Reconstruction loss', p.loss, RECONSTRUCTION_LOSSES),
  outputShape: (input) => (input ? { ok: true, shape: input } : { ok: false, error: 'needs an input' }),
  paramCount: () => 0,
  summary: (p) => `loss ${String(p.loss).toUpperCase()}`,
};
