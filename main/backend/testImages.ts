/** Images unlike the training data, written as an image folder: what the anomaly tests and bench score. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
