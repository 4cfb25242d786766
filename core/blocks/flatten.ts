import { product, type BlockSpec } from './types';

export const flattenBlock: BlockSpec<Record<string, never>> = {
  kind: 'Flatten',
  label: 'Flatten',
  group: 'utility',
  description: 'Unrolls an image into a vector.',
  inputs: 1,
  defaults: {},
  fields: [],
  checkParams: () => [],
  outputShape: (input) => (input ? { ok: true, shape: [product(input)] } : { ok: false, error: 'needs an input' }),
  paramCount: () => 0,
  summary: () => '',
};
