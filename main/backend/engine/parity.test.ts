/**
 * The new engine against the first one (TensorFlow.js, cpu backend) while both exist: from the same
 * weights, batch and noise, one training step gives the same loss terms, the same gradient for
 * every parameter and the same moving statistics, for every template and for graphs holding every
 * block kind, activation, padding case and loss term.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from './firstEngine/compile';
import { planModel } from '../../../core/compile/plan';
import type { GraphDoc } from '../../../core/graph/types';
import { buildTemplate, TEMPLATE_NAMES } from '../../../core/templates';
import { lossTerms } from './firstEngine/losses';
import { drawNoise } from '../../../core/train/noiseInputs';
import { seededRandom } from '../../../core/train/random';
import { captureOptimizer, captureWeights, fixCpuUpsamplingGradient, makeOptimizer } from './firstEngine/reference';
import { splitFlat } from '../../../core/compile/flatParams';
import { modelLayouts } from '../../../core/compile/stepModel';
import { loadDataset } from '../datasets';
import { everyBlock, everyBlockVae, l1Sparse, oddImage } from './testGraphs';
import { runOneStep } from './testStep';

const COUNT = 12;
const KL_WEIGHT = 0.7;

function imagesFor(doc: GraphDoc): Float32Array {
  const plan = planModel(doc);
  const [h, w, c] = plan.inputShape;
  const size = h * w * c;
  const ds = loadDataset('builtin:fashion-mnist');
  if (h === ds.height && w === ds.width && c === ds.channels) return Float32Array.from(ds.train.images.subarray(0, COUNT * size), (v) => v / 255);
  const random = seededRandom(5);
  return Float32Array.from({ length: COUNT * size }, () => random());
}

/** One tfjs step's loss terms, gradients (by weight name) and weights after the forward pass (moving statistics). */
async function tfjsStep(doc: GraphDoc, images: Float32Array) {
  const compiled = compileGraph(doc);
  try {
    const [h, w, c] = compiled.analysis.inputShape!;
    const xs = tf.tensor4d(images, [COUNT, h!, w!, c!]);
    const weights = await captureWeights(compiled);
    const variables = compiled.trainModel.trainableWeights.map((v) => v.read() as tf.Variable);
    let terms: Float32Array | null = null;
    const { grads } = tf.variableGrads(() => {
      const outputs = compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
      const t = lossTerms(compiled.loss, outputs, xs, KL_WEIGHT);
      terms = t.dataSync() as Float32Array;
      return tf.reshape(tf.slice(t, 0, 1), []) as tf.Scalar;
    }, variables);
    const byName = new Map<string, Float32Array>();
    compiled.trainModel.trainableWeights.forEach((v, i) => byName.set(v.originalName, grads[variables[i]!.name]!.dataSync() as Float32Array));
    const after = await captureWeights(compiled);
    xs.dispose();
    tf.dispose(Object.values(grads));
    return { weights, terms: terms!, grads: byName, after };
  } finally {
    compiled.dispose();
  }
}

