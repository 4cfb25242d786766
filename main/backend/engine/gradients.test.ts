/**
 * Every block's gradient rule against central finite differences of the loss the same ONNX model
 * computes. For each parameter tensor, the directional derivative along a random direction
 * (f(p + εv) − f(p − εv)) / 2ε must equal ⟨∇f, v⟩: one number per tensor, checked to 1 % (the
 * engine runs in float32, so a difference quotient is good to about three digits). Each case puts
 * a trainable block before the one under test, so the block's input gradient is checked too.
 * Activations are smooth (tanh, sigmoid, elu, selu) so no kink sits within ε; ε is 2e-3 per unit of
 * direction, small enough for a second-order error under 1 % and large enough for float32's rounding.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { joinFlat, splitFlat } from '../../../core/compile/flatParams';
import { initialParams } from '../../../core/compile/init';
import { hyperValues, optimizerSlots } from '../../../core/compile/optimizers';
import { planModel, type ModelPlan } from '../../../core/compile/plan';
import { buildStepModel, modelLayouts, STEP_NAMES } from '../../../core/compile/stepModel';
import type { BlockKind, GraphDoc } from '../../../core/graph/types';
import { chainGraph } from '../../../core/templates/undercomplete';
import { drawNoise } from '../../../core/train/noiseInputs';
import { seededRandom } from '../../../core/train/random';

const N = 5;
const b = (kind: BlockKind, params: Record<string, unknown> = {}) => ({ kind, params });
const input = (h: number, w: number, c: number) => b('Input', { height: h, width: w, channels: c });
const conv = (kind: BlockKind, filters: number, k: number, s: number, padding: string, activation = 'tanh') => b(kind, { filters, kernelSize: k, strides: s, padding, activation });
const decodeTo = (h: number, w: number, c: number, loss = 'bce') => [
  b('Dense', { units: h * w * c, activation: loss === 'bce' ? 'sigmoid' : 'linear' }),
  b('Reshape', { targetShape: [h, w, c] }),
  b('Output', { loss }),
];
const code = (extra: Record<string, unknown> = {}) => b('Bottleneck', { latentSize: 4, activation: 'tanh', ...extra });

/** One graph per block kind (and per case a rule has), the block in the middle of trainable layers. */
const CASES: [string, GraphDoc][] = [
  ['Dense', chainGraph('dense', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 7, activation: 'elu' }), b('Dense', { units: 5, activation: 'selu' }), code(), ...decodeTo(6, 6, 1)])],
  ['Conv2D stride 1, same', chainGraph('conv', [input(7, 7, 2), conv('Conv2D', 3, 3, 1, 'same'), conv('Conv2D', 2, 3, 1, 'same', 'sigmoid'), b('Flatten'), code(), ...decodeTo(7, 7, 2)])],
  ['Conv2D stride 2, same (pads 0/1)', chainGraph('conv s2', [input(8, 8, 1), conv('Conv2D', 3, 3, 1, 'same'), conv('Conv2D', 2, 3, 2, 'same', 'elu'), b('Flatten'), code(), ...decodeTo(8, 8, 1)])],
  ['Conv2D stride 2, valid (rows no window reaches)', chainGraph('conv valid', [input(8, 8, 1), conv('Conv2D', 2, 2, 1, 'same'), conv('Conv2D', 3, 3, 2, 'valid', 'selu'), b('Flatten'), code(), ...decodeTo(8, 8, 1)])],
  ['Conv2DTranspose stride 2, valid', chainGraph('convT', [input(7, 7, 1), b('Flatten'), code(), b('Dense', { units: 18, activation: 'tanh' }), b('Reshape', { targetShape: [3, 3, 2] }), conv('Conv2DTranspose', 2, 3, 2, 'valid', 'tanh'), conv('Conv2D', 1, 1, 1, 'same', 'sigmoid'), b('Output', { loss: 'bce' })])],
  ['Conv2DTranspose kernel < stride', chainGraph('convT k<s', [input(8, 8, 1), b('Flatten'), code(), b('Dense', { units: 32, activation: 'tanh' }), b('Reshape', { targetShape: [4, 4, 2] }), conv('Conv2DTranspose', 1, 1, 2, 'same', 'sigmoid'), b('Output', { loss: 'mse' })])],
  ['Conv2DTranspose same (pads 1/2)', chainGraph('convT same', [input(6, 6, 1), b('Flatten'), code(), b('Dense', { units: 72, activation: 'tanh' }), b('Reshape', { targetShape: [6, 6, 2] }), conv('Conv2DTranspose', 1, 4, 1, 'same', 'sigmoid'), b('Output', { loss: 'bce' })])],
  // Pooling is fed by a BatchNorm, monotonic in each channel, so no window's winner changes within ε.
  ['MaxPool2D 2/2', chainGraph('pool', [input(8, 8, 2), b('BatchNorm'), b('MaxPool2D', { poolSize: 2, strides: 2, padding: 'valid' }), b('Flatten'), code(), ...decodeTo(8, 8, 2)])],
  ['MaxPool2D 3/2 same (overlapping windows)', chainGraph('pool overlap', [input(7, 7, 2), b('BatchNorm'), b('MaxPool2D', { poolSize: 3, strides: 2, padding: 'same' }), b('Flatten'), code(), ...decodeTo(7, 7, 2)])],
  ['UpSampling2D', chainGraph('up', [input(8, 8, 1), b('Flatten'), code(), b('Dense', { units: 32, activation: 'tanh' }), b('Reshape', { targetShape: [4, 4, 2] }), b('UpSampling2D', { size: 2 }), conv('Conv2D', 1, 3, 1, 'same', 'sigmoid'), b('Output', { loss: 'bce' })])],
  ['BatchNorm on images', chainGraph('bn image', [input(6, 6, 2), conv('Conv2D', 3, 3, 1, 'same'), b('BatchNorm'), b('Activation', { activation: 'tanh' }), b('Flatten'), code(), ...decodeTo(6, 6, 2)])],
  ['BatchNorm on vectors', chainGraph('bn flat', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 8, activation: 'tanh' }), b('BatchNorm'), code(), ...decodeTo(6, 6, 1)])],
  ['Dropout', chainGraph('dropout', [input(6, 6, 1), conv('Conv2D', 2, 3, 1, 'same'), b('Dropout', { rate: 0.4 }), b('Flatten'), code(), ...decodeTo(6, 6, 1)])],
  ['GaussianNoise', chainGraph('noise', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 8, activation: 'tanh' }), b('GaussianNoise', { stddev: 0.3 }), code(), ...decodeTo(6, 6, 1)])],
  ['RandomMask', chainGraph('mask', [input(8, 8, 1), conv('Conv2D', 2, 3, 1, 'same'), b('RandomMask', { shape: 'rectangles', count: 2, size: 0.4, fill: 'noise' }), b('Flatten'), code(), ...decodeTo(8, 8, 1)])],
  ['Flatten and Reshape after NCHW', chainGraph('flatten', [input(5, 6, 3), conv('Conv2D', 2, 3, 1, 'same'), b('Flatten'), b('Reshape', { targetShape: [5, 6, 2] }), conv('Conv2D', 2, 1, 1, 'same'), b('Flatten'), code(), ...decodeTo(5, 6, 3, 'mse')])],
  ['Activation (every kind)', chainGraph('activations', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 8, activation: 'linear' }), b('Activation', { activation: 'elu' }), b('Activation', { activation: 'selu' }), b('Activation', { activation: 'tanh' }), b('Activation', { activation: 'sigmoid' }), code(), ...decodeTo(6, 6, 1)])],
  ['Bottleneck with L1 sparsity', chainGraph('l1', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 8, activation: 'tanh' }), code({ sparsity: 'l1', l1Weight: 2 }), ...decodeTo(6, 6, 1)])],
  ['Bottleneck with KL sparsity', chainGraph('kl', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 8, activation: 'tanh' }), code({ activation: 'sigmoid', sparsity: 'kl', rho: 0.2, klWeight: 3 }), ...decodeTo(6, 6, 1)])],
  ['VariationalBottleneck', chainGraph('vae', [input(6, 6, 1), b('Flatten'), b('Dense', { units: 8, activation: 'tanh' }), b('VariationalBottleneck', { latentSize: 3, beta: 4, klWarmupEpochs: 0 }), ...decodeTo(6, 6, 1, 'mse')])],
];

