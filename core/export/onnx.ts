/**
 * ONNX export: the inference chain (deployment.ts) as three ONNX models (autoencoder, encoder,
 * decoder) that compute what the app computes, with the trained weights as initializers.
 *
 * The models take and return NHWC, as the app does: `image` [N, H, W, C] in, `reconstruction`
 * [N, H, W, C] out, `code` [N, codeSize] between (N is a dynamic batch). Inside, convolution and
 * pooling run in ONNX's NCHW: a Transpose is inserted only where the layout must change (before the
 * first spatial block, and back before a Flatten, a Reshape or the output), so Flatten unrolls in
 * NHWC order like tfjs and the Dense weights fit as trained.
 *
 * TensorFlow's `same` padding puts the odd extra pixel at the bottom and right; ONNX's auto_pad
 * would guess, so every pad is explicit. A transposed convolution reproduces tfjs'
 * conv2dTranspose (the gradient of the forward convolution whose input is the output size):
 * `pads` crop the full transposed result and `output_padding` extends it where the kernel is
 * shorter than the stride.
 */
import type { ConvParams } from '../blocks/conv2d';
import type { DenseParams } from '../blocks/dense';
import type { MaxPoolParams, UpSamplingParams } from '../blocks/pooling';
import type { ReshapeParams } from '../blocks/reshape';
import type { ActivationParams } from '../blocks/regularizers';
import type { Activation } from '../blocks/types';
import type { BottleneckParams } from '../blocks/bottleneck';
import type { GraphDoc } from '../graph/types';
import type { SavedTensor } from '../train/state';
import { ExportError, inferenceChain, weightLookup, type ChainStep } from './deployment';
import { AttributeType, DataType, encodeModel, type AttributeMessage, type NodeMessage, type TensorMessage, type ValueInfoMessage } from './onnxProto';

export interface OnnxModels {
  autoencoder: Uint8Array;
  encoder: Uint8Array;
  decoder: Uint8Array;
}

export interface OnnxOptions {
  /** The default ONNX operator set version (13 to 17; default 17). */
  opset?: number;
}

export const ONNX_IR_VERSION = 8;
export const DEFAULT_OPSET = 17;
/** Resize takes (X, roi, scales) from opset 13; 17 is the newest this writer was checked against. */
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;

/** The models' input and output names. */
export const ONNX_NAMES = { image: 'image', code: 'code', reconstruction: 'reconstruction' } as const;

/** tfjs' SELU constants (tfjs-core selu_util): ONNX's defaults differ in the 8th digit, so they are written out. */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALEALPHA = 1.7580993408473768599402175208123;
/** tf.layers.batchNormalization's default epsilon (compile.ts keeps it). */
const BATCHNORM_EPSILON = 1e-3;

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

type Layout = 'NHWC' | 'NCHW';

const describe = (step: ChainStep) => `block "${step.node.id}" (${step.node.kind})`;

/** Float32 values as little-endian bytes, whatever the machine's order. */
function floatBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

/** Permutes a row-major tensor's axes (out axis i is in axis perm[i]). */
function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += index[a]! * inStrides[perm[a]!]!;
    out[o] = data[src]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a]! < outShape[a]!) break;
      index[a] = 0;
    }
  }
  return { data: out, shape: outShape };
}

const attrInt = (name: string, i: number): AttributeMessage => ({ name, type: AttributeType.INT, i });
const attrInts = (name: string, ints: number[]): AttributeMessage => ({ name, type: AttributeType.INTS, ints });
const attrFloat = (name: string, f: number): AttributeMessage => ({ name, type: AttributeType.FLOAT, f });
const attrString = (name: string, s: string): AttributeMessage => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) });

