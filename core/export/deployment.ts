/**
 * The graph a trained model is exported as: what runs at inference. Training-only blocks
 * (Dropout, GaussianNoise, RandomMask) pass their input through, so they go; a VAE's code is its
 * mean, so its bottleneck becomes the dense layer that computes μ (named as in the checkpoint,
 * `<id>-mean`, so the trained weights fit by name). Every exporter (TensorFlow.js, ONNX, the
 * PyTorch project's forward) starts from this, so all of them compute the same function.
 */
import { BOTTLENECK_KINDS, withDefaults } from '../blocks/registry';
import type { VariationalBottleneckParams } from '../blocks/variationalBottleneck';
import type { GraphDoc, GraphNode } from '../graph/types';
import { analyzeGraph, firstError } from '../shapes/infer';

/** Blocks that only act while training: identity at inference. */
export const TRAINING_ONLY_KINDS = ['Dropout', 'GaussianNoise', 'RandomMask'] as const;

const isTrainingOnly = (n: GraphNode) => (TRAINING_ONLY_KINDS as readonly string[]).includes(n.kind);

/** The layer name of a VAE's mean head, as compileGraph names it (and the checkpoint's weights). */
export const meanLayerName = (vaeNodeId: string) => `${vaeNodeId}-mean`;

export class ExportError extends Error {
  override name = 'ExportError';
}

/** One block of the inference chain with its settings (defaults filled in) and shapes (no batch, HWC). */
export interface ChainStep {
  node: GraphNode;
  params: Record<string, unknown>;
  inShape: number[];
  outShape: number[];
}

export interface InferenceChain {
  /** The deployment graph (see above). */
  doc: GraphDoc;
  /** Input image shape, HWC. */
  input: number[];
  codeSize: number;
  variational: boolean;
  /** The blocks between Input and Output, in order; `steps[bottleneck]` is the bottleneck. */
  steps: ChainStep[];
  bottleneck: number;
}

/** The deployment graph of a valid training graph. */
export function deploymentGraph(doc: GraphDoc): GraphDoc {
  const analysis = analyzeGraph(doc);
  const error = firstError(analysis);
  if (error) throw new ExportError(error);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const chain = analysis.order.map((id) => byId.get(id)!).filter((n) => !isTrainingOnly(n));
  const nodes = chain.map((n): GraphNode => {
    if (n.kind !== 'VariationalBottleneck') return n;
    const p = withDefaults(n.kind, n.params) as unknown as VariationalBottleneckParams;
    return { id: meanLayerName(n.id), kind: 'Bottleneck', params: { latentSize: p.latentSize, activation: 'linear', sparsity: 'none' }, position: n.position };
  });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id }));
  return { ...doc, nodes, edges };
}

/** The inference chain of a training graph: its deployment graph's blocks with shapes. */
export function inferenceChain(doc: GraphDoc): InferenceChain {
  const deployed = deploymentGraph(doc);
  const analysis = analyzeGraph(deployed);
  const byId = new Map(deployed.nodes.map((n) => [n.id, n]));
  const ordered = analysis.order.map((id) => byId.get(id)!);
  const inner = ordered.filter((n) => n.kind !== 'Input' && n.kind !== 'Output');
  const input = [...analysis.inputShape!];
  let shape = input;
  const steps = inner.map((node) => {
    const outShape = [...analysis.nodeShapes[node.id]!];
    const step = { node, params: withDefaults(node.kind, node.params), inShape: shape, outShape };
    shape = outShape;
    return step;
  });
  return {
    doc: deployed,
    input,
    codeSize: analysis.codeSize!,
    variational: doc.nodes.some((n) => n.kind === 'VariationalBottleneck'),
    steps,
    bottleneck: steps.findIndex((s) => BOTTLENECK_KINDS.includes(s.node.kind)),
  };
}

/** Saved weights by name, with a lookup that names the block when one is missing or misshapen. */
export function weightLookup(saved: readonly { name: string; shape: number[]; data: Float32Array }[]) {
  const byName = new Map(saved.map((s) => [s.name, s]));
  return (layer: string, weight: string, shape?: readonly number[]) => {
    const s = byName.get(`${layer}/${weight}`);
    if (!s) throw new ExportError(`block "${layer}": the checkpoint has no ${weight}`);
    if (shape && s.shape.join('x') !== shape.join('x')) throw new ExportError(`block "${layer}": ${weight} is ${s.shape.join('×')} in the checkpoint, the graph needs ${shape.join('×')}`);
    return s;
  };
}
