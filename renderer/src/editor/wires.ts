/**
 * Wires that pass behind a block they do not connect, which would look connected to it: found from
 * the same smooth-step path React Flow draws, so the canvas can draw them over the block instead.
 */
import { getSmoothStepPath, Position } from '@xyflow/react';
import type { XY } from '../../../core/graph/types';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WireBlock {
  id: string;
  box: Box;
  inSide: Position;
  outSide: Position;
}

export interface Wire {
  id: string;
  source: string;
  target: string;
}

/** The corners of a path React Flow writes (M, L and Q commands): its points in order. */
export function pathPoints(d: string): XY[] {
  const numbers = d.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/gi)?.map(Number) ?? [];
  const points: XY[] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) points.push({ x: numbers[i]!, y: numbers[i + 1]! });
  return points;
}

/** Where a handle sits on a side of a block: the middle of that side. */
export function handlePoint(box: Box, side: Position): XY {
  switch (side) {
    case Position.Left:
      return { x: box.x, y: box.y + box.height / 2 };
    case Position.Right:
      return { x: box.x + box.width, y: box.y + box.height / 2 };
    case Position.Top:
      return { x: box.x + box.width / 2, y: box.y };
    case Position.Bottom:
      return { x: box.x + box.width / 2, y: box.y + box.height };
  }
}

/** Whether the segment a→b passes through the inside of the box (Liang–Barsky clipping). */
export function segmentCrosses(a: XY, b: XY, box: Box, inset = 3): boolean {
  const [x0, x1, y0, y1] = [box.x + inset, box.x + box.width - inset, box.y + inset, box.y + box.height - inset];
  if (x0 >= x1 || y0 >= y1) return false;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let t0 = 0;
  let t1 = 1;
  for (const [p, q] of [
    [-dx, a.x - x0],
    [dx, x1 - a.x],
    [-dy, a.y - y0],
    [dy, y1 - a.y],
  ] as const) {
    if (p === 0) {
      if (q <= 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 >= t1) return false;
  }
  return true;
}

/** The wires whose drawn path runs through a block other than its two ends. */
export function wiresOverBlocks(blocks: readonly WireBlock[], wires: readonly Wire[]): Set<string> {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const over = new Set<string>();
  for (const wire of wires) {
    const source = byId.get(wire.source);
    const target = byId.get(wire.target);
    if (!source || !target) continue;
    const from = handlePoint(source.box, source.outSide);
    const to = handlePoint(target.box, target.inSide);
    const [path] = getSmoothStepPath({ sourceX: from.x, sourceY: from.y, sourcePosition: source.outSide, targetX: to.x, targetY: to.y, targetPosition: target.inSide });
    const points = pathPoints(path);
    const crosses = blocks.some((b) => b.id !== wire.source && b.id !== wire.target && points.some((p, i) => i > 0 && segmentCrosses(points[i - 1]!, p, b.box)));
    if (crosses) over.add(wire.id);
  }
  return over;
}
