import { seededRandom } from '../../core/train/random';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, type CompiledModel } from '../../core/compile/compile';
import { ExportError } from '../../core/export/deployment';
import { exportOnnx, transposePads, type OnnxModels } from '../../core/export/onnx';
import { decodeModel } from '../../core/export/onnxProto';
import type { BlockKind, GraphDoc } from '../../core/graph/types';
import { buildTemplate, TEMPLATE_NAMES } from '../../core/templates';
import { chainGraph } from '../../core/templates/undercomplete';
import { captureWeights } from '../../core/train/state';
import { BUILTIN_FASHION_MNIST, loadDataset } from './datasets';

// onnxruntime-node is CommonJS: required, as the app's main process would.
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');

const TOLERANCE = 1e-4;
const PYTHON = '/usr/bin/python3';
const pythonOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;


/**
 * Keeps the initial (Glorot) kernels but gives biases and BatchNorm's γ, β and moving statistics
 * values far from their zeros and ones, so that every term of every layer is exercised.
 */
function perturbWeights(compiled: CompiledModel, seed: number): void {
  const rand = seededRandom(seed);
  const values = compiled.model.weights.map((v) => {
    const name = v.originalName;
    const current = v.read();
    const size = current.size;
    const fill = (f: () => number) => tf.tensor(Float32Array.from({ length: size }, f), current.shape);
    if (/\/(bias|beta|moving_mean)$/.test(name)) return fill(() => (rand() - 0.5) * 0.4);
    if (/\/(gamma|moving_variance)$/.test(name)) return fill(() => 0.5 + rand());
    return current.clone();
  });
  compiled.model.setWeights(values);
  tf.dispose(values);
}

async function session(bytes: Uint8Array) {
  return ort.InferenceSession.create(bytes);
}

async function runOnnx(bytes: Uint8Array, inputName: string, input: tf.Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const s = await session(bytes);
  try {
    const feeds = { [inputName]: new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape) };
    const out = await s.run(feeds);
    const first = out[s.outputNames[0]!]!;
    return { data: first.data as Float32Array, dims: first.dims };
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

interface Diffs {
  autoencoder: number;
  encoder: number;
  decoder: number;
}

/** Runs the three ONNX models and the app's three models on `images`; the largest difference of each. */
async function compare(models: OnnxModels, compiled: CompiledModel, images: tf.Tensor): Promise<Diffs> {
  const appReconstruction = compiled.model.predict(images, { batchSize: images.shape[0] }) as tf.Tensor;
  const appCode = compiled.encoder.predict(images) as tf.Tensor;
  const appDecoded = compiled.decoder.predict(appCode) as tf.Tensor;
  const rec = await runOnnx(models.autoencoder, 'image', images);
  const code = await runOnnx(models.encoder, 'image', images);
  const decoded = await runOnnx(models.decoder, 'code', appCode);
  expect(rec.dims).toEqual(appReconstruction.shape);
  expect(code.dims).toEqual(appCode.shape);
  expect(decoded.dims).toEqual(appDecoded.shape);
  const diffs = {
    autoencoder: maxAbsDiff(rec.data, appReconstruction.dataSync() as Float32Array),
    encoder: maxAbsDiff(code.data, appCode.dataSync() as Float32Array),
    decoder: maxAbsDiff(decoded.data, appDecoded.dataSync() as Float32Array),
  };
  tf.dispose([appReconstruction, appCode, appDecoded]);
  return diffs;
}

/**
 * Graphs beyond the templates: every block kind and activation, asymmetric `same` pads in both
 * directions, a transposed convolution with a kernel shorter than its stride, pooling with
 * overlapping windows, BatchNorm on images and on vectors.
 */
function everyBlock(): GraphDoc {
  const b = (kind: BlockKind, params: Record<string, unknown> = {}) => ({ kind, params });
  return chainGraph('Every block', [
    b('Input', { height: 28, width: 28, channels: 1 }),
    b('GaussianNoise', { stddev: 0.2 }),
    b('Conv2D', { filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }), // 28 → 14, pads 0/1
    b('BatchNorm'),
    b('MaxPool2D', { poolSize: 3, strides: 2, padding: 'same' }), // 14 → 7, pads 0/1
    b('Conv2D', { filters: 4, kernelSize: 2, strides: 1, padding: 'valid', activation: 'selu' }), // 7 → 6
    b('Activation', { activation: 'tanh' }),
    b('Dropout', { rate: 0.3 }),
    b('Flatten'),
    b('BatchNorm'),
    b('Bottleneck', { latentSize: 10, activation: 'linear' }),
    b('Dense', { units: 36, activation: 'selu' }),
    b('Reshape', { targetShape: [3, 3, 4] }),
    b('Conv2DTranspose', { filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }), // 3 → 7
    b('UpSampling2D', { size: 2 }), // 7 → 14
    b('Conv2DTranspose', { filters: 5, kernelSize: 1, strides: 2, padding: 'same', activation: 'elu' }), // 14 → 28, k < s
    b('BatchNorm'),
    b('Conv2DTranspose', { filters: 1, kernelSize: 4, strides: 1, padding: 'same', activation: 'sigmoid' }), // pads 1/2
    b('Output', { loss: 'mse' }),
  ]);
}

/** An odd, non-square colour image: asymmetric pads that differ per axis, a VAE code. */
function oddImage(): GraphDoc {
  const b = (kind: BlockKind, params: Record<string, unknown> = {}) => ({ kind, params });
  return chainGraph('Odd image', [
    b('Input', { height: 17, width: 23, channels: 3 }),
    b('Conv2D', { filters: 4, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }), // 9×12
    b('MaxPool2D', { poolSize: 2, strides: 1, padding: 'same' }),
    b('Conv2DTranspose', { filters: 3, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }), // 18×24
    b('Flatten'),
    b('VariationalBottleneck', { latentSize: 8, beta: 1, klWarmupEpochs: 0 }),
    b('Dense', { units: 17 * 23 * 3, activation: 'linear' }),
    b('Reshape', { targetShape: [17, 23, 3] }),
    b('Conv2D', { filters: 3, kernelSize: 3, strides: 1, padding: 'same', activation: 'linear' }),
    b('BatchNorm'),
    b('Activation', { activation: 'sigmoid' }),
    b('Output', { loss: 'mse' }),
  ]);
}

let images16: tf.Tensor;
const measured: Record<string, Diffs> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
  const ds = loadDataset(BUILTIN_FASHION_MNIST);
  const size = ds.height * ds.width * ds.channels;
  const bytes = ds.validation.images.subarray(0, 16 * size);
  images16 = tf.tensor(Float32Array.from(bytes, (v) => v / 255), [16, ds.height, ds.width, ds.channels]);
});

