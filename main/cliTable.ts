/** Rows as columns padded to their widest cell, two spaces apart; `rightAligned` columns (numbers) padded on the left. */
export function table(rows: string[][], rightAligned: (col: number) => boolean): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (rightAligned(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}
