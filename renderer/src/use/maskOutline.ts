/**
 * The outline of the lab's mask, drawn over the corrupted image: the mask fills with black, which
 * is invisible on a dark image, so its edge is drawn on its own (an SVG path in pixel units).
 */

/**
 * The edges between masked pixels and unmasked ones (or the image's border), as SVG path data in
 * pixel coordinates: each run of edges along a row or column is one segment.
 */
export function maskOutline(mask: ArrayLike<number>, width: number, height: number): string {
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
  const parts: string[] = [];
  // Horizontal edges: between row y - 1 and row y, for y = 0 … height.
  for (let y = 0; y <= height; y++) {
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const edge = x < width && on(x, y - 1) !== on(x, y);
      if (edge && start < 0) start = x;
      if (!edge && start >= 0) {
        parts.push(`M${start} ${y}H${x}`);
        start = -1;
      }
    }
  }
  // Vertical edges: between column x - 1 and column x.
  for (let x = 0; x <= width; x++) {
    let start = -1;
    for (let y = 0; y <= height; y++) {
      const edge = y < height && on(x - 1, y) !== on(x, y);
      if (edge && start < 0) start = y;
      if (!edge && start >= 0) {
        parts.push(`M${x} ${start}V${y}`);
        start = -1;
      }
    }
  }
  return parts.join('');
}
