/**
 * Transparent images and very large ones (issue 21, defects 2 and 3): transparency composited onto
 * the chosen background (white by default) or kept as alpha, and said in the scan; images over 50
 * megapixels decoded, those over the limit (a decompression bomb among them) skipped by their
 * header with the reason, in the scan and when decoding.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSimplePng } from '../../core/data/png';
import type { Preprocessing } from '../../core/data/preprocessing';
import { summarizeFolder } from './folderBrowser';
import { decodeFolder } from './datasetCache';
import { decodeOne } from './imageDecode';
import { scanFolder } from './folderScan';
import { blackPng, symbolicIcon } from './testImages';

const TOO_LARGE = 'too large: 16000×16000 is 256 megapixels; images up to 200 megapixels are read';
const settings = (p: Partial<Preprocessing> = {}): Preprocessing => ({ height: 8, width: 8, channels: 1, fit: 'fill', validationSplit: 0.25, seed: 1, background: 'white', ...p });

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'alpha-'));
  mkdirSync(join(root, 'icons'));
  mkdirSync(join(root, 'photos'));
  for (let i = 0; i < 3; i++) await symbolicIcon(join(root, 'icons', `symbolic-${i}.png`), 16);
  // An alpha channel that is opaque everywhere: no transparency to speak of.
  await sharp(Buffer.alloc(16 * 16 * 4, 255), { raw: { width: 16, height: 16, channels: 4 } }).png().toFile(join(root, 'icons', 'opaque-rgba.png'));
  await sharp(Buffer.alloc(16 * 16 * 3, 90), { raw: { width: 16, height: 16, channels: 3 } }).jpeg().toFile(join(root, 'photos', 'plain.jpg'));
  // 8200×6200: 50.8 megapixels, over sharp's default limit the reader used to keep.
  writeFileSync(join(root, 'photos', 'large.png'), blackPng(8200, 6200));
  writeFileSync(join(root, 'photos', 'bomb.png'), blackPng(16000, 16000));
}, 60_000);

describe('transparent images', () => {
  it('are composited onto white by default, so a symbolic icon keeps its shape; onto black as asked; or keep alpha as a last channel', async () => {
    const icon = join(root, 'icons', 'symbolic-0.png');
    const white = await decodeOne(icon, settings());
    // Corners transparent (white), centre black.
    expect([white[0], white[63], white[3 * 8 + 3], white[4 * 8 + 4]]).toEqual([255, 255, 0, 0]);
    const black = await decodeOne(icon, settings({ background: 'black' }));
    expect(Math.max(...black)).toBe(0); // the old rule: a black square, the shape gone
    const alpha = await decodeOne(icon, settings({ background: 'alpha' }));
    expect(alpha.length).toBe(8 * 8 * 2);
    expect([alpha[1], alpha[(4 * 8 + 4) * 2 + 1], alpha[(4 * 8 + 4) * 2]]).toEqual([0, 255, 0]);
    const rgba = await decodeOne(icon, settings({ background: 'alpha', channels: 3 }));
    expect(rgba.length).toBe(8 * 8 * 4);
    // An image without alpha gets an opaque one.
    const plain = await decodeOne(join(root, 'photos', 'plain.jpg'), settings({ background: 'alpha', width: 16, height: 16 }));
    expect(plain.length).toBe(16 * 16 * 2);
    expect(plain[1]).toBe(255);
  });

  it('the scan says which files had transparent pixels (an opaque alpha channel is not transparency)', async () => {
    const summary = await summarizeFolder(root);
    expect(summary.transparentCount).toBe(3);
    expect(summary.transparent).toEqual([0, 1, 2].map((i) => join(root, 'icons', `symbolic-${i}.png`)));
    expect(summary.suggested.background).toBe('white');
  });
});

describe('very large images', () => {
  it('the scan keeps a 50-megapixel image, and lists one over the limit as skipped with the reason, read from its header', async () => {
    const summary = await summarizeFolder(root);
    expect(summary.skipped).toEqual([{ path: join(root, 'photos', 'bomb.png'), reason: TOO_LARGE }]);
    expect(summary.counts).toEqual({ icons: 4, photos: 2 });
    expect(summary.fileCount).toBe(6);
  });

  it('decoding reads the 50-megapixel PNG (shrunk as it is read) and skips the bomb by its header, with the same reason', async () => {
    const before = process.memoryUsage().rss;
    const decoded = await decodeFolder(await scanFolder(root), settings(), { cacheDir: mkdtempSync(join(tmpdir(), 'alpha-cache-')), id: 'alpha' });
    expect(decoded.skipped).toEqual([{ path: join(root, 'photos', 'bomb.png'), reason: TOO_LARGE }]);
    expect(decoded.counts).toEqual({ icons: 4, photos: 2 });
    // 256 megapixels decoded would take at least 256 MB; read by rows and shrunk, far less.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    await expect(decodeOne(join(root, 'photos', 'bomb.png'), settings())).rejects.toThrow('16000×16000 is 256 megapixels');
  }, 60_000);

  it('the fast PNG path reads a header only when the size is not the one asked for: a bomb is never inflated', () => {
    const inflate = () => {
      throw new Error('inflated');
    };
    expect(decodeSimplePng(blackPng(16000, 16000), inflate, { width: 28, height: 28 })).toBeNull();
    expect(decodeSimplePng(blackPng(4, 4), inflateSync, { width: 4, height: 4 })?.pixels).toEqual(new Uint8Array(16));
  });
});
