import { BOTTLENECK_KINDS, blockSpec, withDefaults } from '../blocks/registry';
import { product, type Shape } from '../blocks/types';
import { findCycle, topologicalOrder } from '../graph/topology';
import type { GraphDoc } from '../graph/types';
import { graphTooLarge } from '../limits';

export interface Diagnostic {
  /** The node at fault; absent for faults of the graph as a whole. */
  nodeId?: string;
  /** error: cannot train. warning: will train, probably badly. info: an explanation worth showing. */
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface GraphAnalysis {
  /** Output shape of each node that could be inferred. */
  nodeShapes: Record<string, Shape>;
  /** The shape carried by each edge (the source's output). */
  edgeShapes: Record<string, Shape>;
  paramCounts: Record<string, number>;
  totalParams: number;
  diagnostics: Diagnostic[];
  inputShape: Shape | null;
  codeSize: number | null;
  /** Input size / code size, when both are known. */
  compressionRatio: number | null;
  /** Node ids from Input to Output in the order the model applies them. */
  order: string[];
}

export function hasErrors(analysis: GraphAnalysis): boolean {
  return analysis.diagnostics.some((d) => d.severity === 'error');
}

/** The graph's first error in one line, naming its block ('node "id": why'), or null when it has none. */
export function firstError(analysis: GraphAnalysis): string | null {
  const first = analysis.diagnostics.find((d) => d.severity === 'error');
  if (!first) return null;
  return first.nodeId ? `node "${first.nodeId}": ${first.message}` : first.message;
}

export function errorsFor(analysis: GraphAnalysis, nodeId: string): Diagnostic[] {
  return analysis.diagnostics.filter((d) => d.nodeId === nodeId && d.severity === 'error');
}

/** Warnings and explanations for a node (not faults). */
export function notesFor(analysis: GraphAnalysis, nodeId: string): Diagnostic[] {
  return analysis.diagnostics.filter((d) => d.nodeId === nodeId && d.severity !== 'error');
}

/** Derives shapes, parameter counts and diagnostics from a graph. Never throws. */
export function analyzeGraph(doc: GraphDoc): GraphAnalysis {
  const diagnostics: Diagnostic[] = [];
  const nodeShapes: Record<string, Shape> = {};
  const edgeShapes: Record<string, Shape> = {};
  const paramCounts: Record<string, number> = {};
  // Nodes with a diagnostic already: later checks add none to them (a Set, not diagnostics.some per node, which was quadratic).
  const faulty = new Set<string>();
  const error = (message: string, nodeId?: string) => {
    if (nodeId !== undefined) faulty.add(nodeId);
    diagnostics.push(nodeId === undefined ? { severity: 'error', message } : { severity: 'error', message, nodeId });
  };
  const tooMany = graphTooLarge(doc.nodes.length, doc.edges.length);
  if (tooMany) {
    error(tooMany);
    return { nodeShapes, edgeShapes, paramCounts, totalParams: 0, diagnostics, inputShape: null, codeSize: null, compressionRatio: null, order: [] };
  }
  const incomingOf = new Map<string, GraphDoc['edges']>();
  const hasOutgoing = new Set<string>();
  for (const edge of doc.edges) {
    const list = incomingOf.get(edge.target);
    if (list) list.push(edge);
    else incomingOf.set(edge.target, [edge]);
    hasOutgoing.add(edge.source);
  }

  const cycle = findCycle(doc.nodes, doc.edges);
  if (cycle) {
    for (const id of new Set(cycle)) error(`is on a cycle: ${cycle.join(' → ')}`, id);
  }

  const order = topologicalOrder(doc.nodes, doc.edges);
  for (const node of order) {
    const spec = blockSpec(node.kind);
    const params = withDefaults(node.kind, node.params);
    const incoming = incomingOf.get(node.id) ?? [];
    const paramErrors = spec.checkParams(params);
    for (const message of paramErrors) error(message, node.id);

    if (spec.inputs === 0 && incoming.length > 0) error(`${spec.label} takes no incoming connection`, node.id);
    if (spec.inputs === 1 && incoming.length === 0) {
      error('missing input: connect a block into it', node.id);
      continue;
    }
    if (spec.inputs === 1 && incoming.length > 1) {
      error(`takes one input, but ${incoming.length} are connected`, node.id);
      continue;
    }
    const inputShape = incoming[0] ? nodeShapes[incoming[0].source] ?? null : null;
    if (spec.inputs === 1 && !inputShape) continue; // the fault is upstream and reported there
    if (paramErrors.length) continue;
    const result = spec.outputShape(inputShape, params);
    if (!result.ok) {
      error(result.error, node.id);
      continue;
    }
    nodeShapes[node.id] = result.shape;
    paramCounts[node.id] = inputShape ? spec.paramCount(inputShape, params) : spec.paramCount([], params);
  }
  for (const edge of doc.edges) {
    const shape = nodeShapes[edge.source];
    if (shape) edgeShapes[edge.id] = shape;
  }

  const ofKind = (kind: string) => doc.nodes.filter((n) => n.kind === kind);
  const inputs = ofKind('Input');
  const outputs = ofKind('Output');
  const bottlenecks = doc.nodes.filter((n) => BOTTLENECK_KINDS.includes(n.kind));
  if (inputs.length === 0) error('the graph has no Input block');
  if (inputs.length > 1) for (const n of inputs.slice(1)) error('a second Input: the graph takes one input', n.id);
  if (outputs.length === 0) error('the graph has no Output block');
  if (outputs.length > 1) for (const n of outputs.slice(1)) error('a second Output: the graph has one reconstruction', n.id);
  if (bottlenecks.length === 0) error('the graph has no Bottleneck: add one between encoder and decoder');
  if (bottlenecks.length > 1) {
    for (const n of bottlenecks.slice(1)) error('a second Bottleneck: an autoencoder has one latent code', n.id);
  }

  const inputShape = inputs[0] ? nodeShapes[inputs[0].id] ?? null : null;
  const output = outputs[0];
  const outputShape = output ? nodeShapes[output.id] : undefined;
  if (output && inputShape && outputShape && outputShape.join('x') !== inputShape.join('x')) {
    error(
      `reconstruction is ${outputShape.join('×')} but the input is ${inputShape.join('×')}: the decoder must end at the input's shape`,
      output.id,
    );
  }

  // Every block must lie on the path Input → Output, or it would silently not train.
  const reachable = inputs[0] ? reach(doc, [inputs[0].id], 'forward') : new Set<string>();
  for (const node of doc.nodes) {
    if (inputs[0] && node.kind !== 'Input' && !reachable.has(node.id) && !faulty.has(node.id)) {
      error('not connected to the Input', node.id);
    }
  }
  for (const node of doc.nodes) {
    if (node.kind !== 'Output' && !hasOutgoing.has(node.id) && !faulty.has(node.id)) {
      error('its output goes nowhere: connect it on toward the Output', node.id);
    }
  }

  const bottleneck = bottlenecks[0];
  const codeShape = bottleneck ? nodeShapes[bottleneck.id] : undefined;
  const codeSize = codeShape ? product(codeShape) : null;
  const totalParams = Object.values(paramCounts).reduce((a, b) => a + b, 0);
  if (bottleneck && codeSize !== null && inputShape && codeSize >= product(inputShape)) {
    diagnostics.push(explainOvercomplete(doc, bottleneck, codeSize, product(inputShape)));
  }
  return {
    nodeShapes,
    edgeShapes,
    paramCounts,
    totalParams,
    diagnostics,
    inputShape,
    codeSize,
    compressionRatio: inputShape && codeSize ? product(inputShape) / codeSize : null,
    order: order.map((n) => n.id),
  };
}

/** A code at least as large as the input can learn to copy it; say so, and whether the graph guards against it. */
function explainOvercomplete(doc: GraphDoc, bottleneck: GraphDoc['nodes'][number], codeSize: number, inputSize: number): Diagnostic {
  const params = withDefaults(bottleneck.kind, bottleneck.params);
  const guards: string[] = [];
  if (bottleneck.kind === 'VariationalBottleneck') guards.push('the KL term');
  if (params.sparsity === 'l1') guards.push('an L1 sparsity penalty');
  if (params.sparsity === 'kl') guards.push('a KL sparsity penalty');
  if (doc.nodes.some((n) => n.kind === 'GaussianNoise')) guards.push('input noise');
  if (doc.nodes.some((n) => n.kind === 'RandomMask')) guards.push('input masking');
  if (doc.nodes.some((n) => n.kind === 'Dropout')) guards.push('dropout');
  const what = `Overcomplete: the code (${codeSize}) is ${codeSize === inputSize ? 'as large as' : 'larger than'} the input (${inputSize})`;
  return guards.length
    ? { nodeId: bottleneck.id, severity: 'info', message: `${what}; ${guards.join(' and ')} keep${guards.length === 1 ? 's' : ''} it from learning to copy the input.` }
    : { nodeId: bottleneck.id, severity: 'warning', message: `${what} and nothing regularizes it, so it can learn to copy the input: add sparsity, noise or dropout.` };
}

/** A branch: a block off the Input → bottleneck → Output path (it trains nothing the model uses). */
export type BlockRole = 'input' | 'encoder' | 'bottleneck' | 'decoder' | 'output' | 'branch';

/** Every node reachable from `starts` along the edges (forward) or against them (backward). */
function reach(doc: GraphDoc, starts: string[], direction: 'forward' | 'backward'): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) {
    const [from, to] = direction === 'forward' ? [e.source, e.target] : [e.target, e.source];
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  }
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const to of next.get(id) ?? []) stack.push(to);
  }
  return seen;
}

