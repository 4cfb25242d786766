import type { OpContext } from './context';

export const TO_NCHW = [0, 3, 1, 2] as const;
export const TO_NHWC = [0, 2, 3, 1] as const;

function inverse(perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, i) => (out[p] = i));
  return out;
}

export function transpose(ctx: OpContext, x: string, perm: readonly number[], hint: string): string {
  const y = ctx.g.op('Transpose', [x], { perm: { ints: perm } }, `${hint}/transpose`);
  ctx.tape?.record({
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => [g.op('Transpose', [dy!], { perm: { ints: inverse(perm) } }, `${hint}/dtranspose`)],
  });
  return y;
}

/** Reshape to [N, ...shape] (N kept from the input); the gradient takes the input's shape back. */
export function reshape(ctx: OpContext, x: string, shape: readonly number[], hint: string): string {
  const { g } = ctx;
  const y = g.op('Reshape', [x, g.int64([0, ...shape])], {}, `${hint}/reshape`);
  ctx.tape?.record({
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => [g.op('Reshape', [dy!, g.op('Shape', [x])], {}, `${hint}/dreshape`)],
  });
  return y;
}
