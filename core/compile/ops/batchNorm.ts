import { elementCount, type OpContext } from './context';

/** tf.layers.batchNormalization's defaults. */
export const BATCHNORM_EPSILON = 1e-3;
export const BATCHNORM_MOMENTUM = 0.99;

export interface BatchNormParams {
  gamma: string;
  beta: string;
  movingMean: string;
  movingVariance: string;
}

/**
 * Batch normalisation over axis 1 (channels of NCHW, features of [N, C]). Training: the batch's
 * mean and (biased) variance, and the moving statistics' updates as tfjs-layers makes them
 * (moving ← moving − (moving − batch)·(1 − momentum)), returned for the caller to output.
 * Inference: the moving statistics.
 */
export function batchNorm(ctx: OpContext, x: string, p: BatchNormParams, channels: number, rank: 2 | 4, hint: string): { y: string; movingMean?: string; movingVariance?: string } {
  const { g } = ctx;
  const axes = rank === 4 ? [0, 2, 3] : [0];
  const broadcast = g.int64(rank === 4 ? [1, channels, 1, 1] : [1, channels]);
  const gamma = g.op('Reshape', [p.gamma, broadcast], {}, `${hint}/gamma_b`);
  const beta = g.op('Reshape', [p.beta, broadcast], {}, `${hint}/beta_b`);
  if (!ctx.training) {
    const mean = g.op('Reshape', [p.movingMean, broadcast]);
    const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [g.op('Reshape', [p.movingVariance, broadcast]), g.float(BATCHNORM_EPSILON)])])]);
    return { y: g.op('Add', [g.op('Mul', [g.op('Mul', [g.op('Sub', [x, mean]), invStd]), gamma]), beta], {}, `${hint}/bn`) };
  }
  const mean = g.op('ReduceMean', [x], { axes: { ints: axes }, keepdims: { i: 1 } }, `${hint}/mean`);
  const centred = g.op('Sub', [x, mean], {}, `${hint}/centred`);
  const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: { ints: axes }, keepdims: { i: 1 } }, `${hint}/variance`);
  const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.float(BATCHNORM_EPSILON)])])], {}, `${hint}/inv_std`);
  const normed = g.op('Mul', [centred, invStd], {}, `${hint}/normed`);
  const y = g.op('Add', [g.op('Mul', [normed, gamma]), beta], {}, `${hint}/bn`);
  const flat = g.int64([channels]);
  const decay = g.float(1 - BATCHNORM_MOMENTUM);
  const update = (moving: string, batch: string, name: string) =>
    g.op('Sub', [moving, g.op('Mul', [g.op('Sub', [moving, g.op('Reshape', [batch, flat])]), decay])], {}, `${hint}/${name}`);
  const movingMean = update(p.movingMean, mean, 'moving_mean_next');
  const movingVariance = update(p.movingVariance, variance, 'moving_variance_next');
  ctx.tape?.record({
    inputs: [x, p.gamma, p.beta],
    outputs: [y],
    backward: (g, [dy], needed) => {
      const dBeta = g.op('ReduceSum', [dy!, g.int64(axes)], { keepdims: { i: 1 } }, `${hint}/dbeta_b`);
      const dGamma = g.op('ReduceSum', [g.op('Mul', [dy!, normed]), g.int64(axes)], { keepdims: { i: 1 } }, `${hint}/dgamma_b`);
      let dx: string | null = null;
      if (needed[0]) {
        // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), the means over each channel's M values.
        const perChannel = g.op('Div', [elementCount(g, x), g.float(channels)], {}, `${hint}/m`);
        const correction = g.op('Div', [g.op('Add', [dBeta, g.op('Mul', [normed, dGamma])]), perChannel]);
        dx = g.op('Mul', [g.op('Sub', [dy!, correction]), g.op('Mul', [gamma, invStd])], {}, `${hint}/dx`);
      }
      return [dx, needed[1] ? g.op('Reshape', [dGamma, flat], {}, `${hint}/dgamma`) : null, needed[2] ? g.op('Reshape', [dBeta, flat], {}, `${hint}/dbeta`) : null];
    },
  });
  return { y, movingMean, movingVariance };
}
