/**
 * The TensorFlow.js export, written directly: the inference chain (deployment.ts) as three tfjs
 * Layers models (autoencoder, encoder, decoder), each a `model.json` in the Keras JSON form that
 * tfjs-layers' own `model.save` writes, and a `weights.bin` of little-endian float32 in manifest
 * order. `tf.loadLayersModel` loads them with nothing but tfjs' built-in layers; no tfjs is needed here.
 *
 * The checkpoint's weights are already in tfjs' layouts (dense [in, out], conv2d [k, k, in, out],
 * conv2dTranspose [k, k, out, in]) and names (`layer/kernel`), so they are copied as they are.
 */
import type { BottleneckParams } from '../blocks/bottleneck';
import type { ConvParams } from '../blocks/conv2d';
import type { DenseParams } from '../blocks/dense';
import type { MaxPoolParams, UpSamplingParams } from '../blocks/pooling';
import type { ActivationParams } from '../blocks/regularizers';
import type { ReshapeParams } from '../blocks/reshape';
import { ACTIVATIONS, type Activation } from '../blocks/types';
import type { GraphDoc } from '../graph/types';
import type { SavedTensor } from '../train/state';
import { ExportError, inferenceChain, weightLookup, type ChainStep } from './deployment';

/** The tfjs-layers release whose `model.save` output these files reproduce (its loader reads them). */
export const TFJS_LAYERS_VERSION = '4.22.0';

/** The input layers' names, as the README of the export and the ONNX models call them. */
export const TFJS_INPUT_NAMES = { image: 'image', code: 'code' } as const;

/** tf.layers.batchNormalization's defaults, which the app's engine uses too. */
const BATCHNORM = { axis: -1, momentum: 0.99, epsilon: 1e-3 };

/** What tfjs writes for its default initializers (Glorot uniform kernels, zero biases). */
const GLOROT_UNIFORM = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } };
const ZEROS = { class_name: 'Zeros', config: {} };
const ONES = { class_name: 'Ones', config: {} };

/** A layer name tfjs accepts (its tensor-name rule, without "/", which separates a weight's name). */
const VALID_NAME = /^[A-Za-z0-9][-A-Za-z0-9._]*$/;

export interface TfjsLayersModel {
  /** The model.json text. */
  modelJson: string;
  /** The weights.bin bytes. */
  weightsBin: Uint8Array;
}

export interface TfjsLayersModels {
  autoencoder: TfjsLayersModel;
  encoder: TfjsLayersModel;
  decoder: TfjsLayersModel;
}

interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** One block as a Keras layer: its class, config (name added later) and weights. */
interface LayerSpec {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** In tfjs' order: a layer's trainable weights; the model lists all of these before any `frozen`. */
  trainable: Weight[];
  /** Non-trainable weights (batch norm's moving statistics), listed after every trainable one. */
  frozen: Weight[];
}

const describe = (step: ChainStep) => `block "${step.node.id}" (${step.node.kind})`;

function activationName(step: ChainStep, activation: Activation): Activation {
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) throw new ExportError(`${describe(step)}: TensorFlow.js export does not support the activation "${String(activation)}"`);
  return activation;
}

/**
 * Layer names: the block ids where tfjs accepts them (the usual case, so layers and weights are
 * named as in the app), otherwise the id with its other characters replaced; never an input's name
 * and never twice.
 */
function layerNames(steps: readonly ChainStep[]): string[] {
  const taken = new Set<string>(Object.values(TFJS_INPUT_NAMES));
  return steps.map((step) => {
    let base = step.node.id;
    if (!VALID_NAME.test(base)) {
      base = base.replace(/[^-A-Za-z0-9._]/g, '_');
      if (!/^[A-Za-z0-9]/.test(base)) base = `layer${base}`;
    }
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  });
}

