/**
 * The ONNX export: the three models compute what the training engine's own evaluation computes
 * (the same forward pass, through the deployment graph and the weights as initializers), declare
 * NHWC with a dynamic batch, fold constant work into their initializers, name the block of every
 * fault, and pass ONNX's own checker. Their independent check is the TensorFlow.js export, loaded
 * by tfjs-layers (export/tfjsExport.test.ts), and the PyTorch project (pytorchExport.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transposePads } from '../../core/compile/ops/padding';
import { planModel } from '../../core/compile/plan';
import type { ImageDataset } from '../../core/data/dataset';
import { ExportError } from '../../core/export/deployment';
import { exportOnnx, ONNX_NAMES, type OnnxModels } from '../../core/export/onnx';
import { decodeModel } from '../../core/export/onnxProto';
import type { GraphDoc } from '../../core/graph/types';
import { buildTemplate, TEMPLATE_NAMES } from '../../core/templates';
import { BUILTIN_FASHION_MNIST, loadDataset } from './datasets';
import { everyBlock, everyBlockVae, l1Sparse, oddImage } from './engine/testGraphs';
import { croppedImages, engineEvaluation, firstImages, maxAbsDiff, runOnnx, testCheckpoint } from './engine/testModels';

const TOLERANCE = 1e-5;
const PYTHON = '/usr/bin/python3';
const pythonOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;

let fashion: ImageDataset;
const measured: Record<string, number[]> = {};

beforeAll(() => {
  fashion = loadDataset(BUILTIN_FASHION_MNIST);
});

afterAll(() => {
  console.log(`ONNX export vs the engine's evaluation, max |difference| (autoencoder, encoder, decoder):\n${Object.entries(measured).map(([k, d]) => `  ${k}: ${d.map((v) => v.toExponential(1)).join(', ')}`).join('\n')}`);
});

/** Exports `doc` with test weights; on 16 images and on 1, the three models must give the engine's evaluation. */
async function checkGraph(label: string, doc: GraphDoc, seed: number, opset?: number): Promise<OnnxModels> {
  const weights = testCheckpoint(doc, seed);
  const models = exportOnnx(doc, weights, { opset });
  const diffs = [0, 0, 0];
  for (const count of [16, 1]) {
    const images = firstImages(croppedImages(fashion, 16, planModel(doc).inputShape), count);
    const ref = await engineEvaluation(doc, weights, images);
    const code = await runOnnx(models.encoder, { [ONNX_NAMES.image]: images });
    const parts = [
      maxAbsDiff(await runOnnx(models.autoencoder, { [ONNX_NAMES.image]: images }), ref.reconstruction),
      maxAbsDiff(code, ref.code),
      maxAbsDiff(await runOnnx(models.decoder, { [ONNX_NAMES.code]: ref.code }), ref.reconstruction),
    ];
    parts.forEach((d, i) => (diffs[i] = Math.max(diffs[i]!, d)));
  }
  measured[label] = diffs;
  diffs.forEach((d, i) => expect(d, `${label}: ${['autoencoder', 'encoder', 'decoder'][i]}`).toBeLessThan(TOLERANCE));
  return models;
}

interface Decoded {
  ir_version: number;
  producer_name: string;
  opset_import: { version: number }[];
  doc_string: string;
  graph: { node: { op_type: string; input: string[] }[]; initializer: { name: string; dims: number[] }[]; input: unknown[]; output: unknown[] };
}

