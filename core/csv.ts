/** CSV text for other tools: quoted fields, float32 values in their shortest exact form, whole files. */

/** The shortest decimal that reads back as the same float32 (at most 9 significant digits). */
export function float32Text(v: number): string {
  for (let digits = 6; digits < 9; digits++) {
    const text = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(text)) === v) return text;
  }
  return String(Number(v.toPrecision(9)));
}

/** A field quoted when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line and `count` rows, each line ended by a newline. */
export function csvLines(header: string[], count: number, row: (i: number) => string[]): string {
  const out = [header.join(',')];
  for (let i = 0; i < count; i++) out.push(row(i).join(','));
  return `${out.join('\n')}\n`;
}
