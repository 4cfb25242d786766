/**
 * A small BMP decoder (libvips, and so sharp, cannot read BMP): uncompressed 24- and 32-bit, and
 * 1/4/8-bit paletted images, bottom-up or top-down. Returns RGB pixels, row-major.
 */
export interface DecodedBmp {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export function decodeBmp(bytes: Uint8Array): DecodedBmp {
  const steps = decodeBmpInSteps(bytes);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/**
 * decodeBmp a slice of rows at a time: the generator pauses after about `pixelsPerStep` pixels, so
 * a caller on an event loop can let other work in between (a large BMP is decoded here, in
 * JavaScript, not in libvips' threads).
 */
export function* decodeBmpInSteps(bytes: Uint8Array, pixelsPerStep = 1 << 20): Generator<void, DecodedBmp> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error('not a BMP file');
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (width <= 0 || rawHeight === 0) throw new Error('BMP with no pixels');
  if (compression !== 0 && !(compression === 3 && bits === 32)) throw new Error(`compressed BMP (method ${compression}) is not supported`);
  if (![1, 4, 8, 24, 32].includes(bits)) throw new Error(`${bits}-bit BMP is not supported`);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  const rowSize = Math.ceil((bits * width) / 32) * 4;
  if (dataOffset + rowSize * height > bytes.length) throw new Error('BMP is truncated');
  const paletteStart = 14 + headerSize;
  const colors = bits <= 8 ? view.getUint32(46, true) || 2 ** bits : 0;
  const rgb = new Uint8Array(width * height * 3);
  const rowsPerStep = Math.max(1, Math.floor(pixelsPerStep / width));
  for (let y = 0; y < height; y++) {
    if (y > 0 && y % rowsPerStep === 0) yield;
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 3;
      let b: number, g: number, r: number;
      if (bits >= 24) {
        const p = row + x * (bits / 8);
        [b, g, r] = [bytes[p]!, bytes[p + 1]!, bytes[p + 2]!];
      } else {
        const bitOffset = x * bits;
        const byte = bytes[row + (bitOffset >> 3)]!;
        const index = (byte >> (8 - bits - (bitOffset & 7))) & ((1 << bits) - 1);
        if (index >= colors) throw new Error('BMP palette index out of range');
        const p = paletteStart + index * 4;
        [b, g, r] = [bytes[p]!, bytes[p + 1]!, bytes[p + 2]!];
      }
      rgb[out] = r;
      rgb[out + 1] = g;
      rgb[out + 2] = b;
    }
  }
  return { width, height, rgb };
}
