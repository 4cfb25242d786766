/**
 * A run's per-epoch latent projection on disk (DESIGN.md: Float32, binary, with labels): a JSON
 * header, then x and y as little-endian Float32 and the labels as Uint16. A 7,000-point projection is
 * 70 KB instead of about 300 KB of JSON numbers, and it reads back without parsing text.
 *
 *   "BNLP" | header length (uint32) | header JSON, space-padded to 4 bytes | x | y | labels
 */
import type { LatentProjection } from '../train/events';

const MAGIC = 'BNLP';
export const PROJECTION_FILE_VERSION = 1;

interface Header {
  format: 'bottleneck.latent';
  version: number;
  method: LatentProjection['method'];
  count: number;
  explained?: [number, number];
}

/**
 * The framing shared by the binary files of latent maps: a 4-letter signature, the header's length,
 * the header as JSON padded so the body starts on a 4-byte boundary, then `bodyLength` bytes.
 */
export function frame(magic: string, header: object, bodyLength: number): { bytes: Uint8Array; view: DataView; bodyStart: number } {
  let json = JSON.stringify(header);
  json += ' '.repeat((4 - ((8 + json.length) % 4)) % 4);
  const headerBytes = new TextEncoder().encode(json);
  const bodyStart = 8 + headerBytes.length;
  const bytes = new Uint8Array(bodyStart + bodyLength);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(magic), 0);
  view.setUint32(4, headerBytes.length, true);
  bytes.set(headerBytes, 8);
  return { bytes, view, bodyStart };
}

/** Reads a frame's header (to be checked by the caller) and where its body starts; throws what is wrong. */
export function unframe(bytes: Uint8Array, magic: string, what: string): { header: unknown; view: DataView; bodyStart: number } {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) throw new Error(`not a ${what} file (no ${magic} signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error('truncated in its header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new Error('its header is not valid JSON');
  }
  return { header, view, bodyStart: 8 + headerLength };
}

export function encodeProjection(p: LatentProjection): Uint8Array {
  const count = p.x.length;
  if (p.y.length !== count || p.labels.length !== count) throw new Error(`latent projection: x, y and labels differ in length (${count}, ${p.y.length}, ${p.labels.length})`);
  const header: Header = { format: 'bottleneck.latent', version: PROJECTION_FILE_VERSION, method: p.method, count, ...(p.explained && { explained: p.explained }) };
  const { bytes, view, bodyStart } = frame(MAGIC, header, count * 4 * 2 + count * 2);
  for (let i = 0; i < count; i++) {
    view.setFloat32(bodyStart + i * 4, p.x[i]!, true);
    view.setFloat32(bodyStart + (count + i) * 4, p.y[i]!, true);
    view.setUint16(bodyStart + count * 8 + i * 2, p.labels[i]!, true);
  }
  return bytes;
}

/** Reads a projection file; throws a message that says what is wrong with it (the caller names the file). */
export function decodeProjection(bytes: Uint8Array): LatentProjection {
  const { header: value, view, bodyStart } = unframe(bytes, MAGIC, 'latent projection');
  const header = value as Header;
  if (header?.format !== 'bottleneck.latent' || !Number.isInteger(header.count) || header.count < 0) throw new Error('its header is not a latent projection header');
  if (header.version > PROJECTION_FILE_VERSION) throw new Error(`version ${header.version} is newer than this app reads (${PROJECTION_FILE_VERSION}); update Bottleneck`);
  if (header.method !== 'pca' && header.method !== 'raw') throw new Error(`unknown projection method "${String(header.method)}"`);
  const { count } = header;
  const expected = bodyStart + count * 10;
  if (bytes.length !== expected) throw new Error(`${bytes.length} bytes where ${count} points need ${expected} (truncated?)`);
  const x = new Array<number>(count);
  const y = new Array<number>(count);
  const labels = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    x[i] = view.getFloat32(bodyStart + i * 4, true);
    y[i] = view.getFloat32(bodyStart + (count + i) * 4, true);
    labels[i] = view.getUint16(bodyStart + count * 8 + i * 2, true);
  }
  return { method: header.method, x, y, labels, ...(header.explained && { explained: header.explained }) };
}
