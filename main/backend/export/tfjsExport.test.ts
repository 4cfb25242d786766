/**
 * The TensorFlow.js export: for every template and the engine's test graphs, the three models are
 * loaded from the written files with tfjs-layers (nothing of the app's registered) and compute what
 * the app's engine computes — onnxruntime running the app's ONNX export of the same weights — within
 * 1e-5, on Fashion-MNIST validation images (16 at once, and 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../../../core/data/dataset';
import { ExportError, inferenceChain, meanLayerName, TRAINING_ONLY_KINDS } from '../../../core/export/deployment';
import { exportOnnx, ONNX_NAMES } from '../../../core/export/onnx';
import type { GraphDoc } from '../../../core/graph/types';
import { TEMPLATE_NAMES, buildTemplate } from '../../../core/templates';
import { chainGraph } from '../../../core/templates/undercomplete';
import { BUILTIN_FASHION_MNIST, loadDataset } from '../datasets';
import { everyBlock, everyBlockVae, l1Sparse, oddImage } from '../engine/testGraphs';
import { croppedImages, maxAbsDiff, runOnnx, testCheckpoint as checkpoint, type Batch } from '../engine/testModels';
import type { ExportedFile } from './files';
import { tfjsFiles } from './tfjs';

// onnxruntime-node is CommonJS: required, as the app's main process does.

const TOLERANCE = 1e-5;
const IMAGES = 16;
const FOLDERS = ['autoencoder', 'encoder', 'decoder'] as const;
/** The Keras layers the export may use: all built into tfjs-layers. */
const KERAS_CLASSES = ['InputLayer', 'Dense', 'Conv2D', 'Conv2DTranspose', 'MaxPooling2D', 'UpSampling2D', 'Reshape', 'Flatten', 'BatchNormalization', 'Activation'];

interface ModelJson {
  format: string;
  modelTopology: { class_name: string; keras_version: string; config: { name: string; layers: { name: string; class_name: string }[] } };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

const fileOf = (files: ExportedFile[], path: string) => files.find((f) => f.path === path)!.data;
const modelJson = (files: ExportedFile[], folder: string) => JSON.parse(fileOf(files, `${folder}/model.json`) as string) as ModelJson;

/** The model a model.json and its weights.bin describe, loaded as tf.loadLayersModel loads files. */
async function load(files: ExportedFile[], folder: string): Promise<tfl.LayersModel> {
  const json = modelJson(files, folder);
  expect(json.format).toBe('layers-model');
  // The format of the tfjs-layers this was checked against (the one installed here).
  expect(json.modelTopology.keras_version).toBe(`tfjs-layers ${tfl.version_layers}`);
  expect(json.weightsManifest).toHaveLength(1);
  expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  const bin = fileOf(files, `${folder}/weights.bin`) as Uint8Array;
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
}

function predict(model: tfl.LayersModel, input: Batch): Batch {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor(input.data, input.dims)) as tf.Tensor;
    return { data: out.dataSync() as Float32Array, dims: out.shape };
  });
}

let fashion: ImageDataset;

const measured: Record<string, number[]> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
  fashion = loadDataset(BUILTIN_FASHION_MNIST);
});

afterAll(() => {
  console.log(`TensorFlow.js export vs the app's engine (ONNX Runtime), max |difference| (autoencoder, encoder, decoder):\n${Object.entries(measured).map(([k, d]) => `  ${k}: ${d.map((v) => v.toExponential(1)).join(', ')}`).join('\n')}`);
});

/** Exports `doc` both ways with the same weights; the reloaded tfjs models must compute what the engine does. */
async function checkGraph(label: string, doc: GraphDoc, seed: number): Promise<ExportedFile[]> {
  const weights = checkpoint(doc, seed);
  const files = tfjsFiles(doc, weights);
  expect(files.map((f) => f.path).sort()).toEqual(['autoencoder/model.json', 'autoencoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']);
  const onnx = exportOnnx(doc, weights);
  const chain = inferenceChain(doc);
  const [autoencoder, encoder, decoder] = await Promise.all(FOLDERS.map((f) => load(files, f)));
  try {
    // As the export's README says: `image` in, the reconstruction out; the decoder takes `code`.
    expect([autoencoder!.inputNames, encoder!.inputNames, decoder!.inputNames]).toEqual([['image'], ['image'], ['code']]);
    expect([autoencoder!.inputs[0]!.shape, autoencoder!.outputs[0]!.shape]).toEqual([[null, ...chain.input], [null, ...chain.input]]);
    expect([encoder!.outputs[0]!.shape, decoder!.inputs[0]!.shape, decoder!.outputs[0]!.shape]).toEqual([[null, chain.codeSize], [null, chain.codeSize], [null, ...chain.input]]);
    const diffs = [0, 0, 0];
    for (const count of [IMAGES, 1]) {
      const images = croppedImages(fashion, count, chain.input);
      const code = await runOnnx(onnx.encoder, { [ONNX_NAMES.image]: images });
      const batch = [
        maxAbsDiff(predict(autoencoder!, images), await runOnnx(onnx.autoencoder, { [ONNX_NAMES.image]: images })),
        maxAbsDiff(predict(encoder!, images), code),
        maxAbsDiff(predict(decoder!, code), await runOnnx(onnx.decoder, { [ONNX_NAMES.code]: code })),
      ];
      batch.forEach((d, i) => (diffs[i] = Math.max(diffs[i]!, d)));
    }
    measured[label] = diffs;
    FOLDERS.forEach((folder, i) => expect(diffs[i], `${label} ${folder}`).toBeLessThanOrEqual(TOLERANCE));
  } finally {
    for (const m of [autoencoder, encoder, decoder]) m?.dispose();
  }
  return files;
}

