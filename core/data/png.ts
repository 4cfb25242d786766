/**
 * A small PNG decoder for the common case of dataset images: 8-bit grayscale or RGB, not
 * interlaced. It exists for speed: libvips' per-image set-up costs more than decoding a 28×28
 * image, so a folder of tiny PNGs decodes several times faster here. Anything else (palette,
 * alpha, 16-bit, interlaced) returns null and goes to sharp. The caller supplies zlib's inflate,
 * keeping core free of node imports.
 */
export interface DecodedPng {
  width: number;
  height: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  pixels: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/**
 * With `size`, a PNG of another size returns null as soon as its header is read, before anything is
 * inflated: a small file declaring a huge image is never decompressed here.
 */
export function decodeSimplePng(bytes: Uint8Array, inflate: (data: Uint8Array) => Uint8Array, size?: { width: number; height: number }): DecodedPng | null {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels: 1 | 3 = 1;
  const idat: Uint8Array[] = [];
  let idatLength = 0;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const data = offset + 8;
    if (data + length + 4 > bytes.length) throw new Error('truncated PNG');
    if (type === 'IHDR') {
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      const depth = bytes[data + 8];
      const colour = bytes[data + 9];
      const interlace = bytes[data + 12];
      if (depth !== 8 || interlace !== 0 || (colour !== 0 && colour !== 2)) return null;
      if (size && (width !== size.width || height !== size.height)) return null;
      channels = colour === 0 ? 1 : 3;
    } else if (type === 'tRNS') {
      return null; // transparency: sharp flattens it
    } else if (type === 'IDAT') {
      idat.push(bytes.subarray(data, data + length));
      idatLength += length;
    } else if (type === 'IEND') {
      break;
    }
    offset = data + length + 4;
  }
  if (width === 0 || height === 0 || idat.length === 0) throw new Error('truncated PNG');
  const compressed = idat.length === 1 ? idat[0]! : concat(idat, idatLength);
  const raw = inflate(compressed);
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('truncated PNG');
  const pixels = new Uint8Array(height * stride);
  const bpp = channels;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const value = raw[src + x]!;
      const left = x >= bpp ? pixels[row + x - bpp]! : 0;
      const up = y > 0 ? pixels[prev + x]! : 0;
      const upLeft = y > 0 && x >= bpp ? pixels[prev + x - bpp]! : 0;
      let out: number;
      switch (filter) {
        case 0:
          out = value;
          break;
        case 1:
          out = value + left;
          break;
        case 2:
          out = value + up;
          break;
        case 3:
          out = value + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          out = value + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter}`);
      }
      pixels[row + x] = out & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
