/**
 * The optimizers' updates on the flat parameter buffer, as tfjs computed them (so runs continue
 * across engines and compare with Keras): Adam (β₁ 0.9, β₂ 0.999, ε 1e-7, bias-corrected),
 * SGD with optional momentum, RMSprop (decay 0.9, ε inside the square root). Each slot of state is
 * a flat buffer like the parameters; checkpoints name its tensors `weight/slot` as tfjs did.
 * Weight decay is decoupled for all three (AdamW's rule, as PyTorch's AdamW applies it): the
 * parameters shrink by learningRate × weightDecay of themselves before the optimizer's step.
 */
import type { OptimizerName, TrainingSettings } from '../graph/types';
import type { OnnxBuilder } from '../onnx/builder';

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
export const RMSPROP = { decay: 0.9, epsilon: 1e-7 } as const;

/** The optimizer's state slots, in tfjs' order of getWeights(). */
export function optimizerSlots(settings: Pick<TrainingSettings, 'optimizer' | 'momentum'>): string[] {
  switch (settings.optimizer) {
    case 'adam':
      return ['m', 'v'];
    case 'rmsprop':
      return ['rms', 'momentum'];
    case 'sgd':
      return settings.momentum > 0 ? ['momentum'] : [];
  }
}

/** The per-step scalars every step model reads, in order, from its `hyper` input. */
export const HYPER = ['learningRate', 'biasCorrection1', 'biasCorrection2', 'klWeight'] as const;

/** hyper's values for global step `step` (counted from 1). */
export function hyperValues(optimizer: OptimizerName, learningRate: number, step: number, klWeight: number): Float32Array {
  const adam = optimizer === 'adam';
  return Float32Array.of(learningRate, adam ? 1 - ADAM.beta1 ** step : 1, adam ? 1 - ADAM.beta2 ** step : 1, klWeight);
}

export interface OptimizerUpdate {
  params: string;
  slots: string[];
}

/** Writes one update of flat `params` with flat `grad`; `slots` are the state buffers in optimizerSlots' order. */
export function writeUpdate(g: OnnxBuilder, settings: Pick<TrainingSettings, 'optimizer' | 'momentum' | 'weightDecay'>, current: string, grad: string, slots: readonly string[], hyper: { learningRate: string; biasCorrection1: string; biasCorrection2: string }): OptimizerUpdate {
  const lr = hyper.learningRate;
  // Decoupled: the decay never enters the gradient or the optimizer's state.
  const params = settings.weightDecay > 0 ? g.op('Sub', [current, g.op('Mul', [g.op('Mul', [current, lr]), g.float(settings.weightDecay)])], {}, 'weight_decay') : current;
  switch (settings.optimizer) {
    case 'adam': {
      const m = g.op('Add', [g.op('Mul', [slots[0]!, g.float(ADAM.beta1)]), g.op('Mul', [grad, g.float(1 - ADAM.beta1)])], {}, 'adam/m');
      const v = g.op('Add', [g.op('Mul', [slots[1]!, g.float(ADAM.beta2)]), g.op('Mul', [g.op('Mul', [grad, grad]), g.float(1 - ADAM.beta2)])], {}, 'adam/v');
      const mHat = g.op('Div', [m, hyper.biasCorrection1]);
      const denominator = g.op('Add', [g.op('Sqrt', [g.op('Div', [v, hyper.biasCorrection2])]), g.float(ADAM.epsilon)]);
      const next = g.op('Sub', [params, g.op('Mul', [g.op('Div', [mHat, denominator]), lr])], {}, 'adam/params');
      return { params: next, slots: [m, v] };
    }
    case 'rmsprop': {
      const ms = g.op('Add', [g.op('Mul', [slots[0]!, g.float(RMSPROP.decay)]), g.op('Mul', [g.op('Mul', [grad, grad]), g.float(1 - RMSPROP.decay)])], {}, 'rmsprop/rms');
      // tfjs keeps a momentum slot (momentum 0): it holds the last step.
      const stepTaken = g.op('Div', [g.op('Mul', [grad, lr]), g.op('Sqrt', [g.op('Add', [ms, g.float(RMSPROP.epsilon)])])], {}, 'rmsprop/momentum');
      return { params: g.op('Sub', [params, stepTaken], {}, 'rmsprop/params'), slots: [ms, stepTaken] };
    }
    case 'sgd': {
      if (settings.momentum > 0) {
        const accumulation = g.op('Add', [g.op('Mul', [slots[0]!, g.float(settings.momentum)]), grad], {}, 'sgd/momentum');
        return { params: g.op('Sub', [params, g.op('Mul', [accumulation, lr])], {}, 'sgd/params'), slots: [accumulation] };
      }
      return { params: g.op('Sub', [params, g.op('Mul', [grad, lr])], {}, 'sgd/params'), slots: [] };
    }
  }
}
