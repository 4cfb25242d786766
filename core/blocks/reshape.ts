import { product, type Shape, defineBlock } from './types';

export interface ReshapeParams {
  targetShape: number[];
}

function checkTarget(target: unknown): string[] {
  if (!Array.isArray(target) || target.length === 0 || target.length > 3) {
    return ['Target shape must list 1 to 3 sizes'];
  }
  return target.every((d) => Number.isInteger(d) && d >= 1 && d <= 65_536) ? [] : ['Target shape sizes must be whole numbers from 1 to 65536'];
}

export const reshapeBlock = defineBlock<ReshapeParams>({
  kind: 'Reshape',
  label: 'Reshape',
  group: 'decoder',
  description: 'Gives a vector the shape of an image (same number of values).',
  inputs: 1,
  defaults: { targetShape: [28, 28, 1] },
  fields: [{ name: 'targetShape', label: 'Target shape', type: 'shape', help: 'Height × width × channels to give the vector; the number of values must stay the same.' }],
  check: (p) => checkTarget(p.targetShape),
  outputShape: (input, p) => {
    if (!input) return { ok: false, error: 'needs an input' };
    const target: Shape = p.targetShape;
    if (product(input) !== product(target)) {
      return {
        ok: false,
        error: `cannot reshape ${input.join('×')} (${product(input)} values) to ${target.join('×')} (${product(target)} values)`,
      };
    }
    return { ok: true, shape: target };
  },
  paramCount: () => 0,
  summary: (p) => (Array.isArray(p.targetShape) ? p.targetShape.join('×') : '?'),
});
