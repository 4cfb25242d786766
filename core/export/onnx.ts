/**
 * ONNX export: the deployment graph (deployment.ts) as three ONNX models (autoencoder, encoder,
 * decoder), written by the same forward pass the training step and the evaluation use
 * (core/compile, inference mode), with the trained weights as initializers: what trains is what
 * exports, and these are the very models the app itself runs for Explore, Anomalies and the Lab.
 *
 * The models take and return NHWC, as the app does: `image` [N, H, W, C] in, `reconstruction`
 * [N, H, W, C] out, `code` [N, codeSize] between (N is a dynamic batch). Inside, convolution and
 * pooling run in ONNX's NCHW, TensorFlow's `same` padding made explicit; constant work on the
 * weights (kernel layouts, batch norm's statistics) is folded into the initializers.
 */
import { BOTTLENECK_KINDS } from '../blocks/registry';
import type { Value } from '../compile/blocks/types';
import { imageInput, writeForward } from '../compile/forward';
import { planModel, type ModelPlan, type PlanStep } from '../compile/plan';
import type { GraphDoc } from '../graph/types';
import { OnnxBuilder, type Dim } from '../onnx/builder';
import { foldConstants } from '../onnx/fold';
import type { SavedTensor } from '../train/state';
import { deploymentGraph, ExportError, weightLookup } from './deployment';

export interface OnnxModels {
  autoencoder: Uint8Array;
  encoder: Uint8Array;
  decoder: Uint8Array;
}

export interface OnnxOptions {
  /** The default ONNX operator set version (13 to 17; default 17). */
  opset?: number;
}

export const DEFAULT_OPSET = 17;
/** Resize takes (X, roi, scales) from opset 13; 17 is the newest this writer was checked against. */
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;

/** The models' input and output names. */
export const ONNX_NAMES = { image: 'image', code: 'code', reconstruction: 'reconstruction' } as const;

interface End {
  name: string;
  shape: readonly number[];
  doc: string;
}

const shapeText = (shape: readonly number[]) => `[N, ${shape.join(', ')}]`;

/** One model of the chain `steps`, from `input` to `output`, the checkpoint's weights as initializers. */
function writeModel(plan: ModelPlan, steps: readonly PlanStep[], input: End, output: End, weights: readonly SavedTensor[], opset: number, doc: string, name: string): Uint8Array {
  const g = new OnnxBuilder();
  const lookup = weightLookup(weights);
  const shapes = new Map(plan.params.map((p) => [p.name, p.shape]));
  const initializers = new Map<string, string>();
  const param = (full: string): string => {
    const known = initializers.get(full);
    if (known) return known;
    const slash = full.lastIndexOf('/');
    const saved = lookup(full.slice(0, slash), full.slice(slash + 1), shapes.get(full));
    const init = g.initializer(full, saved.shape, saved.data);
    initializers.set(full, init);
    return init;
  };
  const dims = (shape: readonly number[]): Dim[] => ['N', ...shape];
  const start: Value = input.shape.length === 3 ? imageInput(plan, input.name) : { name: input.name, shape: input.shape, layout: 'flat' };
  g.input(input.name, dims(input.shape), undefined, input.doc);
  const noNoise = (n: string): string => {
    throw new ExportError(`an exported model reads no noise (${n})`);
  };
  const forward = writeForward({ g, tape: null, training: false, target: 'file' }, plan, { input: start, param, noise: noNoise }, steps);
  g.output(forward.reconstruction, output.name, dims(output.shape), undefined, output.doc);
  foldConstants(g);
  return g.model(name, doc, opset);
}

/**
 * The autoencoder, its encoder and its decoder as ONNX models (binary protobuf), with `weights`
 * (a checkpoint's, named `layer/weight`) as initializers. Throws ExportError naming the block for an
 * invalid graph or a weight the checkpoint lacks or has in another shape.
 */
export function exportOnnx(doc: GraphDoc, weights: readonly SavedTensor[], opts: OnnxOptions = {}): OnnxModels {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new ExportError(`ONNX opset ${opset} is not supported: use ${MIN_OPSET} to ${MAX_OPSET}`);
  let plan: ModelPlan;
  try {
    plan = planModel(deploymentGraph(doc));
  } catch (err) {
    throw err instanceof ExportError ? err : new ExportError((err as Error).message);
  }
  const cut = plan.steps.findIndex((s) => BOTTLENECK_KINDS.includes(s.node.kind)) + 1;
  const variational = doc.nodes.some((n) => n.kind === 'VariationalBottleneck');
  const outShape = plan.steps[plan.steps.length - 1]!.outShape;
  const image: End = { name: ONNX_NAMES.image, shape: plan.inputShape, doc: `the input images, NHWC ${shapeText(plan.inputShape)}, float32 (pixels scaled to 0..1, as the app trains)` };
  const code: End = { name: ONNX_NAMES.code, shape: [plan.codeSize], doc: `the latent code ${shapeText([plan.codeSize])}${variational ? ' (the mean of the VAE encoder)' : ''}` };
  const reconstruction: End = { name: ONNX_NAMES.reconstruction, shape: outShape, doc: `the reconstructed images, NHWC ${shapeText(outShape)}` };
  const about = (what: string, from: End, to: End) =>
    `${doc.name}: ${what}, exported by Bottleneck. Input "${from.name}" ${shapeText(from.shape)} (${from.doc}); output "${to.name}" ${shapeText(to.shape)} (${to.doc}). N is the batch size.`;
  return {
    autoencoder: writeModel(plan, plan.steps, image, reconstruction, weights, opset, about('the autoencoder', image, reconstruction), 'autoencoder'),
    encoder: writeModel(plan, plan.steps.slice(0, cut), image, code, weights, opset, about('the encoder', image, code), 'encoder'),
    decoder: writeModel(plan, plan.steps.slice(cut), code, reconstruction, weights, opset, about('the decoder', code, reconstruction), 'decoder'),
  };
}