/** TensorFlow's padding along one axis: [before, after], the odd pixel after. */
export function tfPads(length: number, kernel: number, stride: number, padding: 'same' | 'valid'): [number, number] {
  if (padding === 'valid') return [0, 0];
  const out = Math.ceil(length / stride);
  const total = Math.max((out - 1) * stride + kernel - length, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * ONNX ConvTranspose pads and output_padding along one axis that give tfjs' conv2dTranspose of
 * `length` to `outLength`: the full transposed result ((length − 1)·stride + kernel) cropped by
 * the forward convolution's padding (before = its top/left pad), extended with output_padding
 * where it is shorter than outLength.
 */
export function transposePads(length: number, outLength: number, kernel: number, stride: number, padding: 'same' | 'valid'): { before: number; after: number; outputPadding: number } {
  const [before] = tfPads(outLength, kernel, stride, padding);
  const full = (length - 1) * stride + kernel;
  const after = full - before - outLength;
  return after >= 0 ? { before, after, outputPadding: 0 } : { before, after: 0, outputPadding: -after };
}

/** One ONNX graph being written: nodes, initializers, and where the running tensor stands. */
class GraphWriter {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private names = new Set<string>();
  current: string;
  /** The layout of the running tensor when it is an image (rank 4 with the batch). */
  layout: Layout = 'NHWC';

  constructor(
    input: string,
    private lookup: ReturnType<typeof weightLookup>,
  ) {
    this.current = input;
    this.names.add(input);
  }

  private unique(name: string): string {
    let candidate = name;
    for (let i = 1; this.names.has(candidate); i++) candidate = `${name}_${i}`;
    this.names.add(candidate);
    return candidate;
  }

  /** Adds a node on the running tensor (plus `extra` inputs); its output becomes the running tensor. */
  op(block: string, opType: string, extra: string[] = [], attribute: AttributeMessage[] = []): string {
    const output = this.unique(`${block}/${opType}`);
    this.nodes.push({ name: output, op_type: opType, input: [this.current, ...extra], output: [output], attribute });
    this.current = output;
    return output;
  }

  floatInit(name: string, dims: number[], values: ArrayLike<number>): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data_type: DataType.FLOAT, raw_data: floatBytes(values) });
    return unique;
  }

  int64Init(name: string, values: number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [values.length], data_type: DataType.INT64, raw_data: int64Bytes(values) });
    return unique;
  }

  weight(step: ChainStep, weight: string, shape: readonly number[]) {
    return this.lookup(step.node.id, weight, shape);
  }

  /** Puts an image tensor in `layout`, transposing if needed. */
  to(layout: Layout, block: string, isImage: boolean): void {
    if (!isImage || this.layout === layout) return;
    this.op(block, 'Transpose', [], [attrInts('perm', layout === 'NCHW' ? TO_NCHW : TO_NHWC)]);
    this.layout = layout;
  }

  activation(step: ChainStep, activation: Activation): void {
    const block = step.node.id;
    switch (activation) {
      case 'linear':
        return;
      case 'relu':
        this.op(block, 'Relu');
        return;
      case 'sigmoid':
        this.op(block, 'Sigmoid');
        return;
      case 'tanh':
        this.op(block, 'Tanh');
        return;
      case 'elu':
        this.op(block, 'Elu', [], [attrFloat('alpha', 1)]);
        return;
      case 'selu':
        this.op(block, 'Selu', [], [attrFloat('alpha', SELU_SCALEALPHA / SELU_SCALE), attrFloat('gamma', SELU_SCALE)]);
        return;
      default:
        throw new ExportError(`${describe(step)}: ONNX export does not support the activation "${String(activation)}"`);
    }
  }

  /** Dense (and the bottleneck): Gemm with the [in, out] kernel as trained, then the activation. */
  dense(step: ChainStep, units: number, activation: Activation): void {
    const inFeatures = step.inShape[0]!;
    if (step.inShape.length !== 1) throw new ExportError(`${describe(step)}: expects a flat vector, got ${step.inShape.join('×')}`);
    const kernel = this.weight(step, 'kernel', [inFeatures, units]);
    const bias = this.weight(step, 'bias', [units]);
    const k = this.floatInit(`${step.node.id}/kernel`, [inFeatures, units], kernel.data);
    const b = this.floatInit(`${step.node.id}/bias`, [units], bias.data);
    this.op(step.node.id, 'Gemm', [k, b]);
    this.activation(step, activation);
  }

  conv(step: ChainStep, p: ConvParams, transposed: boolean): void {
    const [h, w, inC] = step.inShape as [number, number, number];
    const [oh, ow] = step.outShape as [number, number, number];
    const k = p.kernelSize;
    const s = p.strides;
    // tfjs: conv2d [kh, kw, in, out], conv2dTranspose [kh, kw, out, in]; ONNX Conv (out, in, kh, kw),
    // ConvTranspose (in, out, kh, kw): the same permutation for both.
    const saved = this.weight(step, 'kernel', transposed ? [k, k, p.filters, inC] : [k, k, inC, p.filters]);
    const onnxKernel = permute(saved.data, saved.shape, [3, 2, 0, 1]);
    const bias = this.weight(step, 'bias', [p.filters]);
    const kernelName = this.floatInit(`${step.node.id}/kernel`, onnxKernel.shape, onnxKernel.data);
    const biasName = this.floatInit(`${step.node.id}/bias`, [p.filters], bias.data);
    this.to('NCHW', step.node.id, true);
    const common = [attrInts('kernel_shape', [k, k]), attrInts('strides', [s, s]), attrInts('dilations', [1, 1]), attrInt('group', 1)];
    if (!transposed) {
      const [top, bottom] = tfPads(h, k, s, p.padding);
      const [left, right] = tfPads(w, k, s, p.padding);
      this.op(step.node.id, 'Conv', [kernelName, biasName], [...common, attrInts('pads', [top, left, bottom, right])]);
    } else {
      const y = transposePads(h, oh, k, s, p.padding);
      const x = transposePads(w, ow, k, s, p.padding);
      this.op(step.node.id, 'ConvTranspose', [kernelName, biasName], [
        ...common,
        attrInts('pads', [y.before, x.before, y.after, x.after]),
        attrInts('output_padding', [y.outputPadding, x.outputPadding]),
      ]);
    }
    this.activation(step, p.activation);
  }

  maxPool(step: ChainStep, p: MaxPoolParams): void {
    const [h, w] = step.inShape as [number, number, number];
    const [top, bottom] = tfPads(h, p.poolSize, p.strides, p.padding);
    const [left, right] = tfPads(w, p.poolSize, p.strides, p.padding);
    this.to('NCHW', step.node.id, true);
    // ONNX MaxPool ignores padded cells, as TensorFlow's same pooling does.
    this.op(step.node.id, 'MaxPool', [], [attrInts('kernel_shape', [p.poolSize, p.poolSize]), attrInts('strides', [p.strides, p.strides]), attrInts('pads', [top, left, bottom, right]), attrInt('ceil_mode', 0)]);
  }

  upSampling(step: ChainStep, p: UpSamplingParams): void {
    this.to('NCHW', step.node.id, true);
    const scales = this.floatInit(`${step.node.id}/scales`, [4], [1, 1, p.size, p.size]);
    // tf.image.resizeNearestNeighbor (no corner alignment, no half-pixel centres): source = floor(out / size).
    this.op(step.node.id, 'Resize', ['', scales], [attrString('mode', 'nearest'), attrString('coordinate_transformation_mode', 'asymmetric'), attrString('nearest_mode', 'floor')]);
  }

  /** Reshape to [batch, ...shape] (HWC for an image), from NHWC so values keep tfjs' order. */
  reshape(step: ChainStep, shape: readonly number[]): void {
    this.to('NHWC', step.node.id, step.inShape.length === 3);
    const target = this.int64Init(`${step.node.id}/shape`, [-1, ...shape]);
    this.op(step.node.id, 'Reshape', [target]);
    this.layout = 'NHWC';
  }

  /** Inference batch norm over the last (channel) axis, folded to x·scale + shift. */
  batchNorm(step: ChainStep): void {
    const channels = step.inShape[step.inShape.length - 1]!;
    const get = (name: string) => this.weight(step, name, [channels]).data;
    const gamma = get('gamma');
    const beta = get('beta');
    const mean = get('moving_mean');
    const variance = get('moving_variance');
    const scale = new Float32Array(channels);
    const shift = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      scale[c] = gamma[c]! / Math.sqrt(variance[c]! + BATCHNORM_EPSILON);
      shift[c] = beta[c]! - mean[c]! * scale[c]!;
    }
    const image = step.inShape.length === 3;
    const dims = image && this.layout === 'NCHW' ? [channels, 1, 1] : [channels];
    const s = this.floatInit(`${step.node.id}/scale`, dims, scale);
    const b = this.floatInit(`${step.node.id}/shift`, dims, shift);
    this.op(step.node.id, 'Mul', [s]);
    this.op(step.node.id, 'Add', [b]);
  }

  step(step: ChainStep): void {
    const p = step.params;
    switch (step.node.kind) {
      case 'Dense': {
        const d = p as unknown as DenseParams;
        return this.dense(step, d.units, d.activation);
      }
      case 'Bottleneck': {
        const b = p as unknown as BottleneckParams;
        return this.dense(step, b.latentSize, b.activation);
      }
      case 'Conv2D':
        return this.conv(step, p as unknown as ConvParams, false);
      case 'Conv2DTranspose':
        return this.conv(step, p as unknown as ConvParams, true);
      case 'MaxPool2D':
        return this.maxPool(step, p as unknown as MaxPoolParams);
      case 'UpSampling2D':
        return this.upSampling(step, p as unknown as UpSamplingParams);
      case 'Flatten':
        return this.reshape(step, [step.outShape[0]!]);
      case 'Reshape':
        return this.reshape(step, (p as unknown as ReshapeParams).targetShape);
      case 'BatchNorm':
        return this.batchNorm(step);
      case 'Activation':
        return this.activation(step, (p as unknown as ActivationParams).activation);
      default:
        throw new ExportError(`${describe(step)}: ONNX export cannot express this block`);
    }
  }
}

