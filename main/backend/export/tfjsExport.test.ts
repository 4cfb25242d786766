/**
 * The TensorFlow.js export: every template's three models, saved as files and loaded back with
 * tf.loadLayersModel, compute what the app's own models compute (within 1e-6), on validation images.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, type CompiledModel } from '../../../core/compile/compile';
import { imageAt, imageSize } from '../../../core/data/dataset';
import { TEMPLATE_NAMES, buildTemplate } from '../../../core/templates';
import { captureWeights } from '../../../core/train/state';
import { BUILTIN_FASHION_MNIST, loadDataset } from '../datasets';
import type { ExportedFile } from './files';
import { tfjsFiles } from './tfjs';

const IMAGES = 16;

/** The model a model.json and its weights.bin describe, loaded as tf.loadLayersModel loads files. */
async function load(files: ExportedFile[], folder: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(files.find((f) => f.path === `${folder}/model.json`)!.data as string) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  const bin = files.find((f) => f.path === `${folder}/weights.bin`)!.data as Uint8Array;
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
}

/** Non-zero biases and BatchNorm statistics, so every weight the export carries matters. */
function perturb(compiled: CompiledModel): void {
  const values = compiled.model.weights.map((w, i) => tf.tidy(() => tf.add(w.read(), tf.mul(tf.randomUniform(w.shape as number[], -0.05, 0.05, 'float32', 100 + i), w.name.endsWith('variance') ? 0 : 1))));
  compiled.model.setWeights(values);
  tf.dispose(values);
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

let images: tf.Tensor4D;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = loadDataset(BUILTIN_FASHION_MNIST);
  const size = imageSize(data);
  const pixels = new Float32Array(IMAGES * size);
  for (let i = 0; i < IMAGES; i++) pixels.set(Array.from(imageAt(data.validation, size, i), (v) => v / 255), i * size);
  images = tf.tensor4d(pixels, [IMAGES, data.height, data.width, data.channels]);
});

describe('TensorFlow.js export', () => {
  it.each(TEMPLATE_NAMES)('%s: the reloaded autoencoder, encoder and decoder equal the app’s within 1e-6', async (name) => {
    const compiled = compileGraph(buildTemplate(name));
    perturb(compiled);
    const files = await tfjsFiles(buildTemplate(name), await captureWeights(compiled));
    expect(files.map((f) => f.path).sort()).toEqual(['autoencoder/model.json', 'autoencoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']);
    const [autoencoder, encoder, decoder] = await Promise.all(['autoencoder', 'encoder', 'decoder'].map((f) => load(files, f)));
    const ours = compiled.model.predict(images) as tf.Tensor;
    const code = compiled.encoder.predict(images) as tf.Tensor;
    const decoded = compiled.decoder.predict(code) as tf.Tensor;
    const diffs = [maxDiff(autoencoder!.predict(images) as tf.Tensor, ours), maxDiff(encoder!.predict(images) as tf.Tensor, code), maxDiff(decoder!.predict(code) as tf.Tensor, decoded)];
    console.log(`${name}: max |Δ| autoencoder ${diffs[0]!.toExponential(1)}, encoder ${diffs[1]!.toExponential(1)}, decoder ${diffs[2]!.toExponential(1)}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-6);
    // Nothing the app registers itself is needed to load them.
    const classes = JSON.stringify(JSON.parse(files.find((f) => f.path === 'autoencoder/model.json')!.data as string).modelTopology);
    expect(classes).not.toMatch(/BottleneckSampling|Corruption/);
    tf.dispose([ours, code, decoded]);
    for (const m of [autoencoder, encoder, decoder]) m!.dispose();
    compiled.dispose();
  });
});
