import type { OpContext } from './context';

/**
 * A training-only corruption as the host drew it (core/train/corruption.ts): y = x·keep + add,
 * either term absent when the corruption does not use it. The gradient passes through `keep`.
 */
export function corrupt(ctx: OpContext, x: string, keep: string | null, add: string | null, hint: string): string {
  const { g } = ctx;
  let y = x;
  if (keep) y = g.op('Mul', [y, keep], {}, `${hint}/keep`);
  if (add) y = g.op('Add', [y, add], {}, `${hint}/add`);
  if (y === x) return x;
  ctx.tape?.record({
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => [keep ? g.op('Mul', [dy!, keep], {}, `${hint}/dx`) : dy!],
  });
  return y;
}

/** The reparameterisation z = μ + exp(½·log σ²)·ε, ε from the host; dμ = dz, d log σ² = ½·dz·exp(½·log σ²)·ε. */
export function sample(ctx: OpContext, mean: string, logVar: string, epsilon: string, hint: string): string {
  const { g } = ctx;
  const spread = g.op('Mul', [g.op('Exp', [g.op('Mul', [logVar, g.float(0.5)])]), epsilon], {}, `${hint}/spread`);
  const z = g.op('Add', [mean, spread], {}, `${hint}/z`);
  ctx.tape?.record({
    inputs: [mean, logVar],
    outputs: [z],
    backward: (g, [dz], needed) => [dz!, needed[1] ? g.op('Mul', [g.op('Mul', [dz!, spread]), g.float(0.5)], {}, `${hint}/dlogvar`) : null],
  });
  return z;
}
