import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const PATTERNS: Record<string, (x: number, y: number, i: number) => number> = {
  bright: (_x, _y, i) => 220 + (i % 20),
  dark: (_x, _y, i) => 20 + (i % 20),
  stripes: (x, _y, i) => (x % 4 < 2 ? 250 : 10) - (i % 10),
};

/**
 * A folder of 16×16 grayscale PNGs in classes that look different (bright, dark, striped), `perClass`
 * images each, and one stray text file.
 */
export async function makeImageFolder(name = 'shapes', perClass = 40, classes = Object.keys(PATTERNS)): Promise<string> {
  const root = join(mkdtempSync(join(tmpdir(), 'e2e-data-')), name);
  for (const cls of classes) {
    const pixel = PATTERNS[cls]!;
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const data = Buffer.from(Array.from({ length: 256 }, (_, k) => pixel(k % 16, Math.floor(k / 16), i)));
      await sharp(data, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').png().toFile(join(root, cls, `${i}.png`));
    }
  }
  writeFileSync(join(root, classes.at(-1)!, 'notes.txt'), 'not an image');
  return root;
}

/**
 * A folder of 16×16 symbolic icons, 6 in each of two classes: black pixels, the shape only in the
 * alpha channel (a square or a bar), as desktop icon themes draw them.
 */
export async function makeIconFolder(): Promise<string> {
  const root = join(mkdtempSync(join(tmpdir(), 'e2e-icons-')), 'icons');
  const shapes: Record<string, (x: number, y: number) => boolean> = { square: (x, y) => x > 3 && x < 12 && y > 3 && y < 12, bar: (x) => x > 6 && x < 10 };
  for (const [name, inside] of Object.entries(shapes)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const pixels = Buffer.alloc(16 * 16 * 4);
      for (let k = 0; k < 256; k++) if (inside(k % 16, Math.floor(k / 16))) pixels[k * 4 + 3] = 255 - i * 10;
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 4 } }).png().toFile(join(root, name, `${i}.png`));
    }
  }
  return root;
}
