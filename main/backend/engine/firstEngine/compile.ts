import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BottleneckParams } from '../../../../core/blocks/bottleneck';
import type { ConvParams } from '../../../../core/blocks/conv2d';
import type { DenseParams } from '../../../../core/blocks/dense';
import type { OutputParams, ReconstructionLoss } from '../../../../core/blocks/output';
import type { MaxPoolParams, UpSamplingParams } from '../../../../core/blocks/pooling';
import { BOTTLENECK_KINDS, withDefaults } from '../../../../core/blocks/registry';
import type { ActivationParams, DropoutParams, GaussianNoiseParams } from '../../../../core/blocks/regularizers';
import type { RandomMaskParams } from '../../../../core/blocks/randomMask';
import type { ReshapeParams } from '../../../../core/blocks/reshape';
import { product } from '../../../../core/blocks/types';
import type { VariationalBottleneckParams } from '../../../../core/blocks/variationalBottleneck';
import type { GraphDoc, GraphNode } from '../../../../core/graph/types';
import { analyzeGraph, firstError, type GraphAnalysis } from '../../../../core/shapes/infer';
import type { Corruption } from '../../../../core/train/corruption';
import { CorruptionLayer } from './noise';
import { Sampling } from './sampling';

/** What the loss is made of, read from the graph's Output and bottleneck blocks. */
export interface LossSpec {
  reconstruction: ReconstructionLoss;
  sparsity: { kind: 'l1'; weight: number } | { kind: 'kl'; rho: number; weight: number } | null;
  variational: { beta: number; warmupEpochs: number } | null;
  /** Values per input image: the regularizers are divided by it to sit on the per-value reconstruction scale. */
  inputSize: number;
}

export interface CompiledModel {
  /** Input image -> reconstruction. */
  model: tfl.LayersModel;
  /** Input image -> [reconstruction, code, (mean, log-variance for a VAE)]: what the loss terms need. */
  trainModel: tfl.LayersModel;
  /** Input image -> latent code (the mean, for a VAE). */
  encoder: tfl.LayersModel;
  /** Latent code -> reconstruction (the same layers as the model's decoder half). */
  decoder: tfl.LayersModel;
  loss: LossSpec;
  analysis: GraphAnalysis;
  /**
   * The training-only corruptions applied to the input image itself (GaussianNoise, RandomMask right
   * after the Input), in order: what evaluation applies to show the corrupted input. Empty otherwise.
   */
  inputCorruptions: Corruption[];
  dispose(): void;
}

export class CompileError extends Error {
  override name = 'CompileError';
}

/** The corruption a training-only block applies, or null for any other block. */
function corruptionOf(node: GraphNode): Corruption | null {
  const params = withDefaults(node.kind, node.params);
  switch (node.kind) {
    case 'Dropout':
      return { kind: 'dropout', rate: (params as unknown as DropoutParams).rate };
    case 'GaussianNoise':
      return { kind: 'gaussian', stddev: (params as unknown as GaussianNoiseParams).stddev };
    case 'RandomMask': {
      const p = params as unknown as RandomMaskParams;
      return { kind: 'mask', shape: p.shape, count: p.count, size: p.size, fill: p.fill };
    }
    default:
      return null;
  }
}

/** The noise and mask blocks that act on the image as read (after the Input, or a Flatten of it). */
function inputCorruptions(chain: GraphNode[]): Corruption[] {
  const out: Corruption[] = [];
  for (const node of chain.slice(chain.findIndex((n) => n.kind === 'Input') + 1)) {
    if (node.kind === 'Flatten') continue;
    if (node.kind !== 'GaussianNoise' && node.kind !== 'RandomMask') break;
    out.push(corruptionOf(node)!);
  }
  return out;
}

function makeLayer(node: GraphNode, seed: number): tfl.layers.Layer | null {
  const params = withDefaults(node.kind, node.params);
  const kernelInitializer = tfl.initializers.glorotUniform({ seed });
  const name = node.id;
  switch (node.kind) {
    case 'Input':
    case 'Output':
    case 'VariationalBottleneck':
      return null;
    case 'Flatten':
      return tfl.layers.flatten({ name });
    case 'Dense': {
      const p = params as unknown as DenseParams;
      return tfl.layers.dense({ name, units: p.units, activation: p.activation, kernelInitializer });
    }
    case 'Bottleneck': {
      const p = params as unknown as BottleneckParams;
      return tfl.layers.dense({ name, units: p.latentSize, activation: p.activation, kernelInitializer });
    }
    case 'Reshape':
      return tfl.layers.reshape({ name, targetShape: (params as unknown as ReshapeParams).targetShape });
    case 'Conv2D':
    case 'Conv2DTranspose': {
      const p = params as unknown as ConvParams;
      const args = { name, filters: p.filters, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding, activation: p.activation, kernelInitializer };
      return node.kind === 'Conv2D' ? tfl.layers.conv2d(args) : tfl.layers.conv2dTranspose(args);
    }
    case 'MaxPool2D': {
      const p = params as unknown as MaxPoolParams;
      return tfl.layers.maxPooling2d({ name, poolSize: p.poolSize, strides: p.strides, padding: p.padding });
    }
    case 'UpSampling2D':
      return tfl.layers.upSampling2d({ name, size: [(params as unknown as UpSamplingParams).size, (params as unknown as UpSamplingParams).size] });
    // Not tfjs' Dropout (the same mask on every call) nor GaussianNoise (Math.random): see noise.ts.
    case 'Dropout':
    case 'GaussianNoise':
    case 'RandomMask':
      return new CorruptionLayer({ name, seed, corruption: corruptionOf(node)! });
    case 'BatchNorm':
      return tfl.layers.batchNormalization({ name });
    case 'Activation':
      return tfl.layers.activation({ name, activation: (params as unknown as ActivationParams).activation });
  }
}

