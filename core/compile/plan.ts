/**
 * A graph as the engine sees it: the chain of blocks with their shapes and compilers, every
 * parameter (named as checkpoints name them), every random input, and the loss. Shared by the
 * training step, the evaluation model and the inference models, so they agree on all of it.
 */
import type { BottleneckParams } from '../blocks/bottleneck';
import type { OutputParams } from '../blocks/output';
import { BOTTLENECK_KINDS, withDefaults } from '../blocks/registry';
import { product, type Shape } from '../blocks/types';
import type { VariationalBottleneckParams } from '../blocks/variationalBottleneck';
import type { GraphDoc, GraphNode } from '../graph/types';
import { analyzeGraph, firstError, type GraphAnalysis } from '../shapes/infer';
import type { Corruption } from '../train/corruption';
import { BLOCK_COMPILERS } from './blocks';
import { corruptionOf } from './blocks/corruption';
import type { BlockCompiler, NoiseSpec, ParamSpec } from './blocks/types';
import type { LossSpec } from './lossSpec';

export class CompileError extends Error {
  override name = 'CompileError';
}

export interface PlanStep {
  node: GraphNode;
  params: Record<string, unknown>;
  inShape: Shape;
  outShape: Shape;
  compiler: BlockCompiler;
  /** Where the block is in the chain (its random stream and initial weights derive from the seed and this). */
  index: number;
}

export interface ModelPlan {
  graph: GraphDoc;
  analysis: GraphAnalysis;
  steps: PlanStep[];
  /** Every parameter, in chain order: trainable ones and batch norm's moving statistics. */
  params: ParamSpec[];
  noise: NoiseSpec[];
  loss: LossSpec;
  /** The image shape, HWC. */
  inputShape: [number, number, number];
  codeSize: number;
  variational: boolean;
  /**
   * The corruptions applied to the image as read (noise and masks right after the Input, or a
   * Flatten of it), in order: what evaluation applies to show the corrupted input.
   */
  inputCorruptions: Corruption[];
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

/** The plan of a valid graph; a graph the engine cannot express throws CompileError naming the block. */
export function planModel(doc: GraphDoc): ModelPlan {
  const analysis = analyzeGraph(doc);
  const error = firstError(analysis);
  if (error) throw new CompileError(error);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const chain = analysis.order.map((id) => byId.get(id)!);
  const seed = doc.training.seed;
  const params: ParamSpec[] = [];
  const noise: NoiseSpec[] = [];
  let shape: Shape = [];
  const steps = chain.map((node, index): PlanStep => {
    const p = withDefaults(node.kind, node.params);
    const outShape = analysis.nodeShapes[node.id]!;
    const inShape = node.kind === 'Input' ? outShape : shape;
    const compiler = BLOCK_COMPILERS[node.kind];
    if (!compiler) throw new CompileError(`node "${node.id}": the engine cannot train a ${node.kind} block`);
    params.push(...(compiler.params?.(node, p, inShape, outShape) ?? []));
    // The stream seed of the first engine's noise layers (graph seed + chain index), so a run draws the same noise.
    const n = compiler.noise?.(node, p, inShape, seed + index);
    if (n) noise.push(n);
    shape = outShape;
    return { node, params: p, inShape, outShape, compiler, index };
  });
  const inputShape = analysis.inputShape! as [number, number, number];
  const bottleneck = chain.find((n) => BOTTLENECK_KINDS.includes(n.kind))!;
  const output = chain.find((n) => n.kind === 'Output')!;
  return {
    graph: doc,
    analysis,
    steps,
    params,
    noise,
    loss: lossSpec(bottleneck, output, product(inputShape)),
    inputShape,
    codeSize: analysis.codeSize!,
    variational: bottleneck.kind === 'VariationalBottleneck',
    inputCorruptions: inputCorruptions(chain),
  };
}

function inputCorruptions(chain: GraphNode[]): Corruption[] {
  const out: Corruption[] = [];
  for (const node of chain.slice(chain.findIndex((n) => n.kind === 'Input') + 1)) {
    if (node.kind === 'Flatten') continue;
    if (node.kind !== 'GaussianNoise' && node.kind !== 'RandomMask') break;
    out.push(corruptionOf(node, withDefaults(node.kind, node.params)));
  }
  return out;
}
