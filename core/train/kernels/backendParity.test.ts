import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../compile/compile';
import type { BlockKind, GraphDoc } from '../../graph/types';
import { chainGraph } from '../../templates/undercomplete';
import { lossTerms } from '../losses';
import { noSwiftShader, useSwiftShader, webgpuTestName } from '../testWebgpu';
import { registerCpuTrainingKernels, registerWasmTrainingKernels } from './register';

registerWasmTrainingKernels();
registerCpuTrainingKernels();

type Block = { kind: BlockKind; params?: Record<string, unknown> };

/** Every block whose backward pass is deterministic, with multi-channel pooling and strides. */
function everyBlock(): GraphDoc {
  const conv = (kind: BlockKind, filters: number, strides: number, activation = 'relu'): Block => ({ kind, params: { filters, kernelSize: 3, strides, padding: 'same', activation } });
  return chainGraph('every block', [
    { kind: 'Input', params: { height: 12, width: 12, channels: 2 } },
    conv('Conv2D', 6, 1),
    { kind: 'BatchNorm' },
    { kind: 'MaxPool2D', params: { poolSize: 2, strides: 2, padding: 'valid' } },
    conv('Conv2D', 8, 2),
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 20, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 5 } },
    { kind: 'Dense', params: { units: 3 * 3 * 8, activation: 'relu' } },
    { kind: 'Reshape', params: { targetShape: [3, 3, 8] } },
    conv('Conv2DTranspose', 6, 2),
    { kind: 'UpSampling2D', params: { size: 2 } },
    { kind: 'Activation', params: { activation: 'tanh' } },
    conv('Conv2D', 2, 1, 'sigmoid'),
    { kind: 'Output', params: { loss: 'bce' } },
  ]);
}

/** The loss and its gradient for every weight, from the same weights and batch, on one backend. */
async function gradients(backend: string, weights: Float32Array[], batch: Float32Array) {
  if (backend === 'webgpu') await useSwiftShader();
  else await tf.setBackend(backend);
  const compiled = compileGraph(everyBlock());
  const variables = compiled.trainModel.trainableWeights.map((w) => w.read() as tf.Variable);
  compiled.trainModel.weights.forEach((w, i) => w.write(tf.tensor(weights[i]!, w.shape as number[])));
  const xs = tf.tensor4d(batch, [4, 12, 12, 2]);
  const { value, grads } = tf.variableGrads(() => {
    const outputs = compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
    return tf.reshape(tf.slice(lossTerms(compiled.loss, outputs, xs, 0), 0, 1), []) as tf.Scalar;
  }, variables);
  // Variable names get a per-process suffix; the layer weight's own name is the same on both backends.
  // Read back with data(): webgpu in Node has no synchronous read (it needs an OffscreenCanvas).
  const named = await Promise.all(compiled.trainModel.trainableWeights.map(async (w, i) => [w.originalName, Array.from(await grads[variables[i]!.name]!.data())] as const));
  const result = { loss: (await value.data())[0]!, grads: Object.fromEntries(named) };
  compiled.dispose();
  tf.dispose([xs, value, ...Object.values(grads)]);
  return result;
}

/** The cpu backend's loss and gradients for the graph, from its initial weights and a random batch. */
async function reference() {
  await tf.setBackend('cpu');
  const model = compileGraph(everyBlock());
  const weights = model.trainModel.weights.map((w) => w.read().dataSync() as Float32Array);
  model.dispose();
  const batch = tf.randomUniform([4 * 12 * 12 * 2], 0, 1, 'float32', 3).dataSync() as Float32Array;
  return { weights, batch, cpu: await gradients('cpu', weights, batch) };
}

/** Expects the same weights with gradients, the loss within `lossTolerance`, every gradient within 1e-3 of its largest value. */
function expectSameGradients(other: Awaited<ReturnType<typeof gradients>>, cpu: Awaited<ReturnType<typeof gradients>>, lossTolerance: number) {
  expect(Object.keys(other.grads).sort()).toEqual(Object.keys(cpu.grads).sort());
  expect(Object.keys(cpu.grads).length).toBeGreaterThanOrEqual(14);
  expect(Math.abs(other.loss - cpu.loss)).toBeLessThan(lossTolerance);
  for (const [name, expected] of Object.entries(cpu.grads)) {
    const scale = Math.max(...expected.map(Math.abs), 1e-3);
    const worst = Math.max(...other.grads[name]!.map((v, i) => Math.abs(v - expected[i]!)));
    expect(worst / scale, name).toBeLessThan(1e-3);
  }
}

describe('the wasm backend trains like the cpu backend', () => {
  it('gives the same loss and the same gradient for every weight of a graph with every deterministic block', async () => {
    const { weights, batch, cpu } = await reference();
    expectSameGradients(await gradients('wasm', weights, batch), cpu, 1e-5);
  });
});

describe('the webgpu backend (on SwiftShader) trains like the cpu backend', () => {
  it.skipIf(noSwiftShader)(webgpuTestName('gives the same loss and the same gradient for every weight of a graph with every deterministic block'), async () => {
    const { weights, batch, cpu } = await reference();
    expectSameGradients(await gradients('webgpu', weights, batch), cpu, 1e-5);
  });
});
