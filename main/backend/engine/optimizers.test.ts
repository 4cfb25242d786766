/** The optimizers' update rule alone (no model, no gradient): one step in ONNX Runtime against the same step by hand. */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ADAM, hyperValues, optimizerSlots, RMSPROP, writeUpdate } from '../../../core/compile/optimizers';
import { OnnxBuilder } from '../../../core/onnx/builder';
import { HYPER } from '../../../core/compile/optimizers';
import { DEFAULT_TRAINING, type TrainingSettings } from '../../../core/graph/types';

type Settings = Pick<TrainingSettings, 'optimizer' | 'momentum' | 'weightDecay'>;

async function oneUpdate(settings: Settings, params: number[], grad: number[], slots: number[][], learningRate: number, step: number): Promise<{ params: Float32Array; slots: Float32Array[] }> {
  const g = new OnnxBuilder();
  const n = params.length;
  const p = g.input('params', [n]);
  const gr = g.input('grad', [n]);
  const names = optimizerSlots(settings);
  const slotInputs = names.map((s) => g.input(`opt_${s}`, [n]));
  const hyper = g.input('hyper', [HYPER.length]);
  const [lr, bc1, bc2] = g.opN('Split', [hyper, g.int64([1, 1, 1, 1])], 4, { axis: { i: 0 } }, 'hyper');
  const update = writeUpdate(g, settings, p, gr, slotInputs, { learningRate: lr!, biasCorrection1: bc1!, biasCorrection2: bc2! });
  g.output(update.params, 'params_next', [n]);
  update.slots.forEach((s, i) => g.output(s, `next_${names[i]}`, [n]));
  const session = await ort.InferenceSession.create(g.model('update'), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const t = (v: ArrayLike<number>, dims: number[]) => new ort.Tensor('float32', Float32Array.from(v), dims);
  const feeds: Record<string, ort.Tensor> = { params: t(params, [n]), grad: t(grad, [n]), hyper: t(hyperValues(settings.optimizer, learningRate, step, 0), [4]) };
  names.forEach((s, i) => (feeds[`opt_${s}`] = t(slots[i]!, [n])));
  const out = await session.run(feeds);
  await session.release();
  return { params: out.params_next!.data as Float32Array, slots: names.map((s) => out[`next_${s}`]!.data as Float32Array) };
}

const params = [0.5, -2, 1.25];
const grad = [0.1, 0.3, -0.2];
const lr = 0.01;
const wd = 0.1;

describe('optimizer update with decoupled weight decay', () => {
  it('AdamW: p − lr·wd·p − lr·m̂/(√v̂ + ε), the decay outside the moments', async () => {
    const m = [0.02, -0.01, 0.05];
    const v = [1e-3, 2e-3, 5e-4];
    const step = 3;
    const out = await oneUpdate({ ...DEFAULT_TRAINING, optimizer: 'adam', weightDecay: wd }, params, grad, [m, v], lr, step);
    params.forEach((p, i) => {
      const m1 = ADAM.beta1 * m[i]! + (1 - ADAM.beta1) * grad[i]!;
      const v1 = ADAM.beta2 * v[i]! + (1 - ADAM.beta2) * grad[i]! ** 2;
      const mHat = m1 / (1 - ADAM.beta1 ** step);
      const vHat = v1 / (1 - ADAM.beta2 ** step);
      expect(out.params[i]).toBeCloseTo(p - lr * wd * p - (lr * mHat) / (Math.sqrt(vHat) + ADAM.epsilon), 6);
      // The moments never see the decay.
      expect(out.slots[0]![i]).toBeCloseTo(m1, 7);
      expect(out.slots[1]![i]).toBeCloseTo(v1, 7);
    });
  });

  it('SGD with momentum and RMSprop decay the same decoupled way', async () => {
    const momentum = [0.3, 0, -0.1];
    const sgd = await oneUpdate({ optimizer: 'sgd', momentum: 0.9, weightDecay: wd }, params, grad, [momentum], lr, 1);
    params.forEach((p, i) => expect(sgd.params[i]).toBeCloseTo(p - lr * wd * p - lr * (0.9 * momentum[i]! + grad[i]!), 6));
    const rms = [0.01, 0.02, 0.03];
    const rmsprop = await oneUpdate({ optimizer: 'rmsprop', momentum: 0, weightDecay: wd }, params, grad, [rms, [0, 0, 0]], lr, 1);
    params.forEach((p, i) => {
      const ms = RMSPROP.decay * rms[i]! + (1 - RMSPROP.decay) * grad[i]! ** 2;
      expect(rmsprop.params[i]).toBeCloseTo(p - lr * wd * p - (lr * grad[i]!) / Math.sqrt(ms + RMSPROP.epsilon), 6);
    });
  });

  it('without weight decay is the plain step', async () => {
    const plain = await oneUpdate({ optimizer: 'sgd', momentum: 0, weightDecay: 0 }, params, grad, [], lr, 1);
    params.forEach((p, i) => expect(plain.params[i]).toBeCloseTo(p - lr * grad[i]!, 7));
  });
});