function lossSpec(bottleneck: GraphNode, output: GraphNode, inputSize: number): LossSpec {
  const reconstruction = (withDefaults('Output', output.params) as unknown as OutputParams).loss;
  if (bottleneck.kind === 'VariationalBottleneck') {
    const p = withDefaults(bottleneck.kind, bottleneck.params) as unknown as VariationalBottleneckParams;
    return { reconstruction, sparsity: null, variational: { beta: p.beta, warmupEpochs: p.klWarmupEpochs }, inputSize };
  }
  const p = withDefaults(bottleneck.kind, bottleneck.params) as unknown as BottleneckParams;
  const sparsity = p.sparsity === 'l1' ? { kind: 'l1' as const, weight: p.l1Weight } : p.sparsity === 'kl' ? { kind: 'kl' as const, rho: p.rho, weight: p.klWeight } : null;
  return { reconstruction, sparsity, variational: null, inputSize };
}

/**
 * Builds the tfjs models for a valid graph. The layers are created once and applied twice:
 * along the full model, and from a fresh latent input for the decoder, so both share weights.
 */
export function compileGraph(doc: GraphDoc, seed = doc.training.seed): CompiledModel {
  const analysis = analyzeGraph(doc);
  const error = firstError(analysis);
  if (error) throw new CompileError(error);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const chain = analysis.order.map((id) => byId.get(id)!);
  const inputNode = chain.find((n) => n.kind === 'Input')!;
  const outputNode = chain.find((n) => n.kind === 'Output')!;
  const bottleneckIndex = chain.findIndex((n) => BOTTLENECK_KINDS.includes(n.kind));
  const bottleneck = chain[bottleneckIndex]!;

  const input = tfl.input({ shape: [...analysis.nodeShapes[inputNode.id]!], name: 'image' });
  let x: tfl.SymbolicTensor = input;
  let code: tfl.SymbolicTensor | null = null;
  let meanTensor: tfl.SymbolicTensor | null = null;
  let logVarTensor: tfl.SymbolicTensor | null = null;
  const decoderLayers: tfl.layers.Layer[] = [];
  chain.forEach((node, i) => {
    if (node.kind === 'VariationalBottleneck') {
      const p = withDefaults(node.kind, node.params) as unknown as VariationalBottleneckParams;
      const head = (suffix: string, offset: number) =>
        tfl.layers.dense({ name: `${node.id}-${suffix}`, units: p.latentSize, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i * 97 + offset }) });
      meanTensor = head('mean', 0).apply(x) as tfl.SymbolicTensor;
      logVarTensor = head('logvar', 1).apply(x) as tfl.SymbolicTensor;
      x = new Sampling({ name: `${node.id}-sample`, seed: seed + i }).apply([meanTensor, logVarTensor]) as tfl.SymbolicTensor;
    } else {
      const layer = makeLayer(node, seed + i);
      if (layer) {
        x = layer.apply(x) as tfl.SymbolicTensor;
        if (i > bottleneckIndex) decoderLayers.push(layer);
      }
    }
    if (i === bottleneckIndex) code = x;
  });
  const model = tfl.model({ inputs: input, outputs: x, name: 'autoencoder' });
  const trainOutputs = meanTensor && logVarTensor ? [x, code!, meanTensor, logVarTensor] : [x, code!];
  const trainModel = tfl.model({ inputs: input, outputs: trainOutputs, name: 'autoencoder_train' });
  const encoder = tfl.model({ inputs: input, outputs: meanTensor ?? code!, name: 'encoder' });
  const latentInput = tfl.input({ shape: [analysis.codeSize!], name: 'code' });
  let y: tfl.SymbolicTensor = latentInput;
  for (const layer of decoderLayers) y = layer.apply(y) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: latentInput, outputs: y, name: 'decoder' });
  return {
    model,
    trainModel,
    encoder,
    decoder,
    loss: lossSpec(bottleneck, outputNode, product(analysis.inputShape!)),
    analysis,
    inputCorruptions: inputCorruptions(chain),
    // A layer counts the models it was applied in: the decoder's layers were applied twice (model and
    // decoder), so both must let go before those weights are freed. The other models add no weights.
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
