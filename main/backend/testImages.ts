/** Images unlike the training data, written as an image folder: what the anomaly tests and bench score. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { ImageSplit } from '../../core/data/dataset';
import { seededRandom } from '../../core/train/random';

/** `count` images of uniform noise, and the first `count` images of `split` inverted (255 − v). */
export function unlikeImages(split: ImageSplit, size: number, count: number, seed = 1): { noise: Uint8Array; inverted: Uint8Array } {
  const random = seededRandom(seed);
  const noise = Uint8Array.from({ length: count * size }, () => Math.floor(random() * 256));
  const inverted = Uint8Array.from(split.images.subarray(0, count * size), (v) => 255 - v);
  return { noise, inverted };
}

/** Writes images (HWC bytes) as PNGs `0000.png`… into `dir/<label>/`, one subfolder per label. */
export async function writePngFolder(dir: string, groups: Record<string, Uint8Array>, height: number, width: number, channels: 1 | 3): Promise<void> {
  const size = height * width * channels;
  for (const [label, bytes] of Object.entries(groups)) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let i = 0; i < bytes.length / size; i++) {
      const raw = Buffer.from(bytes.subarray(i * size, (i + 1) * size));
      // sharp writes one channel as RGB unless told it is grayscale.
      const image = sharp(raw, { raw: { width, height, channels } });
      await (channels === 1 ? image.toColourspace('b-w') : image).png().toFile(join(dir, label, `${String(i).padStart(4, '0')}.png`));
    }
  }
}

/**
 * An all-black 8-bit grayscale PNG of any declared size, written without holding its pixels: zero
 * rows compress about 1000:1, so 16000×16000 (256 megapixels) is a 250 KB file, a decompression bomb.
 */
export function blackPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (grayscale), no interlace
  const rows = Buffer.alloc((width + 1) * height); // each row: filter 0, then zeros
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A symbolic icon: every pixel black, its shape (a centred square half the side) only in the alpha
 * channel, as desktop icon themes draw them. On a black background it is a black square.
 */
export async function symbolicIcon(path: string, side: number): Promise<void> {
  const pixels = Buffer.alloc(side * side * 4);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) if (Math.abs(x + 0.5 - side / 2) < side / 4 && Math.abs(y + 0.5 - side / 2) < side / 4) pixels[(y * side + x) * 4 + 3] = 255;
  await sharp(pixels, { raw: { width: side, height: side, channels: 4 } }).png().toFile(path);
}
