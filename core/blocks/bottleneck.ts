import { denseParamCount, denseShape, MAX_UNITS } from './dense';
import { checkInt, type BlockSpec } from './types';

export interface BottleneckParams {
  latentSize: number;
}

/** The latent code: a linear Dense layer whose output is what the encoder model returns. */
export const bottleneckBlock: BlockSpec<BottleneckParams> = {
  kind: 'Bottleneck',
  label: 'Bottleneck',
  group: 'bottleneck',
  inputs: 1,
  defaults: { latentSize: 32 },
  fields: [{ name: 'latentSize', label: 'Code size', type: 'int', min: 1, max: MAX_UNITS }],
  checkParams: (p) => checkInt('Code size', p.latentSize, 1, MAX_UNITS),
  outputShape: (input, p) => denseShape(input, p.latentSize),
  paramCount: (input, p) => denseParamCount(input, p.latentSize),
  summary: (p) => `code ${p.latentSize}`,
};