async function checkGradients(plan: ModelPlan, target: 'cpu' | 'gpu' = 'cpu'): Promise<{ name: string; analytic: number; numeric: number }[]> {
  const layouts = modelLayouts(plan);
  const session = await ort.InferenceSession.create(buildStepModel(plan, { gradientOutput: true, target }), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const random = seededRandom(11);
    const [h, w, c] = plan.inputShape;
    const image = Float32Array.from({ length: N * h * w * c }, () => 0.1 + 0.8 * random());
    // Perturbed starting weights (batch norm's statistics too), so no rule is checked at a trivial point.
    const start = initialParams(plan.params, 3).map((t) => ({ ...t, data: t.data.map((v) => v + 0.1 * (random() - 0.5)) }));
    const params = joinFlat(start, layouts.trainable, 'weights');
    const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
    const fixed: Record<string, ort.Tensor> = {
      [STEP_NAMES.image]: t(image, [N, h, w, c]),
      [STEP_NAMES.hyper]: t(hyperValues('sgd', 0.1, 1, 0.8), [4]),
    };
    if (layouts.stats.total) fixed[STEP_NAMES.stats] = t(joinFlat(start, layouts.stats, 'weights'), [layouts.stats.total]);
    for (const s of optimizerSlots(plan.graph.training)) fixed[STEP_NAMES.slot(s)] = t(new Float32Array(layouts.trainable.total), [layouts.trainable.total]);
    const noise = drawNoise(plan.noise, 0, N);
    for (const n of plan.noise) for (const name of [n.keep, n.add]) if (name) fixed[name] = t(noise.get(name)!, [N, ...n.rowShape]);
    const run = async (p: Float32Array) => session.run({ ...fixed, [STEP_NAMES.params]: t(p, [p.length]) });
    const at = await run(params);
    const grads = splitFlat(at[STEP_NAMES.grad]!.data as Float32Array, layouts.trainable);
    const out: { name: string; analytic: number; numeric: number }[] = [];
    for (const entry of layouts.trainable.entries) {
      const grad = grads.find((g) => g.name === entry.name)!.data;
      const direction = Float32Array.from({ length: entry.size }, () => (random() < 0.5 ? -1 : 1) * (0.5 + random()));
      let analytic = 0;
      for (let i = 0; i < entry.size; i++) analytic += grad[i]! * direction[i]!;
      const epsilon = 2e-3;
      const shifted = (sign: number) => {
        const p = Float32Array.from(params);
        for (let i = 0; i < entry.size; i++) p[entry.offset + i]! += sign * epsilon * direction[i]!;
        return p;
      };
      const plus = ((await run(shifted(1)))[STEP_NAMES.losses]!.data as Float32Array)[0]!;
      const minus = ((await run(shifted(-1)))[STEP_NAMES.losses]!.data as Float32Array)[0]!;
      out.push({ name: entry.name, analytic, numeric: (plus - minus) / (2 * epsilon) });
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The rules written differently for GPU providers, checked here on the CPU provider. */
const GPU_CASES = CASES.filter(([label]) => label.startsWith('MaxPool2D') || label.startsWith('Conv2D')).map(([label, doc]): [string, GraphDoc] => [`${label}, as written for a GPU`, doc]);

describe('every gradient rule against finite differences', () => {
  it.each([...CASES, ...GPU_CASES])('%s', async (label, doc) => {
    const checks = await checkGradients(planModel({ ...doc, training: { ...doc.training, optimizer: 'sgd', momentum: 0 } }), label.endsWith('for a GPU') ? 'gpu' : 'cpu');
    for (const c of checks) {
      // 1 % of the derivative, with a floor for derivatives that are zero but for rounding.
      expect(Math.abs(c.analytic - c.numeric), `${c.name}: analytic ${c.analytic}, numeric ${c.numeric}`).toBeLessThan(0.01 * Math.abs(c.numeric) + 2e-5);
    }
  });
});
