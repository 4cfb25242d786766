import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types';
import { chainGraph, undercomplete } from '../templates/undercomplete';
import { noiseLayers } from './noise';
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

  describe('training-only corruptions draw from a seed advanced on every call', () => {
    const corrupting = (kind: 'Dropout' | 'GaussianNoise' | 'RandomMask', params: Record<string, unknown>): GraphDoc =>
      chainGraph('noise', [
        { kind: 'Input', params: { height: 8, width: 8, channels: 1 } },
        { kind, params },
        { kind: 'Flatten' },
        { kind: 'Bottleneck', params: { latentSize: 64 } },
        { kind: 'Reshape', params: { targetShape: [8, 8, 1] } },
        { kind: 'Output', params: { loss: 'mse' } },
      ]);
    /** What the corruption layer makes of a batch of mid-grey images, call after call, in training. */
    const corrupted = (doc: GraphDoc, calls: number): Float32Array[] => {
      const compiled = compileGraph(doc, 5);
      const layer = compiled.trainModel.layers[1]!;
      const x = tf.fill([4, 8, 8, 1], 0.5);
      const out = Array.from({ length: calls }, () => {
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        const values = y.dataSync() as Float32Array;
        y.dispose();
        return Float32Array.from(values);
      });
      const outside = layer.apply(x, { training: false }) as tf.Tensor;
      // Identity outside training.
      expect(Array.from(outside.dataSync()).every((v) => v === 0.5)).toBe(true);
      tf.dispose([x, outside]);
      compiled.dispose();
      return out;
    };
    const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

    it.each<[string, GraphDoc]>([
      ['Dropout', corrupting('Dropout', { rate: 0.5 })],
      ['GaussianNoise', corrupting('GaussianNoise', { stddev: 0.3 })],
      ['RandomMask', corrupting('RandomMask', { shape: 'blotches', count: 2, size: 0.4, fill: 'noise' })],
    ])('%s: a different draw on each training step, the same sequence for the same seed', (_kind, doc) => {
      const [first, second] = corrupted(doc, 2);
      // Of 256 values, a rate-0.5 mask, Gaussian noise or two holes changes many between two steps.
      expect(differing(first!, second!)).toBeGreaterThan(20);
      expect(differing(first!, first!.map(() => 0.5))).toBeGreaterThan(20);
      const again = corrupted(doc, 2);
      expect(again[0]).toEqual(first);
      expect(again[1]).toEqual(second);
    });

    it('counts its calls, and splits a batch by rows as it would draw them unsplit', () => {
      const compiled = compileGraph(corrupting('Dropout', { rate: 0.5 }), 5);
      const [layer] = noiseLayers(compiled.trainModel);
      const x = tf.fill([6, 8, 8, 1], 1);
      const whole = (layer!.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
      expect(layer!.calls).toBe(1);
      layer!.calls = 0;
      layer!.window = { rows: 6, offset: 2 };
      const part = (layer!.apply(tf.slice(x, 2, 3), { training: true }) as tf.Tensor).arraySync() as number[][][][];
      layer!.window = null;
      expect(part).toEqual(whole.slice(2, 5));
      tf.dispose(x);
      compiled.dispose();
    });
  });
});
