import { product } from '../blocks/types';
import { analyzeGraph, type GraphAnalysis } from '../shapes/infer';
import type { GraphDoc, XY } from './types';

export const NODE_WIDTH = 160;
export const COLUMN_GAP = 64;
const MIN_HEIGHT = 64;
const EXTRA_HEIGHT = 72;
const ROW_GAP = 40;

/**
 * A block's drawn height grows with the log of the values it outputs, so the graph reads as an
 * hourglass whose waist is the bottleneck. Shared by the layout and the node component.
 */
export function nodeHeight(outputSize: number | null, largest: number): number {
  if (!outputSize || largest <= 1) return MIN_HEIGHT + EXTRA_HEIGHT / 2;
  return Math.round(MIN_HEIGHT + (EXTRA_HEIGHT * Math.log(outputSize)) / Math.log(largest));
}

export function nodeHeights(doc: GraphDoc, analysis: GraphAnalysis): Record<string, number> {
  const sizes = Object.fromEntries(Object.entries(analysis.nodeShapes).map(([id, s]) => [id, product(s)]));
  const largest = Math.max(2, ...Object.values(sizes));
  return Object.fromEntries(doc.nodes.map((n) => [n.id, nodeHeight(sizes[n.id] ?? null, largest)]));
}

/**
 * Left to right by depth from the Input (longest path), encoder, bottleneck, decoder; blocks at the
 * same depth stack vertically; every column is centred on y = 0. Unconnected blocks go last.
 */
export function autoLayout(doc: GraphDoc, analysis: GraphAnalysis = analyzeGraph(doc)): GraphDoc {
  const depth = new Map<string, number>();
  for (const id of analysis.order) {
    const incoming = doc.edges.filter((e) => e.target === id).map((e) => depth.get(e.source) ?? -1);
    depth.set(id, incoming.length ? Math.max(...incoming) + 1 : 0);
  }
  const maxDepth = Math.max(0, ...depth.values());
  for (const n of doc.nodes) if (!depth.has(n.id)) depth.set(n.id, maxDepth + 1);
  const heights = nodeHeights(doc, analysis);
  const columns = new Map<number, string[]>();
  for (const n of doc.nodes) columns.set(depth.get(n.id)!, [...(columns.get(depth.get(n.id)!) ?? []), n.id]);
  const positions: Record<string, XY> = {};
  for (const [d, ids] of columns) {
    const total = ids.reduce((s, id) => s + heights[id]!, 0) + ROW_GAP * (ids.length - 1);
    let y = -total / 2;
    for (const id of ids) {
      positions[id] = { x: d * (NODE_WIDTH + COLUMN_GAP), y: Math.round(y) };
      y += heights[id]! + ROW_GAP;
    }
  }
  return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: positions[n.id]! })) };
}