describe('TensorFlow.js export', () => {
  it.each(TEMPLATE_NAMES)('%s: the reloaded autoencoder, encoder and decoder compute what the app’s engine does within 1e-5', async (name) => {
    const files = await checkGraph(name, buildTemplate(name), 17);
    // Only tfjs' own layers: loading needed nothing the app registers (none of it is loaded here).
    for (const folder of FOLDERS) for (const layer of modelJson(files, folder).modelTopology.config.layers) expect(KERAS_CLASSES).toContain(layer.class_name);
    expect(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).filter((c) => c.startsWith('Bottleneck'))).toEqual([]);
  });

  it.each([
    ['every block kind, activation and padding case', everyBlock],
    ['every block with a VAE code', everyBlockVae],
    ['an odd-sized colour image with a VAE code', oddImage],
    ['an L1-sparse relu code', l1Sparse],
  ] as const)('%s: the reloaded models compute what the app’s engine does within 1e-5', async (_, graph) => {
    const doc = graph();
    const files = await checkGraph(doc.name, doc, 5);
    // Training-only blocks are left out; a VAE's code is its mean's dense layer.
    const kept = doc.nodes.filter((n) => !['Input', 'Output', ...TRAINING_ONLY_KINDS].includes(n.kind));
    const expected = kept.map((n) => (n.kind === 'VariationalBottleneck' ? meanLayerName(n.id) : n.id));
    expect(modelJson(files, 'autoencoder').modelTopology.config.layers.map((l) => l.name)).toEqual(['image', ...expected]);
    const bottleneck = kept.findIndex((n) => n.kind.endsWith('Bottleneck'));
    expect(modelJson(files, 'encoder').modelTopology.config.layers.map((l) => l.name)).toEqual(['image', ...expected.slice(0, bottleneck + 1)]);
    expect(modelJson(files, 'decoder').modelTopology.config.layers.map((l) => l.name)).toEqual(['code', ...expected.slice(bottleneck + 1)]);
  });

  it('names layers tfjs accepts when block ids are not (spaces, a leading "_", the inputs’ names), and passes a flat vector through Flatten', async () => {
    const doc = chainGraph('Odd names', [
      { kind: 'Input', params: { height: 12, width: 12, channels: 1 } },
      { kind: 'Flatten' },
      { kind: 'Flatten' },
      { kind: 'Dense', params: { units: 24, activation: 'elu' } },
      { kind: 'Bottleneck', params: { latentSize: 6, activation: 'tanh' } },
      { kind: 'Dense', params: { units: 144, activation: 'sigmoid' } },
      { kind: 'Reshape', params: { targetShape: [12, 12, 1] } },
      { kind: 'BatchNorm' },
      { kind: 'Output', params: { loss: 'mse' } },
    ]);
    const ids = ['input', 'my flatten', 'flatten', 'code', 'image', 'dense/1', 'reshape', '_bn', 'output'];
    const renamed = new Map(doc.nodes.map((n, i) => [n.id, ids[i]!]));
    doc.nodes.forEach((n) => (n.id = renamed.get(n.id)!));
    doc.edges.forEach((e) => Object.assign(e, { source: renamed.get(e.source)!, target: renamed.get(e.target)! }));
    const files = await checkGraph('odd names', doc, 8);
    expect(modelJson(files, 'autoencoder').modelTopology.config.layers.map((l) => l.name)).toEqual(['image', 'my_flatten', 'flatten', 'code_2', 'image_2', 'dense_1', 'reshape', 'layer_bn']);
  });

  it('names the block when the checkpoint lacks a weight or has it misshapen', () => {
    const doc = buildTemplate('convolutional');
    const weights = checkpoint(doc, 1);
    const conv = doc.nodes.find((n) => n.kind === 'Conv2DTranspose')!.id;
    const without = weights.filter((w) => w.name !== `${conv}/bias`);
    expect(() => tfjsFiles(doc, without)).toThrow(ExportError);
    expect(() => tfjsFiles(doc, without)).toThrow(`block "${conv}": the checkpoint has no bias`);
    const misshapen = weights.map((w) => (w.name === `${conv}/kernel` ? { ...w, shape: [...w.shape].reverse() } : w));
    expect(() => tfjsFiles(doc, misshapen)).toThrow(new RegExp(`block "${conv}": kernel is`));
  });
});