function tensorInfo(name: string, shape: readonly number[], doc: string): ValueInfoMessage {
  return {
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: 'N' }, ...shape.map((d) => ({ dim_value: d }))] } } },
    doc_string: doc,
  };
}

interface End {
  name: string;
  shape: readonly number[];
  doc: string;
}

function writeModel(name: string, steps: readonly ChainStep[], input: End, output: End, lookup: ReturnType<typeof weightLookup>, opset: number, doc: string): Uint8Array {
  const g = new GraphWriter(input.name, lookup);
  for (const step of steps) g.step(step);
  g.to('NHWC', 'output', output.shape.length === 3);
  const last = g.nodes[g.nodes.length - 1];
  if (last && last.output[0] === g.current) {
    last.output[0] = output.name;
  } else {
    g.nodes.push({ name: 'output/Identity', op_type: 'Identity', input: [g.current], output: [output.name], attribute: [] });
  }
  return encodeModel({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'Bottleneck',
    doc_string: doc,
    graph: {
      name,
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorInfo(input.name, input.shape, input.doc)],
      output: [tensorInfo(output.name, output.shape, output.doc)],
      doc_string: doc,
    },
  });
}

const shapeText = (shape: readonly number[]) => `[N, ${shape.join(', ')}]`;

/**
 * The autoencoder, its encoder and its decoder as ONNX models (binary protobuf), with `weights`
 * (a checkpoint's, tfjs names) as initializers. Throws ExportError naming the block for anything
 * ONNX cannot express here or a weight the checkpoint lacks.
 */
