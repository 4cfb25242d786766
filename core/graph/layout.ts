import { BOTTLENECK_KINDS } from '../blocks/registry';
import { product } from '../blocks/types';
import { analyzeGraph, type GraphAnalysis } from '../shapes/infer';
import type { GraphDoc, XY } from './types';

export const NODE_WIDTH = 150;
/** Room for the shape label on the wire between two columns ("14×14×32"). */
export const COLUMN_GAP = 80;
const MIN_HEIGHT = 60;
const EXTRA_HEIGHT = 110;
const ROW_GAP = 40;

/**
 * A block's drawn height grows with the log of the values it outputs, so the graph reads as an
 * hourglass whose waist is the bottleneck. Shared by the layout and the node component.
 */
export function nodeHeight(outputSize: number | null, smallest: number, largest: number): number {
  if (!outputSize || largest <= smallest) return MIN_HEIGHT + EXTRA_HEIGHT / 2;
  const t = (Math.log(outputSize) - Math.log(smallest)) / (Math.log(largest) - Math.log(smallest));
  return Math.round(MIN_HEIGHT + EXTRA_HEIGHT * t);
}

export function nodeHeights(doc: GraphDoc, analysis: GraphAnalysis): Record<string, number> {
  const sizes = Object.fromEntries(Object.entries(analysis.nodeShapes).map(([id, s]) => [id, product(s)]));
  const values = Object.values(sizes);
  const smallest = Math.max(1, Math.min(...values));
  const largest = Math.max(smallest, ...values);
  return Object.fromEntries(doc.nodes.map((n) => [n.id, nodeHeight(sizes[n.id] ?? null, smallest, largest)]));
}

/**
 * Past this many columns a single row gets too small to read at a window's width (five blocks fill
 * a 1440-pixel window's canvas at 100 %), and the decoder turns back below.
 */
export const MAX_ROW_COLUMNS = 5;

/**
 * Left to right by depth from the Input (longest path): encoder, bottleneck, decoder; blocks at the
 * same depth stack vertically, every column centred on its row. A long graph folds at the bottleneck
 * into a U: the decoder runs back right to left under the encoder, so mirrored layers line up and the
 * whole graph stays legible at a readable zoom. An encoder longer than its decoder (a corruption block
 * before it) folds one column earlier, the code then turning the corner, when that is narrower.
 * Unconnected blocks go last.
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
  const columnCount = Math.max(...depth.values()) + 1;
  const bottleneckDepth = doc.nodes.filter((n) => BOTTLENECK_KINDS.includes(n.kind)).map((n) => depth.get(n.id)!)[0];
  const width = (at: number) => Math.max(at + 1, columnCount - at - 1);
  const fold =
    columnCount > MAX_ROW_COLUMNS && bottleneckDepth !== undefined ? (bottleneckDepth > 0 && width(bottleneckDepth - 1) < width(bottleneckDepth) ? bottleneckDepth - 1 : bottleneckDepth) : null;
  const tallest = Math.max(...Object.values(heights));
  const step = NODE_WIDTH + COLUMN_GAP;
  const positions: Record<string, XY> = {};
  for (const [d, ids] of columns) {
    const folded = fold !== null && d > fold;
    // Decoder column d sits under encoder column 2·fold + 1 − d: the first decoder block under the bottleneck.
    const x = (folded ? 2 * fold! + 1 - d : d) * step;
    const rowCentre = fold === null ? 0 : folded ? tallest / 2 + ROW_GAP * 1.5 : -(tallest / 2 + ROW_GAP * 1.5);
    const total = ids.reduce((s, id) => s + heights[id]!, 0) + ROW_GAP * (ids.length - 1);
    let y = rowCentre - total / 2;
    for (const id of ids) {
      positions[id] = { x, y: Math.round(y) };
      y += heights[id]! + ROW_GAP;
    }
  }
  return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: positions[n.id]! })) };
}
