import { product, type BlockSpec, type Shape } from './types';

export interface ReshapeParams {
  targetShape: number[];
}

function checkTarget(target: unknown): string[] {
  if (!Array.isArray(target) || target.length === 0 || target.length > 3) {
    return ['Target shape must list 1 to 3 sizes'];
  }
  return target.every((d) => Number.isInteger(d) && d >= 1) ? [] : ['Target shape sizes must be whole numbers ≥ 1'];
}

export const reshapeBlock: BlockSpec<ReshapeParams> = {
  kind: 'Reshape',
  label: 'Reshape',
  group: 'decoder',
  inputs: 1,
  defaults: { targetShape: [28, 28, 1] },
  fields: [{ name: 'targetShape', label: 'Target shape', type: 'shape' }],
  checkParams: (p) => checkTarget(p.targetShape),
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
};