function layerSpec(step: ChainStep, name: string, lookup: ReturnType<typeof weightLookup>): LayerSpec {
  const p = step.params;
  const weight = (w: string, shape: number[]): Weight => ({ name: `${name}/${w}`, shape, data: lookup(step.node.id, w, shape).data });
  const spec = (className: string, config: Record<string, unknown>, trainable: Weight[] = [], frozen: Weight[] = []): LayerSpec => ({ name, className, config: { ...config, name, trainable: true }, trainable, frozen });
  const dense = (units: number, activation: Activation) => {
    if (step.inShape.length !== 1) throw new ExportError(`${describe(step)}: expects a flat vector, got ${step.inShape.join('×')}`);
    return spec(
      'Dense',
      { units, activation: activationName(step, activation), use_bias: true, kernel_initializer: GLOROT_UNIFORM, bias_initializer: ZEROS, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null },
      [weight('kernel', [step.inShape[0]!, units]), weight('bias', [units])],
    );
  };
  const conv = (transposed: boolean) => {
    const c = p as unknown as ConvParams;
    const inChannels = step.inShape[2]!;
    const kernel = weight('kernel', transposed ? [c.kernelSize, c.kernelSize, c.filters, inChannels] : [c.kernelSize, c.kernelSize, inChannels, c.filters]);
    return spec(
      transposed ? 'Conv2DTranspose' : 'Conv2D',
      {
        filters: c.filters,
        kernel_initializer: GLOROT_UNIFORM,
        kernel_regularizer: null,
        kernel_constraint: null,
        kernel_size: [c.kernelSize, c.kernelSize],
        strides: [c.strides, c.strides],
        padding: c.padding,
        data_format: 'channels_last',
        // tfjs' Conv2DTranspose has no dilation.
        ...(transposed ? {} : { dilation_rate: [1, 1] }),
        activation: activationName(step, c.activation),
        use_bias: true,
        bias_initializer: ZEROS,
        bias_regularizer: null,
        activity_regularizer: null,
        bias_constraint: null,
      },
      [kernel, weight('bias', [c.filters])],
    );
  };
  switch (step.node.kind) {
    case 'Dense': {
      const d = p as unknown as DenseParams;
      return dense(d.units, d.activation);
    }
    case 'Bottleneck': {
      const b = p as unknown as BottleneckParams;
      return dense(b.latentSize, b.activation);
    }
    case 'Conv2D':
      return conv(false);
    case 'Conv2DTranspose':
      return conv(true);
    case 'MaxPool2D': {
      const m = p as unknown as MaxPoolParams;
      return spec('MaxPooling2D', { pool_size: [m.poolSize, m.poolSize], padding: m.padding, strides: [m.strides, m.strides], data_format: 'channels_last' });
    }
    case 'UpSampling2D': {
      const size = (p as unknown as UpSamplingParams).size;
      return spec('UpSampling2D', { size: [size, size], data_format: 'channels_last', interpolation: 'nearest' });
    }
    case 'Flatten':
      // tfjs' Flatten wants an image (or any rank above a vector): a vector is passed through by a Reshape.
      return step.inShape.length > 1 ? spec('Flatten', {}) : spec('Reshape', { target_shape: [...step.outShape] });
    case 'Reshape':
      return spec('Reshape', { target_shape: [...(p as unknown as ReshapeParams).targetShape] });
    case 'BatchNorm': {
      const channels = [step.inShape[step.inShape.length - 1]!];
      return spec(
        'BatchNormalization',
        {
          ...BATCHNORM,
          center: true,
          scale: true,
          beta_initializer: ZEROS,
          gamma_initializer: ONES,
          moving_mean_initializer: ZEROS,
          moving_variance_initializer: ONES,
          beta_regularizer: null,
          gamma_regularizer: null,
          beta_constraint: null,
          gamma_constraint: null,
        },
        [weight('gamma', channels), weight('beta', channels)],
        [weight('moving_mean', channels), weight('moving_variance', channels)],
      );
    }
    case 'Activation':
      return spec('Activation', { activation: activationName(step, (p as unknown as ActivationParams).activation) });
    default:
      throw new ExportError(`${describe(step)}: TensorFlow.js export cannot express this block`);
  }
}

/** One model: an InputLayer, then `layers` in a chain; its weights as tfjs orders them. */
function writeModel(modelName: string, input: { name: string; shape: readonly number[] }, layers: readonly LayerSpec[]): TfjsLayersModel {
  const inputLayer = {
    name: input.name,
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, ...input.shape], dtype: 'float32', sparse: false, name: input.name },
    inbound_nodes: [],
  };
  const chained = layers.map((layer, i) => ({
    name: layer.name,
    class_name: layer.className,
    config: layer.config,
    inbound_nodes: [[[i === 0 ? input.name : layers[i - 1]!.name, 0, 0, {}]]],
  }));
  const last = layers.length ? layers[layers.length - 1]!.name : input.name;
  const weights = [...layers.flatMap((l) => l.trainable), ...layers.flatMap((l) => l.frozen)];
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'Bottleneck',
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: { name: modelName, layers: [inputLayer, ...chained], input_layers: [[input.name, 0, 0]], output_layers: [[last, 0, 0]] },
      keras_version: `tfjs-layers ${TFJS_LAYERS_VERSION}`,
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
  };
  const weightsBin = new Uint8Array(weights.reduce((n, w) => n + w.data.length * 4, 0));
  const view = new DataView(weightsBin.buffer);
  let offset = 0;
  for (const w of weights) {
    // Little-endian whatever the machine's order, as tfjs reads it.
    for (let i = 0; i < w.data.length; i++, offset += 4) view.setFloat32(offset, w.data[i]!, true);
  }
  return { modelJson: `${JSON.stringify(modelJson)}\n`, weightsBin };
}

/**
 * The autoencoder, its encoder (a VAE's mean) and its decoder (from the code) as tfjs Layers
 * models, with `weights` (a checkpoint's). Throws ExportError naming the block for a block tfjs
 * cannot express or a weight the checkpoint lacks or has misshapen.
 */
export function exportTfjsLayers(doc: GraphDoc, weights: readonly SavedTensor[]): TfjsLayersModels {
  const chain = inferenceChain(doc);
  const lookup = weightLookup(weights);
  const names = layerNames(chain.steps);
  const layers = chain.steps.map((step, i) => layerSpec(step, names[i]!, lookup));
  const image = { name: TFJS_INPUT_NAMES.image, shape: chain.input };
  return {
    autoencoder: writeModel('autoencoder', image, layers),
    encoder: writeModel('encoder', image, layers.slice(0, chain.bottleneck + 1)),
    decoder: writeModel('decoder', { name: TFJS_INPUT_NAMES.code, shape: [chain.codeSize] }, layers.slice(chain.bottleneck + 1)),
  };
}
