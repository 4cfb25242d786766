/**
 * Codes written for other tools (dimensionality reduction, feature extraction): a CSV with one row
 * per image, or a NumPy .npy float32 array with the rows' labels in a CSV beside it.
 */
import { csvField, csvLines, float32Text } from '../../core/csv';
import type { EncodedDataset } from './modelProtocol';

/** The columns that say which image a row is: index (in its split), split, file (image folders), label, class. */
function rowHeads(e: EncodedDataset): { header: string[]; row: (i: number) => string[] } {
  return {
    header: ['index', 'split', ...(e.files ? ['file'] : []), 'label', 'class'],
    row: (i) => [String(e.index[i]), e.split[i]!, ...(e.files ? [csvField(e.files[i]!)] : []), String(e.labels[i]), csvField(e.classNames[e.labels[i]!] ?? '')],
  };
}

/** index, split, [file,] label, class, z0 … z(d−1): one row per image. */
export function codesCsv(e: EncodedDataset): string {
  const heads = rowHeads(e);
  const z = Array.from({ length: e.codeSize }, (_, j) => `z${j}`);
  return csvLines([...heads.header, ...z], e.count, (i) => [...heads.row(i), ...Array.from(e.codes.subarray(i * e.codeSize, (i + 1) * e.codeSize), float32Text)]);
}

/** The rows' labels for a .npy file: the same columns as the CSV, without the codes. */
export function labelsCsv(e: EncodedDataset): string {
  const heads = rowHeads(e);
  return csvLines(heads.header, e.count, heads.row);
}

/** A NumPy .npy (format 1.0) of float32 rows × columns, little-endian. */
export function npy(data: Float32Array, rows: number, columns: number): Uint8Array {
  return npyArray(data, [rows, columns]);
}

/** A NumPy .npy (format 1.0) of float32 values of any shape (row-major), little-endian. */
export function npyArray(data: Float32Array, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header, padded with spaces and a newline to 64 bytes.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i]!, true);
  return out;
}