afterAll(() => {
  images16?.dispose();
  // The measured error per model, for the record.
  console.log('ONNX vs tfjs, max |difference|:\n' + Object.entries(measured).map(([k, d]) => `  ${k}: autoencoder ${d.autoencoder.toExponential(2)}, encoder ${d.encoder.toExponential(2)}, decoder ${d.decoder.toExponential(2)}`).join('\n'));
});

async function checkGraph(label: string, doc: GraphDoc, images: tf.Tensor, seed: number, opset?: number) {
  const compiled = compileGraph(doc);
  try {
    perturbWeights(compiled, seed);
    const models = exportOnnx(doc, await captureWeights(compiled), { opset });
    const all = await compare(models, compiled, images);
    const one = tf.slice(images, 0, 1);
    const single = await compare(models, compiled, one);
    one.dispose();
    measured[label] = { autoencoder: Math.max(all.autoencoder, single.autoencoder), encoder: Math.max(all.encoder, single.encoder), decoder: Math.max(all.decoder, single.decoder) };
    expect(measured[label]!.autoencoder, `${label} autoencoder`).toBeLessThan(TOLERANCE);
    expect(measured[label]!.encoder, `${label} encoder`).toBeLessThan(TOLERANCE);
    expect(measured[label]!.decoder, `${label} decoder`).toBeLessThan(TOLERANCE);
    return models;
  } finally {
    compiled.dispose();
  }
}

