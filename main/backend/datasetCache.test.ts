import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPreprocessing, stratifiedSplit, type Preprocessing } from '../../core/data/folder';
import { summarizeFolder } from './folderBrowser';
import { decodeFolder } from './datasetCache';
import { scanFolder } from './folderScan';

/** A solid-colour image in any format sharp writes. */
async function image(path: string, width: number, height: number, channels: 1 | 3 | 4, format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', value = 128) {
  const pixels = Buffer.alloc(width * height * channels, value);
  await sharp(pixels, { raw: { width, height, channels } }).toFormat(format).toFile(path);
}

/** An uncompressed 24-bit BMP, bottom-up. */
function bmp(path: string, width: number, height: number, rgb: [number, number, number]) {
  const row = Math.ceil((24 * width) / 32) * 4;
  const out = Buffer.alloc(54 + row * height);
  out.write('BM', 0);
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.set([rgb[2], rgb[1], rgb[0]], 54 + y * row + x * 3);
  writeFileSync(path, out);
}

let root: string;
let cacheDir: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'folder-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
  for (const c of ['cats', 'dogs', 'birds']) mkdirSync(join(root, c));
  mkdirSync(join(root, 'dogs', 'puppies'));
  for (let i = 0; i < 10; i++) await image(join(root, 'cats', `cat${i}.png`), 32, 32, 1, 'png', 20 + i);
  for (let i = 0; i < 8; i++) await image(join(root, 'dogs', `dog${i}.jpg`), 32, 32, 3, 'jpeg', 200);
  for (let i = 0; i < 2; i++) await image(join(root, 'dogs', 'puppies', `pup${i}.webp`), 32, 32, 4, 'webp', 90);
  await image(join(root, 'birds', 'tiny.png'), 1, 1, 1, 'png', 255);
  await image(join(root, 'birds', 'huge.jpg'), 4000, 3000, 3, 'jpeg', 60);
  await image(join(root, 'birds', 'anim.gif'), 20, 20, 3, 'gif', 100);
  await image(join(root, 'birds', 'scan.tiff'), 16, 16, 1, 'tiff', 30);
  bmp(join(root, 'birds', 'old.bmp'), 7, 5, [255, 0, 0]);
  await image(join(root, 'loose.png'), 32, 32, 1, 'png', 77);
  writeFileSync(join(root, 'cats', 'empty.png'), '');
  writeFileSync(join(root, 'cats', 'notes.png'), 'this is text, not a PNG');
  writeFileSync(join(root, 'cats', 'readme.txt'), 'hello');
  writeFileSync(join(root, '.hidden.png'), 'x');
  mkdirSync(join(root, '.thumbnails'));
  await image(join(root, '.thumbnails', 't.png'), 8, 8, 1, 'png');
  const pngBytes = await sharp(Buffer.alloc(32 * 32, 9), { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer();
  writeFileSync(join(root, 'cats', 'truncated.png'), pngBytes.subarray(0, pngBytes.length / 2));
  symlinkSync(root, join(root, 'dogs', 'loop')); // a symlink loop back to the root
});

const settings = (p: Partial<Preprocessing> = {}): Preprocessing => ({ height: 16, width: 16, channels: 1, fit: 'cover', validationSplit: 0.25, seed: 3, background: 'white', ...p });

