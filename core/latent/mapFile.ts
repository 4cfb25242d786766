/**
 * A UMAP or t-SNE layout cached in the run folder (runs/<id>/explore/<method>-e<epoch>.bin), so a
 * map computed once opens at once: the points' validation indices with their x and y.
 *
 *   "BNMP" | header length (uint32) | header JSON | x (Float32) | y (Float32) | indices (Uint32)
 */
import { frame, unframe } from './projectionFile';

const MAGIC = 'BNMP';
export const MAP_FILE_VERSION = 1;

export interface CachedLayout {
  method: 'umap' | 'tsne';
  epoch: number;
  indices: Int32Array;
  x: Float32Array;
  y: Float32Array;
}

interface Header {
  format: 'bottleneck.map';
  version: number;
  method: CachedLayout['method'];
  epoch: number;
  count: number;
}

export function encodeLayout(layout: CachedLayout): Uint8Array {
  const count = layout.indices.length;
  if (layout.x.length !== count || layout.y.length !== count) throw new Error(`map layout: x, y and indices differ in length (${layout.x.length}, ${layout.y.length}, ${count})`);
  const header: Header = { format: 'bottleneck.map', version: MAP_FILE_VERSION, method: layout.method, epoch: layout.epoch, count };
  const { bytes, view, bodyStart } = frame(MAGIC, header, count * 12);
  for (let i = 0; i < count; i++) {
    view.setFloat32(bodyStart + i * 4, layout.x[i]!, true);
    view.setFloat32(bodyStart + (count + i) * 4, layout.y[i]!, true);
    view.setUint32(bodyStart + (2 * count + i) * 4, layout.indices[i]!, true);
  }
  return bytes;
}

/** Reads a layout file; throws a message that says what is wrong with it. */
export function decodeLayout(bytes: Uint8Array): CachedLayout {
  const { header: value, view, bodyStart } = unframe(bytes, MAGIC, 'map layout');
  const header = value as Header;
  if (header?.format !== 'bottleneck.map' || !Number.isInteger(header.count) || header.count < 0 || !Number.isInteger(header.epoch)) throw new Error('its header is not a map layout header');
  if (header.version > MAP_FILE_VERSION) throw new Error(`version ${header.version} is newer than this app reads (${MAP_FILE_VERSION}); update Bottleneck`);
  if (header.method !== 'umap' && header.method !== 'tsne') throw new Error(`unknown layout method "${String(header.method)}"`);
  const { count } = header;
  if (bytes.length !== bodyStart + count * 12) throw new Error(`${bytes.length} bytes where ${count} points need ${bodyStart + count * 12} (truncated?)`);
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = view.getFloat32(bodyStart + i * 4, true);
    y[i] = view.getFloat32(bodyStart + (count + i) * 4, true);
    indices[i] = view.getUint32(bodyStart + (2 * count + i) * 4, true);
  }
  return { method: header.method, epoch: header.epoch, indices, x, y };
}