describe('ONNX export', () => {
  it.each(TEMPLATE_NAMES)('%s: the three models compute the engine\'s evaluation (16 Fashion-MNIST images, and 1)', async (name) => {
    await checkGraph(name, buildTemplate(name), 17);
  });

  it.each([
    ['every block', everyBlock],
    ['every block with a VAE', everyBlockVae],
    ['an odd colour image', oddImage],
    ['L1 sparsity', l1Sparse],
  ] as const)('%s computes the engine\'s evaluation', async (label, make) => {
    await checkGraph(label, make(), 5);
  });

  it('writes the oldest supported opset (13) too', async () => {
    await checkGraph('every block, opset 13', everyBlock(), 6, 13);
  });

  it('declares NHWC inputs and outputs with a dynamic batch, ONNX IR 8 and opset 17', () => {
    const doc = buildTemplate('convolutional');
    const models = exportOnnx(doc, testCheckpoint(doc, 1));
    const io = (bytes: Uint8Array) => {
      const m = decodeModel(bytes) as unknown as Decoded;
      const dims = (v: unknown) => (v as { type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }).type.tensor_type.shape.dim.map((d) => d.dim_param ?? d.dim_value);
      const names = (vs: unknown[]) => vs.map((v) => (v as { name: string }).name);
      return { ir: m.ir_version, producer: m.producer_name, opset: m.opset_import.map((o) => o.version), doc: m.doc_string, inputs: names(m.graph.input), inputDims: dims(m.graph.input[0]), outputs: names(m.graph.output), outputDims: dims(m.graph.output[0]) };
    };
    const auto = io(models.autoencoder);
    expect(auto).toMatchObject({ ir: 8, producer: 'Bottleneck', opset: [17], inputs: ['image'], inputDims: ['N', 28, 28, 1], outputs: ['reconstruction'], outputDims: ['N', 28, 28, 1] });
    expect(auto.doc).toMatch(/Input "image" \[N, 28, 28, 1\].*output "reconstruction" \[N, 28, 28, 1\]/);
    expect(io(models.encoder)).toMatchObject({ inputs: ['image'], inputDims: ['N', 28, 28, 1], outputs: ['code'], outputDims: ['N', 32] });
    expect(io(models.decoder)).toMatchObject({ inputs: ['code'], inputDims: ['N', 32], outputs: ['reconstruction'], outputDims: ['N', 28, 28, 1] });
  });

  it('stores kernels in ONNX\'s layout and batch norm as its scale and shift: no node computes on weights alone', () => {
    const doc = everyBlock();
    for (const bytes of Object.values(exportOnnx(doc, testCheckpoint(doc, 2)))) {
      const { graph } = decodeModel(bytes) as unknown as Decoded;
      const initializers = new Set(graph.initializer.map((t) => t.name));
      const constantOnly = graph.node.filter((n) => n.input.filter(Boolean).every((i) => initializers.has(i)));
      expect(constantOnly.map((n) => n.op_type)).toEqual([]);
      // A convolution's kernel is an initializer of shape (out, in, k, k).
      for (const conv of graph.node.filter((n) => n.op_type === 'Conv')) expect(initializers.has(conv.input[1]!)).toBe(true);
    }
  });

  it('names the block when the checkpoint lacks a weight or has it misshapen', () => {
    const doc = buildTemplate('undercomplete');
    const weights = testCheckpoint(doc, 3);
    const dense = doc.nodes.find((n) => n.kind === 'Dense')!.id;
    const without = weights.filter((w) => w.name !== `${dense}/bias`);
    expect(() => exportOnnx(doc, without)).toThrow(ExportError);
    expect(() => exportOnnx(doc, without)).toThrow(`block "${dense}": the checkpoint has no bias`);
    const misshapen = weights.map((w) => (w.name === `${dense}/kernel` ? { ...w, shape: [w.shape[1]!, w.shape[0]!] } : w));
    expect(() => exportOnnx(doc, misshapen)).toThrow(new RegExp(`block "${dense}": kernel is`));
  });

  it('names the block of an invalid graph, and refuses an opset it was not checked against', () => {
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

  it.skipIf(!pythonOnnx)(`passes onnx.checker.check_model(full_check=True) (${PYTHON} with the onnx package${pythonOnnx ? '' : ': not installed here, skipped'})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bottleneck-onnx-'));
    try {
      const files: string[] = [];
      for (const [label, doc] of [['conv', buildTemplate('convolutional')], ['vae', buildTemplate('variational')], ['every', everyBlock()], ['odd', oddImage()]] as const) {
        for (const opset of [13, 17]) {
          for (const [part, bytes] of Object.entries(exportOnnx(doc, testCheckpoint(doc, 4), { opset }))) {
            const file = join(dir, `${label}-${opset}-${part}.onnx`);
            writeFileSync(file, bytes);
            files.push(file);
          }
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