/** tfjs' Sampling draws ε with tf.randomNormal(seed · 7919 + calls); the new engine reads it as an input, so the test feeds the same. */
function tfjsEpsilon(doc: GraphDoc): Map<string, Float32Array> {
  const plan = planModel(doc);
  const out = new Map<string, Float32Array>();
  for (const n of plan.noise) {
    if (n.layer.endsWith('-sample')) out.set(n.add!, tf.randomNormal([COUNT, ...n.rowShape], 0, 1, 'float32', n.seed * 7919).dataSync() as Float32Array);
  }
  return out;
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

const GRAPHS: [string, () => GraphDoc][] = [
  ...TEMPLATE_NAMES.map((name): [string, () => GraphDoc] => [name, () => buildTemplate(name)]),
  ['every block (KL sparsity)', () => everyBlock()],
  ['every block (VAE)', everyBlockVae],
  ['odd colour image (VAE, MSE)', oddImage],
  ['L1 sparsity', l1Sparse],
];

describe('the ONNX training step against the first engine', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // The first engine as it trained: its own fix of tfjs-cpu's UpSampling2D gradient.
    fixCpuUpsamplingGradient();
  });

  const pooled = GRAPHS.filter(([, make]) => make().nodes.some((n) => n.kind === 'MaxPool2D'));
  const cases = [...GRAPHS.map(([l, m]) => [l, m, 'cpu'] as const), ...pooled.map(([l, m]) => [`${l}, as written for a GPU`, m, 'gpu'] as const)];

  it.each(cases)('%s: same loss terms, gradients and moving statistics', async (_label, make, target) => {
    const doc = make();
    const images = imagesFor(doc);
    const ref = await tfjsStep(doc, images);
    const plan = planModel(doc);
    const noise = new Map([...drawNoise(plan.noise, 0, COUNT), ...tfjsEpsilon(doc)]);
    const ours = await runOneStep(plan, ref.weights, images, COUNT, noise, { klWeight: KL_WEIGHT, target });
    for (let k = 0; k < 4; k++) expect(ours.losses[k], `loss term ${k}`).toBeCloseTo(ref.terms[k]!, 5);
    for (const [name, grad] of ref.grads) {
      const mine = ours.grads.get(name);
      expect(mine, name).toBeDefined();
      // Relative to the gradient's size (float32 sums in another order differ in the last digits), with a floor
      // for gradients that are zero but for rounding (a bias just before a BatchNorm, which cancels it).
      expect(maxDiff(mine!, grad), `gradient of ${name}`).toBeLessThan(2e-4 * maxAbs(grad) + 1e-7);
    }
    for (const s of ours.statsNext) {
      const after = ref.after.find((w) => w.name === s.name)!;
      expect(maxDiff(s.data, after.data), s.name).toBeLessThan(1e-5);
    }
  });
});

describe('the ONNX optimizers against the first engine', () => {
  it.each([
    ['adam', { optimizer: 'adam' as const, learningRate: 0.01 }],
    ['sgd with momentum', { optimizer: 'sgd' as const, learningRate: 0.05, momentum: 0.9 }],
    ['plain sgd', { optimizer: 'sgd' as const, learningRate: 0.05, momentum: 0 }],
    ['rmsprop', { optimizer: 'rmsprop' as const, learningRate: 0.003 }],
  ])('%s: five steps leave the same weights and optimizer state', async (_label, settings) => {
    await tf.setBackend('cpu');
    const base = l1Sparse();
    const doc = { ...base, training: { ...base.training, ...settings } };
    const images = imagesFor(doc);
    const compiled = compileGraph(doc);
    const optimizer = makeOptimizer(doc.training);
    const [h, w, c] = planModel(doc).inputShape;
    const xs = tf.tensor4d(images, [COUNT, h, w, c]);
    const plan = planModel(doc);
    let weights = await captureWeights(compiled);
    let slots: Map<string, Float32Array> | undefined;
    try {
      for (let step = 1; step <= 5; step++) {
        optimizer.minimize(() => tf.reshape(tf.slice(lossTerms(compiled.loss, compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[], xs, 0), 0, 1), []) as tf.Scalar);
        const ours = await runOneStep(plan, weights, images, COUNT, new Map(), { step, slots });
        weights = ours.next;
        slots = ours.slotsNext;
      }
      for (const ref of await captureWeights(compiled)) {
        const mine = weights.find((x) => x.name === ref.name)!;
        expect(maxDiff(mine.data, ref.data), ref.name).toBeLessThan(1e-5);
      }
      const refState = await captureOptimizer(optimizer);
      for (const [slot, flat] of slots!) {
        for (const t of splitFlat(flat, modelLayouts(plan).trainable)) {
          // tfjs suffixes a variable's name (_1, _2) when an earlier model used it.
          const ref = refState.find((s) => s.name.replace(/_\d+(\/[a-z]+)$/, '$1') === `${t.name}/${slot}`)!;
          expect(maxDiff(t.data, ref.data), `${t.name}/${slot}`).toBeLessThan(1e-5 * (maxAbs(ref.data) + 1e-3));
        }
      }
    } finally {
      xs.dispose();
      optimizer.dispose();
      compiled.dispose();
    }
  });
});
