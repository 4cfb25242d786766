import { product, defineBlock } from './types';

export const flattenBlock = defineBlock<Record<string, never>>({
  kind: 'Flatten',
  label: 'Flatten',
  group: 'utility',
  description: 'Unrolls an image into a vector.',
  inputs: 1,
  defaults: {},
  fields: [],
  outputShape: (input) => (input ? { ok: true, shape: [product(input)] } : { ok: false, error: 'needs an input' }),
  paramCount: () => 0,
  summary: () => '',
});
