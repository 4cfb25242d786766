/**
 * The TensorFlow.js export: the autoencoder, the encoder and the decoder as tfjs Layers models
 * (model.json + weights.bin each, written by core/export/tfjsLayers.ts without tfjs), loadable with
 * `tf.loadLayersModel`.
 */
import { exportTfjsLayers } from '../../../core/export/tfjsLayers';
import type { GraphDoc } from '../../../core/graph/types';
import type { SavedTensor } from '../../../core/train/state';
import type { ExportedFile } from './files';

export function tfjsFiles(doc: GraphDoc, weights: readonly SavedTensor[]): ExportedFile[] {
  const models = exportTfjsLayers(doc, weights);
  return (['autoencoder', 'encoder', 'decoder'] as const).flatMap((folder) => [
    { path: `${folder}/model.json`, data: models[folder].modelJson },
    { path: `${folder}/weights.bin`, data: models[folder].weightsBin },
  ]);
}
