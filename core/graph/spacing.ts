/**
 * Room for blocks that grew past their layout height (a message, a name or setting that wraps): a
 * grown block grows about its centre, so its wires stay straight, and the blocks under it move down,
 * so it never covers its neighbour. A display matter only: the document keeps its positions, and
 * nothing moves where no block grew.
 */
export interface PlacedBlock {
  id: string;
  x: number;
  y: number;
  width: number;
  /** The height the layout gave it. */
  layoutHeight: number;
  /** The height it is drawn at now. */
  height: number;
}

/**
 * How far down (or up, for a grown block's own centring) each block is drawn from its position; only
 * the non-zero ones. Where a block under another one (their columns overlap) would come closer than
 * the layout had them, everything whose top is at or below the upper block's layout bottom moves down
 * by the difference: rows stay rows, and the gap between them (room for a wire and its label) stays.
 */
export function pushApart(blocks: readonly PlacedBlock[]): Record<string, number> {
  const pushed = new Map(blocks.map((b) => [b.id, 0]));
  const half = (b: PlacedBlock) => Math.max(0, b.height - b.layoutHeight) / 2;
  const byTop = [...blocks].sort((a, b) => a.y - b.y);
  for (const a of byTop) {
    const bottom = a.y + a.layoutHeight;
    let need = 0;
    for (const b of byTop) {
      const under = b !== a && b.y >= bottom && b.x < a.x + a.width && a.x < b.x + b.width;
      if (under && (half(a) > 0 || half(b) > 0)) need = Math.max(need, pushed.get(a.id)! + half(a) + half(b) - pushed.get(b.id)!);
    }
    if (need <= 0) continue;
    for (const c of byTop) if (c.y >= bottom) pushed.set(c.id, pushed.get(c.id)! + need);
  }
  return Object.fromEntries(blocks.map((b) => [b.id, pushed.get(b.id)! - half(b)]).filter(([, dy]) => dy !== 0));
}
