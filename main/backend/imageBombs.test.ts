/**
 * Decompression bombs (issue 23, item 2): a small PNG and a 1-bit BMP that declare far more pixels
 * than are read are refused from their headers, fast, naming the limit, without holding up the
 * event loop; a large BMP under the limit is decoded a slice at a time, so the server keeps answering.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../core/data/folder';
import { decodeFolder, fingerprint } from './datasetCache';
import { decodeOne } from './imageDecode';
import { scanFolder } from './folderScan';
import { prepareImage } from './prepareImage';
import { blackPng } from './testImages';

const dir = mkdtempSync(join(tmpdir(), 'image-bombs-'));
const TO: Preprocessing = { height: 28, width: 28, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 1, background: 'white' };

/** A black 1-bit BMP of any size: 1 bit a pixel, so 16000×15000 is a 30 MB file of 240 megapixels. */
function oneBitBmp(width: number, height: number): Buffer {
  const rowSize = Math.ceil(width / 32) * 4;
  const dataOffset = 14 + 40 + 8;
  const file = Buffer.alloc(dataOffset + rowSize * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(dataOffset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(1, 28); // bits per pixel
  file.writeUInt32LE(2, 46); // palette: black, white
  file.writeUInt32LE(0x00ffffff, 58);
  return file;
}

/** Runs `work` and returns its result or error message, the time it took and the longest the event loop was held up meanwhile. */
async function watched(work: () => Promise<unknown>): Promise<{ outcome: string; ms: number; maxLoopDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const outcome = await work().then(
    () => 'decoded',
    (err: Error) => err.message,
  );
  const ms = performance.now() - started;
  delay.disable();
  return { outcome, ms, maxLoopDelayMs: delay.max / 1e6 };
}

describe('image bombs', () => {
  it('a 243 KB PNG declaring 16000×16000: refused from its header within a second, naming the limit', async () => {
    const file = join(dir, 'bomb.png');
    writeFileSync(file, blackPng(16000, 16000));
    const { outcome, ms, maxLoopDelayMs } = await watched(() => prepareImage({ path: file }, TO));
    expect(outcome).toBe(`${file}: too large: 16000×16000 is 256 megapixels; images up to 200 megapixels are read`);
    expect(ms).toBeLessThan(1000);
    expect(maxLoopDelayMs).toBeLessThan(1000);
  });

  it('a 30 MB 1-bit BMP of 16000×15000: refused from its header within a second, naming the limit, by the Lab and by a folder', async () => {
    const file = join(dir, 'bomb.bmp');
    writeFileSync(file, oneBitBmp(16000, 15000));
    const before = process.memoryUsage().arrayBuffers;
    const lab = await watched(() => prepareImage({ path: file }, TO));
    expect(lab.outcome).toBe(`${file}: too large: 16000×15000 is 240 megapixels; images up to 200 megapixels are read`);
    expect(lab.ms).toBeLessThan(1000);
    expect(lab.maxLoopDelayMs).toBeLessThan(1000);
    // Nothing near the 720 MB its pixels would take was allocated (the file itself is 30 MB).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(200 * 2 ** 20);
    const folder = await watched(() => decodeOne(file, TO));
    expect(folder.outcome).toBe('16000×15000 is 240 megapixels; images up to 200 megapixels are read');
    expect(folder.ms).toBeLessThan(1000);
  });

  it('a large BMP under the limit (8000×8000) is decoded in slices: the event loop is never held up for a second', async () => {
    const file = join(dir, 'large.bmp');
    writeFileSync(file, oneBitBmp(8000, 8000));
    const { outcome, maxLoopDelayMs } = await watched(() => decodeOne(file, TO));
    expect(outcome).toBe('decoded');
    expect(maxLoopDelayMs).toBeLessThan(1000);
  }, 60_000);

  it('a FIFO, or a file declaring a 4 GB header, planted as a folder\'s dataset cache: not waited on or allocated, the cache is rebuilt', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(join(folder, 'a'), { recursive: true });
    writeFileSync(join(folder, 'a', 'one.bmp'), oneBitBmp(28, 28));
    writeFileSync(join(folder, 'a', 'two.bmp'), oneBitBmp(28, 28));
    const cacheDir = mkdtempSync(join(tmpdir(), 'image-bombs-cache-'));
    const scan = await scanFolder(folder);
    const cacheFile = join(cacheDir, `${fingerprint(scan, TO)}.bin`);
    expect(spawnSync('mkfifo', [cacheFile]).status).toBe(0);
    const fromFifo = await decodeFolder(scan, TO, { cacheDir, id: 'f' });
    expect([fromFifo.fromCache, fromFifo.dataset.train.count + fromFifo.dataset.validation.count]).toEqual([false, 2]);
    rmSync(cacheFile);
    const hugeHeader = Buffer.alloc(8);
    hugeHeader.writeUInt32LE(0xffffffff, 0);
    writeFileSync(cacheFile, hugeHeader);
    const before = process.memoryUsage().arrayBuffers;
    const rebuilt = await decodeFolder(scan, TO, { cacheDir, id: 'f' });
    expect(rebuilt.fromCache).toBe(false);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * 2 ** 20);
  });
});
