/** Decoded images laid out as one PNG (a sample grid, an interpolation strip), encoded with sharp. */
import sharp from 'sharp';
import type { ImageBatch } from '../../core/api';

/** Pixels between images, left black. */
const GAP = 2;

/** The batch's images in rows of `columns`, as one raw image (HWC bytes). */
export function tile(batch: ImageBatch, columns: number): { width: number; height: number; channels: number; pixels: Uint8Array } {
  const { count, height: h, width: w, channels: c } = batch;
  const rows = Math.ceil(count / columns);
  const width = columns * w + (columns - 1) * GAP;
  const height = rows * h + (rows - 1) * GAP;
  const source = Buffer.from(batch.pixels, 'base64');
  const pixels = new Uint8Array(width * height * c);
  for (let i = 0; i < count; i++) {
    const left = (i % columns) * (w + GAP);
    const top = Math.floor(i / columns) * (h + GAP);
    for (let y = 0; y < h; y++) {
      const from = ((i * h + y) * w) * c;
      pixels.set(source.subarray(from, from + w * c), ((top + y) * width + left) * c);
    }
  }
  return { width, height, channels: c, pixels };
}

/** Each pixel as a `scale` × `scale` block: an image enlarged and still crisp. */
function enlarge(pixels: Uint8Array, width: number, height: number, channels: number, scale: number): Uint8Array {
  const out = new Uint8Array(pixels.length * scale * scale);
  const rowBytes = width * scale * channels;
  for (let y = 0; y < height; y++) {
    const row = out.subarray(y * scale * rowBytes, (y * scale + 1) * rowBytes);
    for (let x = 0; x < width; x++) {
      const pixel = pixels.subarray((y * width + x) * channels, (y * width + x + 1) * channels);
      for (let k = 0; k < scale; k++) row.set(pixel, (x * scale + k) * channels);
    }
    for (let k = 1; k < scale; k++) out.copyWithin((y * scale + k) * rowBytes, y * scale * rowBytes, (y * scale + 1) * rowBytes);
  }
  return out;
}

/** The grid as PNG bytes, each pixel drawn `scale` × `scale` (the caller writes them: see outputFiles). */
export async function gridPng(batch: ImageBatch, columns: number, scale = 1): Promise<Buffer> {
  const grid = tile(batch, columns);
  const [width, height, channels] = [grid.width * scale, grid.height * scale, grid.channels];
  const pixels = scale > 1 ? enlarge(grid.pixels, grid.width, grid.height, channels, scale) : grid.pixels;
  const image = sharp(Buffer.from(pixels), { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
  // Without it libvips writes one channel as RGB.
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
}
