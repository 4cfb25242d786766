/**
 * The TensorFlow.js export: the autoencoder, the encoder and the decoder as tfjs Layers models
 * (model.json + weights.bin each), loadable with `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs-core';
// Exports run where the service runs, which may have no backend of its own: the CPU one is enough.
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deploymentModels } from '../../../core/compile/deploymentModels';
import type { GraphDoc } from '../../../core/graph/types';
import type { SavedTensor } from '../../../core/train/state';
import type { ExportedFile } from './files';

/** model.json and weights.bin of one model, as `tf.io.browserFiles` or `file://` loading expects them. */
async function layersModelFiles(model: tfl.LayersModel, folder: string): Promise<ExportedFile[]> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts! as tf.io.ModelArtifacts;
  const weightData = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
  const modelJson = {
    format: 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
  };
  return [
    { path: `${folder}/model.json`, data: `${JSON.stringify(modelJson)}\n` },
    { path: `${folder}/weights.bin`, data: new Uint8Array(weightData) },
  ];
}

export async function tfjsFiles(doc: GraphDoc, weights: readonly SavedTensor[]): Promise<ExportedFile[]> {
  const compiled = deploymentModels(doc, weights);
  try {
    return [
      ...(await layersModelFiles(compiled.model, 'autoencoder')),
      ...(await layersModelFiles(compiled.encoder, 'encoder')),
      ...(await layersModelFiles(compiled.decoder, 'decoder')),
    ];
  } finally {
    compiled.dispose();
  }
}
