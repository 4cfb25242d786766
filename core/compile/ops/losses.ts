/**
 * The loss terms, each with its gradient with respect to what it reads (seeds for the tape). The
 * formulas are the app's since its first engine: the mean per-value reconstruction loss (Keras'
 * binary_crossentropy and mse), and the regularisers summed per image and divided by the image's
 * size so they sit on the same per-value scale.
 */
import type { OnnxBuilder } from '../../onnx/builder';
import type { ReconstructionLoss } from '../../blocks/output';
import { elementCount, indicator, rowCount } from './context';

/** The clip that keeps log() finite in the cross-entropy and the KL sparsity, as Keras' epsilon. */
export const LOSS_EPSILON = 1e-7;

export interface LossTerm {
  /** A scalar (shape []) value. */
  value: string;
  /** [value read, d term / d value] pairs, each scaled by `weight` when given. */
  seeds(weight?: string): [string, string][];
}

const times = (g: OnnxBuilder, x: string, weight?: string) => (weight ? g.op('Mul', [x, weight]) : x);

/** Mean binary cross-entropy (prediction clipped to [ε, 1 − ε], no gradient where clipped) or mean squared error. */
export function reconstructionLoss(g: OnnxBuilder, kind: ReconstructionLoss, prediction: string, target: string): LossTerm {
  if (kind === 'mse') {
    const diff = g.op('Sub', [prediction, target], {}, 'mse/diff');
    const value = g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: { i: 0 } }, 'recon_loss');
    return {
      value,
      seeds: (w) => [[prediction, times(g, g.op('Div', [g.op('Mul', [diff, g.float(2)]), elementCount(g, prediction)], {}, 'mse/dy'), w)]],
    };
  }
  const p = g.op('Clip', [prediction, g.float(LOSS_EPSILON), g.float(1 - LOSS_EPSILON)], {}, 'bce/p');
  const oneMinusP = g.op('Sub', [g.float(1), p]);
  const ll = g.op('Add', [g.op('Mul', [target, g.op('Log', [p])]), g.op('Mul', [g.op('Sub', [g.float(1), target]), g.op('Log', [oneMinusP])])], {}, 'bce/ll');
  const value = g.op('Neg', [g.op('ReduceMean', [ll], { keepdims: { i: 0 } })], {}, 'recon_loss');
  return {
    value,
    seeds: (w) => {
      // d/dp −[t·log p + (1 − t)·log(1 − p)] = (p − t) / (p·(1 − p)), per value of the mean; zero where the clip acted.
      const inside = indicator(g, g.op('And', [g.op('GreaterOrEqual', [prediction, g.float(LOSS_EPSILON)]), g.op('LessOrEqual', [prediction, g.float(1 - LOSS_EPSILON)])]));
      const perValue = g.op('Div', [g.op('Sub', [p, target]), g.op('Mul', [g.op('Mul', [p, oneMinusP]), elementCount(g, prediction)])]);
      return [[prediction, times(g, g.op('Mul', [perValue, inside], {}, 'bce/dy'), w)]];
    },
  };
}

/** L1 sparsity: weight / inputSize · mean over images of Σ|z|. */
export function l1Sparsity(g: OnnxBuilder, code: string, weight: number, inputSize: number): LossTerm {
  const factor = weight / inputSize;
  const value = g.op('Mul', [g.op('Div', [g.op('ReduceSum', [g.op('Abs', [code])], { keepdims: { i: 0 } }), g.op('Reshape', [rowCount(g, code), g.int64([])])]), g.float(factor)], {}, 'sparsity_loss');
  return {
    value,
    seeds: (w) => [[code, times(g, g.op('Div', [g.op('Mul', [g.op('Sign', [code]), g.float(factor)]), rowCount(g, code)], {}, 'l1/dz'), w)]],
  };
}

/** KL sparsity: weight / inputSize · Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the mean activation of unit j over the batch, clipped to [ε, 1 − ε]. */
export function klSparsity(g: OnnxBuilder, code: string, rho: number, weight: number, inputSize: number): LossTerm {
  const factor = weight / inputSize;
  const mean = g.op('ReduceMean', [code], { axes: { ints: [0] }, keepdims: { i: 1 } }, 'kl_sparsity/mean');
  const rhoHat = g.op('Clip', [mean, g.float(LOSS_EPSILON), g.float(1 - LOSS_EPSILON)], {}, 'kl_sparsity/rho_hat');
  const oneMinus = g.op('Sub', [g.float(1), rhoHat]);
  const kl = g.op('Add', [g.op('Mul', [g.float(rho), g.op('Log', [g.op('Div', [g.float(rho), rhoHat])])]), g.op('Mul', [g.float(1 - rho), g.op('Log', [g.op('Div', [g.float(1 - rho), oneMinus])])])]);
  const value = g.op('Mul', [g.op('ReduceSum', [kl], { keepdims: { i: 0 } }), g.float(factor)], {}, 'sparsity_loss');
  return {
    value,
    seeds: (w) => {
      const inside = indicator(g, g.op('And', [g.op('GreaterOrEqual', [mean, g.float(LOSS_EPSILON)]), g.op('LessOrEqual', [mean, g.float(1 - LOSS_EPSILON)])]));
      const dRhoHat = g.op('Add', [g.op('Neg', [g.op('Div', [g.float(rho), rhoHat])]), g.op('Div', [g.float(1 - rho), oneMinus])]);
      const perUnit = g.op('Mul', [g.op('Mul', [dRhoHat, inside]), g.float(factor)]);
      // ρ̂ is a mean over the batch: each row gets 1/N of it (broadcast from [1, K] to [N, K]).
      return [[code, times(g, g.op('Expand', [g.op('Div', [perUnit, rowCount(g, code)]), g.op('Shape', [code])], {}, 'kl_sparsity/dz'), w)]];
    },
  };
}

/** The VAE's KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²) per image, averaged, divided by the input size. */
export function vaeKl(g: OnnxBuilder, mean: string, logVar: string, inputSize: number): LossTerm {
  const variance = g.op('Exp', [logVar], {}, 'kl/variance');
  const inner = g.op('Sub', [g.op('Sub', [g.op('Add', [logVar, g.float(1)]), g.op('Mul', [mean, mean])]), variance]);
  const perImage = g.op('Mul', [g.op('ReduceSum', [inner, g.int64([1])], { keepdims: { i: 0 } }), g.float(-0.5)]);
  const value = g.op('Div', [g.op('ReduceMean', [perImage], { keepdims: { i: 0 } }), g.float(inputSize)], {}, 'kl_loss');
  return {
    value,
    seeds: (w) => {
      const scale = g.op('Mul', [rowCount(g, mean), g.float(inputSize)], {}, 'kl/scale');
      return [
        [mean, times(g, g.op('Div', [mean, scale], {}, 'kl/dmean'), w)],
        [logVar, times(g, g.op('Div', [g.op('Mul', [g.op('Sub', [variance, g.float(1)]), g.float(0.5)]), scale], {}, 'kl/dlogvar'), w)],
      ];
    },
  };
}