describe('image folders', () => {
  it('labels files by their top subfolder, ignores hidden ones, survives a symlink loop, and lists what it skips', async () => {
    const scan = await scanFolder(root);
    expect(scan.classNames).toEqual(['birds', 'cats', 'dogs', 'unlabeled']);
    expect(scan.counts).toEqual({ birds: 5, cats: 12, dogs: 10, unlabeled: 1 });
    expect(scan.files.some((f) => f.path.includes('.thumbnails') || f.path.includes('.hidden'))).toBe(false);
    const reasons = Object.fromEntries(scan.skipped.map((s) => [s.path.slice(root.length + 1), s.reason]));
    expect(reasons['cats/empty.png']).toBe('empty file');
    expect(reasons['cats/readme.txt']).toBe('not an image file (.txt)');
  });

  it('decodes every readable format to one shape, skips broken files with the reason, and never writes to the folder', async () => {
    const before = readdirSync(root, { recursive: true }).length;
    const mtime = statSync(root).mtimeMs;
    const progress: number[] = [];
    const { dataset, skipped, fromCache } = await decodeFolder(await scanFolder(root), settings(), { cacheDir, id: 'x', onProgress: (p) => progress.push(p.done) });
    expect(fromCache).toBe(false);
    const reasons = Object.fromEntries(skipped.map((s) => [s.path.slice(root.length + 1), s.reason]));
    expect(reasons['cats/notes.png']).toMatch(/^cannot decode/);
    expect(reasons['cats/truncated.png']).toMatch(/^cannot decode/);
    // 28 image files found, 2 of them undecodable; the 1×1, 4000×3000, GIF, TIFF, BMP and RGBA WebP all decode.
    expect(dataset.train.count + dataset.validation.count).toBe(26);
    expect(dataset.train.images.length).toBe(dataset.train.count * 16 * 16);
    expect(dataset.classNames).toEqual(['birds', 'cats', 'dogs', 'unlabeled']);
    expect(progress.at(-1)).toBe(28);
    expect(readdirSync(root, { recursive: true }).length).toBe(before);
    expect(statSync(root).mtimeMs).toBe(mtime);
  });

  it('converts colour as asked: grayscale gives red a mid lightness, RGB keeps channels (the red BMP stays red)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bmp-'));
    bmp(join(dir, 'red.bmp'), 4, 4, [255, 0, 0]);
    bmp(join(dir, 'red2.bmp'), 4, 4, [255, 0, 0]);
    const rgb = (await decodeFolder(await scanFolder(dir), settings({ channels: 3, height: 2, width: 2, validationSplit: 0.5 }), { cacheDir, id: 'y' })).dataset;
    expect(Array.from(rgb.train.images.subarray(0, 3))).toEqual([255, 0, 0]);
    const gray = (await decodeFolder(await scanFolder(dir), settings({ channels: 1, height: 2, width: 2, validationSplit: 0.5 }), { cacheDir, id: 'z' })).dataset;
    // libvips converts to perceptual lightness (L* of pure red ≈ 53 %), neither black nor white.
    expect(gray.train.images[0]).toBeGreaterThan(100);
    expect(gray.train.images[0]).toBeLessThan(160);
  });

  it('reads an unchanged folder back from the cache, and decodes again when a file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cached-'));
    mkdirSync(join(dir, 'a'));
    for (let i = 0; i < 6; i++) await image(join(dir, 'a', `${i}.png`), 8, 8, 1, 'png', i * 10);
    const first = await decodeFolder(await scanFolder(dir), settings(), { cacheDir, id: 'c' });
    const second = await decodeFolder(await scanFolder(dir), settings(), { cacheDir, id: 'c' });
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(Buffer.from(second.dataset.train.images).equals(Buffer.from(first.dataset.train.images))).toBe(true);
    const otherSize = await decodeFolder(await scanFolder(dir), settings({ height: 4, width: 4 }), { cacheDir, id: 'c' });
    expect(otherSize.fromCache).toBe(false);
    await image(join(dir, 'a', '0.png'), 8, 8, 1, 'png', 250);
    expect((await decodeFolder(await scanFolder(dir), settings(), { cacheDir, id: 'c' })).fromCache).toBe(false);
  });

  it('streams from the cache file when the images exceed the memory budget: the same images in the same split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-'));
    for (const c of ['a', 'b']) {
      mkdirSync(join(dir, c));
      for (let i = 0; i < 7; i++) await image(join(dir, c, `${i}.png`), 6, 6, 1, 'png', c === 'a' ? i * 20 : 255 - i * 20);
    }
    const scan = await scanFolder(dir);
    const inMemory = await decodeFolder(scan, settings({ height: 6, width: 6 }), { cacheDir: mkdtempSync(join(tmpdir(), 'c1-')), id: 'm' });
    // A 1-byte budget: decoding goes through a scratch file and training reads each image from the cache.
    const streamed = await decodeFolder(scan, settings({ height: 6, width: 6 }), { cacheDir: mkdtempSync(join(tmpdir(), 'c2-')), id: 's', memoryBudget: 1 });
    expect([inMemory.streamed, streamed.streamed]).toEqual([false, true]);
    expect(streamed.dataset.train.images.length).toBe(0);
    for (const split of ['train', 'validation'] as const) {
      const a = inMemory.dataset[split];
      const b = streamed.dataset[split];
      expect(b.count).toBe(a.count);
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      for (let i = 0; i < a.count; i++) expect(Array.from(b.readImage!(i))).toEqual(Array.from(a.images.subarray(i * 36, (i + 1) * 36)));
    }
    expect(streamed.counts).toEqual({ a: 7, b: 7 });
    expect(readdirSync(dir, { recursive: true }).length).toBe(16);
  });

  it('rebuilds a damaged cache file instead of reading garbage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damaged-'));
    for (let i = 0; i < 4; i++) await image(join(dir, `${i}.png`), 8, 8, 1, 'png', i * 60);
    const cache = mkdtempSync(join(tmpdir(), 'cache-d-'));
    const first = await decodeFolder(await scanFolder(dir), settings(), { cacheDir: cache, id: 'd' });
    const [file] = readdirSync(cache);
    truncateSync(join(cache, file!), 100);
    const again = await decodeFolder(await scanFolder(dir), settings(), { cacheDir: cache, id: 'd' });
    expect(again.fromCache).toBe(false);
    expect(Buffer.from(again.dataset.train.images).equals(Buffer.from(first.dataset.train.images))).toBe(true);
    expect(again.counts).toEqual({ unlabeled: 4 });
  });

  it('decodes plain PNGs on the fast path to exactly the bytes sharp gives, and sends the rest to sharp', async () => {
    const { decodeSimplePng } = await import('../../core/data/png');
    const { inflateSync } = await import('node:zlib');
    let seed = 1;
    const noise = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) % (i % 7 === 0 ? 256 : 40) + (i % 3) * 50));
    const cases: [string, 1 | 3 | 4, boolean][] = [['gray', 1, true], ['rgb', 3, true], ['rgba', 4, false]];
    for (const [name, channels, fast] of cases) {
      // Noise makes libpng use every row filter (sub, up, average, Paeth).
      const pixels = noise(19 * 23 * channels);
      let writer = sharp(pixels, { raw: { width: 19, height: 23, channels } });
      if (channels === 1) writer = writer.toColourspace('b-w');
      const png = await writer.png({ adaptiveFiltering: true, palette: false }).toBuffer();
      const decoded = decodeSimplePng(png, inflateSync);
      expect(decoded !== null, name).toBe(fast);
      if (!decoded) continue;
      const reference = await sharp(png).toColourspace(channels === 1 ? 'b-w' : 'srgb').raw().toBuffer();
      expect([decoded.width, decoded.height, decoded.channels]).toEqual([19, 23, channels]);
      expect(Buffer.from(decoded.pixels).equals(reference), name).toBe(true);
    }
    // Through the folder loader: a fast-path grayscale PNG asked for as RGB repeats its gray value.
    const dir = mkdtempSync(join(tmpdir(), 'fast-'));
    await sharp(Buffer.alloc(16, 77), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'a.png'));
    await sharp(Buffer.alloc(16, 99), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'b.png'));
    const rgb = await decodeFolder(await scanFolder(dir), settings({ channels: 3, height: 4, width: 4, validationSplit: 0.5 }), { cacheDir, id: 'f' });
    const firstPixels = [rgb.dataset.train, rgb.dataset.validation].map((split) => Array.from(split.images.subarray(0, 3)));
    expect(firstPixels.sort()).toEqual([[77, 77, 77], [99, 99, 99]]);
  });

  it('refuses an empty folder, a missing one and one with nothing decodable, before training', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    await expect(decodeFolder(await scanFolder(empty), settings(), { cacheDir, id: 'e' })).rejects.toThrow(`${empty}: no image could be decoded`);
    await expect(scanFolder(join(empty, 'nope'))).rejects.toThrow(`${join(empty, 'nope')}: no such folder`);
    writeFileSync(join(empty, 'fake.png'), 'not an image');
    await expect(decodeFolder(await scanFolder(empty), settings(), { cacheDir, id: 'e' })).rejects.toThrow(/no image could be decoded/);
  });

  it('cancels mid-decode', async () => {
    const controller = new AbortController();
    const run = decodeFolder(await scanFolder(root), settings({ height: 12 }), { cacheDir, id: 'k', signal: controller.signal, onProgress: () => controller.abort(), concurrency: 1 });
    await expect(run).rejects.toThrow('loading the dataset was cancelled');
  });

  it('suggests the most common size capped at 64×64, grayscale only when every image is', async () => {
    expect(defaultPreprocessing([{ width: 28, height: 28, channels: 1 }, { width: 28, height: 28, channels: 1 }, { width: 100, height: 50, channels: 1 }])).toMatchObject({ height: 28, width: 28, channels: 1 });
    expect(defaultPreprocessing([{ width: 640, height: 480, channels: 3 }])).toMatchObject({ width: 64, height: 48, channels: 3 });
    expect((await summarizeFolder(root)).suggested.channels).toBe(3);
  });

  it('splits each class by the same share, repeatably for a seed', () => {
    const labels = [...Array(40).fill(0), ...Array(20).fill(1), ...Array(10).fill(2)];
    const a = stratifiedSplit(labels, 0.1, 7);
    expect(a.validation.map((i) => labels[i])).toEqual([0, 0, 0, 0, 1, 1, 2]);
    expect(a.train.length + a.validation.length).toBe(70);
    expect(stratifiedSplit(labels, 0.1, 7)).toEqual(a);
    expect(stratifiedSplit(labels, 0.1, 8).validation).not.toEqual(a.validation);
  });
});
