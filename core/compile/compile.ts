import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { withDefaults } from '../blocks/registry';
import type { BottleneckParams } from '../blocks/bottleneck';
import type { DenseParams } from '../blocks/dense';
import type { OutputParams, ReconstructionLoss } from '../blocks/output';
import type { ReshapeParams } from '../blocks/reshape';
import type { GraphDoc, GraphNode } from '../graph/types';
import { analyzeGraph, hasErrors, type GraphAnalysis } from '../shapes/infer';

export interface CompiledModel {
  /** Input image -> reconstruction. */
  model: tfl.LayersModel;
  /** Input image -> latent code. */
  encoder: tfl.LayersModel;
  /** Latent code -> reconstruction (the same layers as the model's decoder half). */
  decoder: tfl.LayersModel;
  loss: ReconstructionLoss;
  analysis: GraphAnalysis;
  dispose(): void;
}

export class CompileError extends Error {
  override name = 'CompileError';
}

function makeLayer(node: GraphNode, seed: number): tfl.layers.Layer | null {
  const params = withDefaults(node.kind, node.params);
  const kernelInitializer = tfl.initializers.glorotUniform({ seed });
  switch (node.kind) {
    case 'Input':
    case 'Output':
      return null;
    case 'Flatten':
      return tfl.layers.flatten({ name: node.id });
    case 'Dense': {
      const p = params as unknown as DenseParams;
      return tfl.layers.dense({ name: node.id, units: p.units, activation: p.activation, kernelInitializer });
    }
    case 'Bottleneck': {
      const p = params as unknown as BottleneckParams;
      return tfl.layers.dense({ name: node.id, units: p.latentSize, activation: 'linear', kernelInitializer });
    }
    case 'Reshape': {
      const p = params as unknown as ReshapeParams;
      return tfl.layers.reshape({ name: node.id, targetShape: p.targetShape });
    }
  }
}

/**
 * Builds the tfjs models for a valid graph. The layers are created once and applied twice:
 * along the full model, and from a fresh latent input for the decoder, so both share weights.
 */
export function compileGraph(doc: GraphDoc, seed = doc.training.seed): CompiledModel {
  const analysis = analyzeGraph(doc);
  if (hasErrors(analysis)) {
    const first = analysis.diagnostics.find((d) => d.severity === 'error')!;
    throw new CompileError(first.nodeId ? `node "${first.nodeId}": ${first.message}` : first.message);
  }
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const chain = analysis.order.map((id) => byId.get(id)!);
  const inputNode = chain.find((n) => n.kind === 'Input')!;
  const outputNode = chain.find((n) => n.kind === 'Output')!;
  const bottleneckIndex = chain.findIndex((n) => n.kind === 'Bottleneck');

  const input = tfl.input({ shape: [...analysis.nodeShapes[inputNode.id]!], name: 'image' });
  let x: tfl.SymbolicTensor = input;
  let code: tfl.SymbolicTensor | null = null;
  const decoderLayers: tfl.layers.Layer[] = [];
  chain.forEach((node, i) => {
    const layer = makeLayer(node, seed + i);
    if (layer) {
      x = layer.apply(x) as tfl.SymbolicTensor;
      if (i > bottleneckIndex) decoderLayers.push(layer);
    }
    if (i === bottleneckIndex) code = x;
  });
  const model = tfl.model({ inputs: input, outputs: x, name: 'autoencoder' });
  const encoder = tfl.model({ inputs: input, outputs: code!, name: 'encoder' });
  const latentInput = tfl.input({ shape: [analysis.codeSize!], name: 'code' });
  let y: tfl.SymbolicTensor = latentInput;
  for (const layer of decoderLayers) y = layer.apply(y) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: latentInput, outputs: y, name: 'decoder' });
  const loss = (withDefaults('Output', outputNode.params) as unknown as OutputParams).loss;
  return {
    model,
    encoder,
    decoder,
    loss,
    analysis,
    // A layer counts the models it was applied in: the decoder's layers were applied twice (model and
    // decoder), so both must let go before those weights are freed. The encoder's layers are the model's.
    dispose: () => {
      model.dispose();
      decoder.dispose();
    },
  };
}

const EPSILON = 1e-7;

/** Mean per-element reconstruction loss, as Keras computes binary_crossentropy and mse. */
export function reconstructionLoss(kind: ReconstructionLoss, prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (kind === 'mse') return tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar;
    const p = tf.clipByValue(prediction, EPSILON, 1 - EPSILON);
    const ll = tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}
