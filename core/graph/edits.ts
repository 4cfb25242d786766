/** Graph edits as pure functions: the store, the tests and the CLI all edit through these. */
import { blockSpec } from '../blocks/registry';
import type { BlockKind, GraphDoc, GraphEdge, GraphNode, TrainingSettings, XY } from './types';

export function nextNodeId(doc: GraphDoc, kind: BlockKind, taken: Set<string> = new Set()): string {
  const prefix = kind.toLowerCase();
  let n = doc.nodes.length + 1;
  const used = new Set([...doc.nodes.map((x) => x.id), ...taken]);
  while (used.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}

export function edgeId(source: string, target: string): string {
  return `e-${source}-${target}`;
}

export function addNode(doc: GraphDoc, kind: BlockKind, position: XY, params?: Record<string, unknown>): { doc: GraphDoc; id: string } {
  const id = nextNodeId(doc, kind);
  const node: GraphNode = { id, kind, params: { ...(params ?? blockSpec(kind).defaults) }, position: { ...position } };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

/** Removes nodes and edges; edges into or out of a removed node go with it. */
export function removeElements(doc: GraphDoc, nodeIds: Iterable<string>, edgeIds: Iterable<string> = []): GraphDoc {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  if (nodes.size === 0 && edges.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
    edges: doc.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

/** Why a connection cannot be made, or null when it can. */
export function connectionProblem(doc: GraphDoc, source: string, target: string): string | null {
  const s = doc.nodes.find((n) => n.id === source);
  const t = doc.nodes.find((n) => n.id === target);
  if (!s || !t) return 'both ends must be blocks';
  if (source === target) return 'a block cannot feed itself';
  if (s.kind === 'Output') return 'the Output is the end of the graph';
  if (blockSpec(t.kind).inputs === 0) return `${blockSpec(t.kind).label} takes no input`;
  return null;
}

/**
 * Connects source → target. Every block takes one input, so a new connection replaces the target's
 * old one (as dragging a new wire onto a socket does in node editors).
 */
export function connect(doc: GraphDoc, source: string, target: string): GraphDoc {
  if (connectionProblem(doc, source, target)) return doc;
  if (doc.edges.some((e) => e.source === source && e.target === target)) return doc;
  const edges = doc.edges.filter((e) => e.target !== target);
  return { ...doc, edges: [...edges, { id: edgeId(source, target), source, target }] };
}

export function setParam(doc: GraphDoc, nodeId: string, name: string, value: unknown): GraphDoc {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node || Object.is(node.params[name], value) || JSON.stringify(node.params[name]) === JSON.stringify(value)) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, params: { ...n.params, [name]: value } } : n)) };
}

export function moveNodes(doc: GraphDoc, positions: Record<string, XY>): GraphDoc {
  const moved = doc.nodes.some((n) => positions[n.id] && (positions[n.id]!.x !== n.position.x || positions[n.id]!.y !== n.position.y));
  if (!moved) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (positions[n.id] ? { ...n, position: { ...positions[n.id]! } } : n)) };
}

export function setTraining(doc: GraphDoc, patch: Partial<TrainingSettings>): GraphDoc {
  const changed = Object.entries(patch).some(([k, v]) => doc.training[k as keyof TrainingSettings] !== v);
  return changed ? { ...doc, training: { ...doc.training, ...patch } } : doc;
}

export function rename(doc: GraphDoc, name: string): GraphDoc {
  return name === doc.name ? doc : { ...doc, name };
}

export interface Clipboard {
  format: 'bottleneck.clipboard';
  nodes: GraphNode[];
  /** Only the edges between copied nodes. */
  edges: GraphEdge[];
}

export function copyNodes(doc: GraphDoc, ids: Iterable<string>): Clipboard {
  const set = new Set(ids);
  return {
    format: 'bottleneck.clipboard',
    nodes: structuredClone(doc.nodes.filter((n) => set.has(n.id))),
    edges: structuredClone(doc.edges.filter((e) => set.has(e.source) && set.has(e.target))),
  };
}

/** Pastes copies with fresh ids, shifted by `offset`; returns the new ids (to select them). */
export function paste(doc: GraphDoc, clip: Clipboard, offset: XY = { x: 40, y: 40 }): { doc: GraphDoc; ids: string[] } {
  const rename = new Map<string, string>();
  const taken = new Set<string>();
  const nodes = clip.nodes.map((n) => {
    const id = nextNodeId(doc, n.kind, taken);
    taken.add(id);
    rename.set(n.id, id);
    return { ...structuredClone(n), id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
  });
  const edges = clip.edges.map((e) => {
    const source = rename.get(e.source)!;
    const target = rename.get(e.target)!;
    return { id: edgeId(source, target), source, target };
  });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) };
}
