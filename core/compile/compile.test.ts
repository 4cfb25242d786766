import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { undercomplete } from '../templates/undercomplete';
import { compileGraph, CompileError, reconstructionLoss } from './compile';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('compileGraph', () => {
  it("builds a model whose countParams equals the editor's total", () => {
    const doc = undercomplete();
    doc.nodes.find((n) => n.kind === 'Bottleneck')!.params.latentSize = 16;
    const compiled = compileGraph(doc);
    expect(compiled.model.countParams()).toBe(compiled.analysis.totalParams);
    expect(compiled.analysis.totalParams).toBe(100_480 + (128 * 16 + 16) + (16 * 128 + 128) + 101_136);
    expect(compiled.encoder.outputs[0]!.shape).toEqual([null, 16]);
    expect(compiled.model.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    compiled.dispose();
  });

  it('shares weights between the model and its encoder and decoder halves', () => {
    const compiled = compileGraph(undercomplete());
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1);
    const direct = compiled.model.predict(x) as tf.Tensor;
    const viaCode = compiled.decoder.predict(compiled.encoder.predict(x) as tf.Tensor) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(direct, viaCode))).dataSync()[0]).toBeLessThan(1e-6);
    compiled.dispose();
  });

  it('frees every weight on dispose, the decoder half included', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) compileGraph(undercomplete()).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a graph with errors, naming the node', () => {
    const doc = undercomplete();
    doc.nodes.find((n) => n.id === 'dense-6')!.params.units = 100;
    expect(() => compileGraph(doc)).toThrow(CompileError);
    expect(() => compileGraph(doc)).toThrow(/node "reshape-7": cannot reshape 100/);
  });

  it('computes BCE and MSE as Keras does (mean over elements)', () => {
    const p = tf.tensor([0.9, 0.2, 0.5, 0.99]);
    const y = tf.tensor([1, 0, 1, 1]);
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.5) + Math.log(0.99)) / 4;
    expect(reconstructionLoss('bce', p, y).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(reconstructionLoss('mse', p, y).dataSync()[0]).toBeCloseTo((0.01 + 0.04 + 0.25 + 0.0001) / 4, 6);
  });
});