describe('ONNX export', () => {
  it.each(TEMPLATE_NAMES)('%s: the three ONNX models compute what the app does (16 Fashion-MNIST images, and 1)', async (name) => {
    await checkGraph(name, buildTemplate(name), images16, 17);
  });

  it('every block kind, activation and padding case computes what the app does', async () => {
    await checkGraph('every block', everyBlock(), images16, 5);
  });

  it('an odd-sized colour image with a VAE code computes what the app does', async () => {
    const images = tf.randomUniform([16, 17, 23, 3], 0, 1, 'float32', 3);
    await checkGraph('odd image', oddImage(), images, 9);
    images.dispose();
  });

  it('writes the oldest supported opset (13) too', async () => {
    await checkGraph('every block, opset 13', everyBlock(), images16, 6, 13);
  });

  it('declares NHWC inputs and outputs with a dynamic batch, ONNX IR 8 and opset 17', async () => {
    const doc = buildTemplate('convolutional');
    const compiled = compileGraph(doc);
    const models = exportOnnx(doc, await captureWeights(compiled));
    compiled.dispose();
    const io = (bytes: Uint8Array) => {
      const m = decodeModel(bytes) as { ir_version: number; producer_name: string; opset_import: { version: number }[]; doc_string: string; graph: { input: unknown[]; output: unknown[] } };
      const dims = (v: unknown) => ((v as { type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }).type.tensor_type.shape.dim.map((d) => d.dim_param ?? d.dim_value));
      const names = (vs: unknown[]) => vs.map((v) => (v as { name: string }).name);
      return { ir: m.ir_version, producer: m.producer_name, opset: m.opset_import.map((o) => o.version), doc: m.doc_string, inputs: names(m.graph.input), inputDims: dims(m.graph.input[0]), outputs: names(m.graph.output), outputDims: dims(m.graph.output[0]) };
    };
    const auto = io(models.autoencoder);
    expect(auto).toMatchObject({ ir: 8, producer: 'Bottleneck', opset: [17], inputs: ['image'], inputDims: ['N', 28, 28, 1], outputs: ['reconstruction'], outputDims: ['N', 28, 28, 1] });
    expect(auto.doc).toMatch(/Input "image" \[N, 28, 28, 1\].*output "reconstruction" \[N, 28, 28, 1\]/);
    expect(io(models.encoder)).toMatchObject({ inputs: ['image'], inputDims: ['N', 28, 28, 1], outputs: ['code'], outputDims: ['N', 32] });
    expect(io(models.decoder)).toMatchObject({ inputs: ['code'], inputDims: ['N', 32], outputs: ['reconstruction'], outputDims: ['N', 28, 28, 1] });
  });

  it('names the block when the checkpoint lacks a weight or has it misshapen', async () => {
    const doc = buildTemplate('undercomplete');
    const compiled = compileGraph(doc);
    const weights = await captureWeights(compiled);
    compiled.dispose();
    const dense = doc.nodes.find((n) => n.kind === 'Dense')!.id;
    const without = weights.filter((w) => w.name !== `${dense}/bias`);
    expect(() => exportOnnx(doc, without)).toThrow(ExportError);
    expect(() => exportOnnx(doc, without)).toThrow(`block "${dense}": the checkpoint has no bias`);
    const misshapen = weights.map((w) => (w.name === `${dense}/kernel` ? { ...w, shape: [w.shape[1]!, w.shape[0]!] } : w));
    expect(() => exportOnnx(doc, misshapen)).toThrow(new RegExp(`block "${dense}": kernel is`));
  });

  it('names the block of an invalid graph, and refuses an opset it was not checked against', async () => {
    const doc = buildTemplate('convolutional');
    const conv = doc.nodes.find((n) => n.kind === 'Conv2D')!;
    conv.params = { ...conv.params, kernelSize: 40, padding: 'valid' };
    expect(() => exportOnnx(doc, [])).toThrow(new RegExp(`node "${conv.id}"`));
    expect(() => exportOnnx(buildTemplate('undercomplete'), [], { opset: 11 })).toThrow(ExportError);
  });

  it("reproduces tfjs' transposed-convolution sizes with pads and output_padding", () => {
    // (in, out, kernel, stride, padding) → ONNX output = (in − 1)·s + k − before − after + output_padding.
    for (const [n, k, s] of [[7, 3, 2], [7, 1, 2], [5, 4, 3], [6, 5, 1], [3, 2, 4]] as const) {
      for (const padding of ['same', 'valid'] as const) {
        const out = padding === 'same' ? n * s : n * s + Math.max(k - s, 0);
        const p = transposePads(n, out, k, s, padding);
        expect((n - 1) * s + k - p.before - p.after + p.outputPadding).toBe(out);
        expect(p.outputPadding).toBeLessThan(s);
      }
    }
  });

  it.skipIf(!pythonOnnx)(`passes onnx.checker.check_model(full_check=True) (${PYTHON} with the onnx package${pythonOnnx ? '' : ': not installed here, skipped'})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bottleneck-onnx-'));
    try {
      const files: string[] = [];
      for (const [label, doc] of [['conv', buildTemplate('convolutional')], ['vae', buildTemplate('variational')], ['every', everyBlock()], ['odd', oddImage()]] as const) {
        const compiled = compileGraph(doc);
        const models = exportOnnx(doc, await captureWeights(compiled));
        compiled.dispose();
        for (const [part, bytes] of Object.entries(models)) {
          const file = join(dir, `${label}-${part}.onnx`);
          writeFileSync(file, bytes);
          files.push(file);
        }
      }
      const script = 'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(p, full_check=True)\n    m = onnx.load(p)\n    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)\nprint("ok", len(sys.argv) - 1)';
      const out = execFileSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
      expect(out.trim()).toBe(`ok ${files.length}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
