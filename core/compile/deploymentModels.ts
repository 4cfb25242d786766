/**
 * The tfjs models of a trained run as exported: the deployment graph (see deployment.ts) compiled
 * with standard layers only, carrying the checkpoint's weights. What the TensorFlow.js export saves
 * and what the other exporters are checked against.
 */
import * as tf from '@tensorflow/tfjs-core';
import { compileGraph, type CompiledModel } from './compile';
import type { GraphDoc } from '../graph/types';
import type { SavedTensor } from '../train/state';
import { deploymentGraph, weightLookup } from '../export/deployment';

export function deploymentModels(doc: GraphDoc, weights: readonly SavedTensor[]): CompiledModel {
  const compiled = compileGraph(deploymentGraph(doc));
  const lookup = weightLookup(weights);
  try {
    // A VAE's log-variance head is not part of the deployment graph: its weights stay behind.
    const values = compiled.model.weights.map((v) => {
      const slash = v.originalName.indexOf('/');
      const s = lookup(v.originalName.slice(0, slash), v.originalName.slice(slash + 1), v.shape as number[]);
      return tf.tensor(s.data, s.shape);
    });
    compiled.model.setWeights(values);
    tf.dispose(values);
  } catch (err) {
    compiled.dispose();
    throw err;
  }
  return compiled;
}
