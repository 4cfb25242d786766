/**
 * The Data dialog's look at every image of a folder before training, from headers (cheap): the
 * images too large to be read (skipped, with the reason), those with transparent pixels (composited
 * onto the chosen background), and each image's size and colour for the suggested settings.
 */
import { extname } from 'node:path';
import sharp from 'sharp';
import type { ImageProbe } from '../../core/data/folder';
import { imageTooManyPixels } from '../../core/limits';
import { imageHeader, type ImageHeader } from './imageDecode';
import type { FolderScan, SkippedFile } from './folderScan';

export interface FolderInspection {
  /** Images with at least one transparent pixel, in scan order. */
  transparent: string[];
  /** Images left out: too large, or a header that cannot be read. */
  skipped: SkippedFile[];
  /** The size and colour of every image kept. */
  probes: ImageProbe[];
}

/** Above this many pixels an alpha channel is checked on a shrunk copy (a decode of the whole would cost seconds). */
const FULL_ALPHA_CHECK_PIXELS = 4_000_000;

/** Whether any pixel of an image with an alpha channel is less than opaque. */
async function hasTransparentPixel(path: string, h: ImageHeader): Promise<boolean> {
  let image = sharp(path, { pages: 1, sequentialRead: true }).ensureAlpha();
  if (h.width * h.height > FULL_ALPHA_CHECK_PIXELS) image = image.resize(1024, 1024, { fit: 'inside' });
  const alpha = await image.extractChannel('alpha').raw().toBuffer();
  return alpha.some((v) => v < 255);
}

/** Reads every scanned image's header (in parallel), and the alpha of those that have one. */
export async function inspectImages(scan: FolderScan, opts: { signal?: AbortSignal; onChecked?: (checked: number) => void; concurrency?: number } = {}): Promise<FolderInspection> {
  const results: ({ header: ImageHeader; transparent: boolean } | { skipped: string })[] = new Array(scan.files.length);
  let next = 0;
  let checked = 0;
  let lastReport = 0;
  const worker = async () => {
    while (next < scan.files.length) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      const i = next++;
      const path = scan.files[i]!.path;
      try {
        const h = await imageHeader(path, extname(path).toLowerCase());
        const tooLarge = imageTooManyPixels(h.width, h.height);
        results[i] = tooLarge ? { skipped: `too large: ${tooLarge}` } : { header: h, transparent: h.alpha && (await hasTransparentPixel(path, h)) };
      } catch (err) {
        results[i] = { skipped: `cannot read: ${String((err as Error).message).split('\n')[0]!.replace(/^Input file contains /, '')}` };
      }
      checked++;
      if (Date.now() - lastReport > 200) {
        lastReport = Date.now();
        opts.onChecked?.(checked);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  const out: FolderInspection = { transparent: [], skipped: [], probes: [] };
  scan.files.forEach((f, i) => {
    const r = results[i]!;
    if ('skipped' in r) out.skipped.push({ path: f.path, reason: r.skipped });
    else {
      out.probes.push(r.header);
      if (r.transparent) out.transparent.push(f.path);
    }
  });
  return out;
}
