/** Points of a latent map as CSV: which images a selection holds, for a spreadsheet or a script. */
import type { LatentMap } from '../api';
import { csvField, csvLines, float32Text } from '../csv';

/**
 * One row per image (by validation index, in the order given; images this map does not show are left
 * out): index, [file,] label, class, error, and the image's x and y on this map.
 */
export function mapPointsCsv(map: LatentMap, classNames: string[], positions: number[]): string {
  const axes = map.method === 'pca' ? (map.raw ? ['z1', 'z2'] : ['pc1', 'pc2']) : [`${map.method}1`, `${map.method}2`];
  const header = ['index', ...(map.files ? ['file'] : []), 'label', 'class', 'error', ...axes];
  return csvLines(header, positions.length, (r) => {
    const p = positions[r]!;
    const label = map.labels[p]!;
    return [
      String(map.indices[p]),
      ...(map.files ? [csvField(map.files[p]!)] : []),
      String(label),
      csvField(classNames[label] ?? ''),
      float32Text(map.errors[p]!),
      float32Text(map.x[p]!),
      float32Text(map.y[p]!),
    ];
  });
}