/**
 * Which side of the code each node sits on, from where it is on the path Input → bottleneck → Output
 * (not from the order the model runs its blocks in, where a block hanging off the encoder can come
 * after the code): what feeds the bottleneck encodes, what follows it decodes. Once that path is
 * whole, a block off it is a branch; while the graph is still being built, what follows the Input
 * encodes and what leads to the Output decodes. An unconnected block takes its palette group's side.
 */
export function blockRoles(doc: GraphDoc): Record<string, BlockRole> {
  const ids = (kinds: (n: GraphDoc['nodes'][number]) => boolean) => doc.nodes.filter(kinds).map((n) => n.id);
  const bottlenecks = ids((n) => BOTTLENECK_KINDS.includes(n.kind));
  const outputs = ids((n) => n.kind === 'Output');
  const fromInput = reach(doc, ids((n) => n.kind === 'Input'), 'forward');
  const toOutput = reach(doc, outputs, 'backward');
  const toCode = reach(doc, bottlenecks, 'backward');
  const fromCode = reach(doc, bottlenecks, 'forward');
  const whole = bottlenecks.some((b) => fromInput.has(b)) && outputs.some((o) => fromCode.has(o));
  const roles: Record<string, BlockRole> = {};
  for (const n of doc.nodes) {
    if (n.kind === 'Input') roles[n.id] = 'input';
    else if (n.kind === 'Output') roles[n.id] = 'output';
    else if (BOTTLENECK_KINDS.includes(n.kind)) roles[n.id] = 'bottleneck';
    else if (toCode.has(n.id)) roles[n.id] = 'encoder';
    else if (fromCode.has(n.id)) roles[n.id] = whole && !toOutput.has(n.id) ? 'branch' : 'decoder';
    else if (fromInput.has(n.id)) roles[n.id] = whole ? 'branch' : 'encoder';
    else if (toOutput.has(n.id)) roles[n.id] = 'decoder';
    else roles[n.id] = blockSpec(n.kind).group === 'decoder' ? 'decoder' : 'encoder';
  }
  return roles;
}
