import { BOTTLENECK_KINDS } from '../blocks/registry';
import { product } from '../blocks/types';
import { analyzeGraph, type GraphAnalysis } from '../shapes/infer';
import type { GraphDoc, XY } from './types';

export const NODE_WIDTH = 140;
/** Room for the shape label over the wire between two columns ("14×14×32"), clear of the handles. */
export const COLUMN_GAP = 76;
/**
 * Heights run from the smallest output (the bottleneck, the waist) to the largest; the smallest still
 * holds a block's three lines (name, settings, shape and parameters).
 */
const MIN_HEIGHT = 72;
const EXTRA_HEIGHT = 40;
/** Between blocks stacked in one column. */
const STACK_GAP = 24;
/** Between the rows of a folded graph: room for the turning wire and its shape label. */
export const ROW_GAP = 48;

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
 * Past this many columns a row gets too small to read in the window's smallest canvas (five blocks
 * fill a 1024-pixel window's canvas at a readable zoom), and the graph folds into more rows.
 */
export const MAX_ROW_COLUMNS = 5;

/** Where a depth (a column of the unfolded graph) goes: its row, and its column within the row. */
type Place = (depth: number) => { row: number; column: number };

/**
 * How a graph `columnCount` columns long folds. Up to MAX_ROW_COLUMNS: one row. Longer, at the
 * bottleneck into a U, the decoder running back right to left under the encoder so mirrored layers
 * line up (one column earlier when that is narrower: an encoder longer than its decoder). Longer still
 * than a U of MAX_ROW_COLUMNS: a snake of rows MAX_ROW_COLUMNS wide, each running back under the last.
 */
function folding(columnCount: number, bottleneckDepth: number | undefined): Place {
  if (columnCount <= MAX_ROW_COLUMNS) return (d) => ({ row: 0, column: d });
  if (bottleneckDepth !== undefined) {
    const width = (at: number) => Math.max(at + 1, columnCount - at - 1);
    const fold = bottleneckDepth > 0 && width(bottleneckDepth - 1) < width(bottleneckDepth) ? bottleneckDepth - 1 : bottleneckDepth;
    // Decoder column d sits under encoder column 2·fold + 1 − d: the first decoder block under the bottleneck.
    if (width(fold) <= MAX_ROW_COLUMNS) return (d) => (d <= fold ? { row: 0, column: d } : { row: 1, column: 2 * fold + 1 - d });
  }
  return (d) => {
    const row = Math.floor(d / MAX_ROW_COLUMNS);
    const at = d % MAX_ROW_COLUMNS;
    return { row, column: row % 2 === 0 ? at : MAX_ROW_COLUMNS - 1 - at };
  };
}

/**
 * Left to right by depth from the Input (longest path): encoder, bottleneck, decoder; blocks at the
 * same depth stack vertically, every column centred on its row, and a long graph folds (see
 * `folding`) so every template reads at its default zoom. Unconnected blocks go last.
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
  const place = folding(columnCount, bottleneckDepth);
  const stackHeight = (ids: string[]) => ids.reduce((s, id) => s + heights[id]!, 0) + STACK_GAP * (ids.length - 1);
  // Each row as tall as its tallest column; the rows one under the other, the first centred on y = 0 when alone.
  const rowHeights: number[] = [];
  for (const [d, ids] of columns) {
    const { row } = place(d);
    rowHeights[row] = Math.max(rowHeights[row] ?? 0, stackHeight(ids));
  }
  const rowCentres: number[] = [];
  let top = 0;
  for (let r = 0; r < rowHeights.length; r++) {
    rowCentres[r] = top + (rowHeights[r] ?? 0) / 2;
    top += (rowHeights[r] ?? 0) + ROW_GAP;
  }
  const middle = (top - ROW_GAP) / 2;
  const step = NODE_WIDTH + COLUMN_GAP;
  const positions: Record<string, XY> = {};
  for (const [d, ids] of columns) {
    const { row, column } = place(d);
    let y = rowCentres[row]! - middle - stackHeight(ids) / 2;
    for (const id of ids) {
      positions[id] = { x: column * step, y: Math.round(y) };
      y += heights[id]! + STACK_GAP;
    }
  }
  return { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: positions[n.id]! })) };
}
