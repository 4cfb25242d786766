/** Decoded images laid out as one PNG (a sample grid, an interpolation strip), written with sharp. */
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

export async function writeGridPng(batch: ImageBatch, columns: number, file: string): Promise<void> {
  const { width, height, channels, pixels } = tile(batch, columns);
  const image = sharp(Buffer.from(pixels), { raw: { width, height, channels: channels as 1 | 3 } });
  // Without it libvips writes one channel as RGB.
  await (channels === 1 ? image.toColourspace('b-w') : image).png().toFile(file);
}