export function exportOnnx(doc: GraphDoc, weights: readonly SavedTensor[], opts: OnnxOptions = {}): OnnxModels {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new ExportError(`ONNX opset ${opset} is not supported: use ${MIN_OPSET} to ${MAX_OPSET}`);
  const chain = inferenceChain(doc);
  const lookup = weightLookup(weights);
  const outShape = chain.steps.length ? chain.steps[chain.steps.length - 1]!.outShape : chain.input;
  const image: End = { name: ONNX_NAMES.image, shape: chain.input, doc: `the input images, NHWC ${shapeText(chain.input)}, float32 (pixels scaled to 0..1, as the app trains)` };
  const code: End = { name: ONNX_NAMES.code, shape: [chain.codeSize], doc: `the latent code ${shapeText([chain.codeSize])}${chain.variational ? ' (the mean of the VAE encoder)' : ''}` };
  const reconstruction: End = { name: ONNX_NAMES.reconstruction, shape: outShape, doc: `the reconstructed images, NHWC ${shapeText(outShape)}` };
  const about = (what: string, from: End, to: End) =>
    `${doc.name}: ${what}, exported by Bottleneck. Input "${from.name}" ${shapeText(from.shape)} (${from.doc}); output "${to.name}" ${shapeText(to.shape)} (${to.doc}). N is the batch size.`;
  const encoderSteps = chain.steps.slice(0, chain.bottleneck + 1);
  const decoderSteps = chain.steps.slice(chain.bottleneck + 1);
  return {
    autoencoder: writeModel('autoencoder', chain.steps, image, reconstruction, lookup, opset, about('the autoencoder', image, reconstruction)),
    encoder: writeModel('encoder', encoderSteps, image, code, lookup, opset, about('the encoder', image, code)),
    decoder: writeModel('decoder', decoderSteps, code, reconstruction, lookup, opset, about('the decoder', code, reconstruction)),
  };
}
