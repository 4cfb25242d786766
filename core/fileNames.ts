/** Names for the files a view saves: what they show and where from, readable and safe on every file system. */

/** Lower-case words joined by hyphens: letters and digits of any script kept, everything else a separator. */
export function fileSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}.]+/gu, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/** "undercomplete-fashion-mnist-anomalies.csv" from ["Undercomplete", "Fashion-MNIST", "anomalies"] and "csv"; empty parts are left out. */
export function exportFileName(parts: (string | null | undefined)[], extension: string): string {
  const words = parts.map((p) => (p ? fileSlug(p) : '')).filter(Boolean);
  return `${words.join('-') || 'bottleneck'}.${extension}`;
}
