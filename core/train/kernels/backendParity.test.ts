import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../compile/compile';
import type { BlockKind, GraphDoc } from '../../graph/types';
import { chainGraph } from '../../templates/undercomplete';
import { lossTerms } from '../losses';
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
  await tf.setBackend(backend);
  const compiled = compileGraph(everyBlock());
  const variables = compiled.trainModel.trainableWeights.map((w) => w.read() as tf.Variable);
  compiled.trainModel.weights.forEach((w, i) => w.write(tf.tensor(weights[i]!, w.shape as number[])));
  const xs = tf.tensor4d(batch, [4, 12, 12, 2]);
  const { value, grads } = tf.variableGrads(() => {
    const outputs = compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
    return tf.reshape(tf.slice(lossTerms(compiled.loss, outputs, xs, 0), 0, 1), []) as tf.Scalar;
  }, variables);
  // Variable names get a per-process suffix; the layer weight's own name is the same on both backends.
  const result = { loss: value.dataSync()[0]!, grads: Object.fromEntries(compiled.trainModel.trainableWeights.map((w, i) => [w.originalName, Array.from(grads[variables[i]!.name]!.dataSync())])) };
  compiled.dispose();
  return result;
}

describe('the wasm backend trains like the cpu backend', () => {
  it('gives the same loss and the same gradient for every weight of a graph with every deterministic block', async () => {
    await tf.setBackend('cpu');
    const reference = compileGraph(everyBlock());
    const weights = reference.trainModel.weights.map((w) => w.read().dataSync() as Float32Array);
    reference.dispose();
    const batch = tf.randomUniform([4 * 12 * 12 * 2], 0, 1, 'float32', 3).dataSync() as Float32Array;
    const cpu = await gradients('cpu', weights, batch);
    const wasm = await gradients('wasm', weights, batch);
    expect(Object.keys(wasm.grads).sort()).toEqual(Object.keys(cpu.grads).sort());
    expect(Object.keys(cpu.grads).length).toBeGreaterThanOrEqual(14);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5);
    for (const [name, expected] of Object.entries(cpu.grads)) {
      const scale = Math.max(...expected.map(Math.abs), 1e-3);
      const worst = Math.max(...wasm.grads[name]!.map((v, i) => Math.abs(v - expected[i]!)));
      expect(worst / scale, name).toBeLessThan(1e-3);
    }
  });
});
