/**
 * A folder of images as a dataset: scan (labels from subfolders), probe (default settings), decode
 * with sharp in parallel (progress, cancel), split, and cache the decoded bytes keyed by the folder's
 * fingerprint and the settings. The user's folder is only ever read.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { decodeBmp } from '../../core/data/bmp';
import type { ImageDataset } from '../../core/data/dataset';
import { defaultPreprocessing, IMAGE_EXTENSIONS, stratifiedSplit, UNLABELED, type ImageProbe, type Preprocessing } from '../../core/data/folder';

export interface ScannedFile {
  path: string;
  label: string;
  size: number;
  mtimeMs: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface FolderScan {
  root: string;
  files: ScannedFile[];
  classNames: string[];
  counts: Record<string, number>;
  skipped: SkippedFile[];
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

const isImage = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

/** Walks the folder: hidden entries ignored, symlinks followed once (loops cut), labels from the first subfolder. */
export async function scanFolder(root: string, signal?: AbortSignal): Promise<FolderScan> {
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch {
    throw new DatasetError(`${root}: no such folder`);
  }
  if (!rootStat.isDirectory()) throw new DatasetError(`${root}: not a folder`);
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    if (signal?.aborted) throw new DatasetError('cancelled');
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop, or a folder reached twice
    visited.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir, reason: `cannot read folder (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      let info;
      try {
        info = await stat(path);
      } catch {
        skipped.push({ path, reason: 'broken link' });
        continue;
      }
      if (info.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!info.isFile()) continue;
      if (!isImage(entry.name)) {
        skipped.push({ path, reason: `not an image file (${extname(entry.name) || 'no extension'})` });
        continue;
      }
      if (info.size === 0) {
        skipped.push({ path, reason: 'empty file' });
        continue;
      }
      const parts = relative(root, path).split(sep);
      files.push({ path, label: parts.length > 1 ? parts[0]! : UNLABELED, size: info.size, mtimeMs: info.mtimeMs });
    }
  };
  await walk(root);
  const counts: Record<string, number> = {};
  for (const f of files) counts[f.label] = (counts[f.label] ?? 0) + 1;
  return { root, files, classNames: Object.keys(counts).sort(), counts, skipped };
}

/** Reads a sample of image headers for the default settings. */
export async function probeImages(scan: FolderScan, sample = 64): Promise<ImageProbe[]> {
  const step = Math.max(1, Math.floor(scan.files.length / sample));
  const probes: ImageProbe[] = [];
  for (let i = 0; i < scan.files.length && probes.length < sample; i += step) {
    const file = scan.files[i]!;
    try {
      if (extname(file.path).toLowerCase() === '.bmp') {
        const bmp = decodeBmp(new Uint8Array(await readFile(file.path)));
        probes.push({ width: bmp.width, height: bmp.height, channels: 3 });
        continue;
      }
      const m = await sharp(file.path).metadata();
      const colour = m.space === 'b-w' || m.channels === 1 || (m.channels === 2 && m.hasAlpha) ? 1 : 3;
      probes.push({ width: m.width ?? 0, height: m.height ?? 0, channels: colour });
    } catch {
      // Unreadable files are reported when decoding.
    }
  }
  return probes;
}

export async function suggestPreprocessing(scan: FolderScan, seed = 42): Promise<Preprocessing> {
  return defaultPreprocessing(await probeImages(scan), seed);
}

/** Decodes one file to exactly height × width × channels bytes. */
async function decodeOne(file: string, p: Preprocessing): Promise<Buffer> {
  let image: Sharp;
  if (extname(file).toLowerCase() === '.bmp') {
    const bmp = decodeBmp(new Uint8Array(await readFile(file)));
    image = sharp(Buffer.from(bmp.rgb), { raw: { width: bmp.width, height: bmp.height, channels: 3 } });
  } else {
    // Only the first frame of an animation; refuse truncated files instead of decoding half an image.
    image = sharp(file, { failOn: 'truncated', pages: 1, limitInputPixels: 50_000_000 });
  }
  image = image.flatten({ background: '#000000' }).resize(p.width, p.height, { fit: p.fit, background: '#000000' });
  image = p.channels === 1 ? image.grayscale() : image.toColourspace('srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== p.channels || data.length !== p.width * p.height * p.channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
  }
  return data;
}

export interface DecodeProgress {
  done: number;
  total: number;
  filesPerSec: number;
}

export interface DecodedFolder {
  dataset: ImageDataset;
  fingerprint: string;
  skipped: SkippedFile[];
  fromCache: boolean;
}

export function fingerprint(scan: FolderScan, p: Preprocessing): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ root: scan.root, p }));
  for (const f of scan.files) hash.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 32);
}

interface CacheHeader {
  format: 'bottleneck.dataset-cache';
  version: 1;
  count: number;
  classNames: string[];
  skipped: SkippedFile[];
}

/** Decodes the scanned files (in parallel), or reads them from the cache when the folder is unchanged. */
export async function decodeFolder(
  scan: FolderScan,
  p: Preprocessing,
  opts: { cacheDir: string; id: string; signal?: AbortSignal; onProgress?: (progress: DecodeProgress) => void; concurrency?: number },
): Promise<DecodedFolder> {
  const size = p.height * p.width * p.channels;
  const key = fingerprint(scan, p);
  const cacheFile = join(opts.cacheDir, `${key}.bin`);
  let images: Uint8Array;
  let labels: Uint8Array;
  let classNames: string[];
  let skipped: SkippedFile[];
  let fromCache = false;
  if (existsSync(cacheFile)) {
    const bytes = readFileSync(cacheFile);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as CacheHeader;
    labels = new Uint8Array(bytes.buffer, bytes.byteOffset + 4 + headerLength, header.count);
    images = new Uint8Array(bytes.buffer, bytes.byteOffset + 4 + headerLength + header.count, header.count * size);
    classNames = header.classNames;
    skipped = header.skipped;
    fromCache = true;
    opts.onProgress?.({ done: header.count, total: header.count, filesPerSec: 0 });
  } else {
    const total = scan.files.length;
    const decoded: (Buffer | null)[] = new Array(total).fill(null);
    skipped = [...scan.skipped];
    let next = 0;
    let done = 0;
    const started = Date.now();
    let lastReport = 0;
    const worker = async () => {
      while (next < total) {
        if (opts.signal?.aborted) throw new DatasetError('loading the dataset was cancelled');
        const i = next++;
        const file = scan.files[i]!;
        try {
          decoded[i] = await decodeOne(file.path, p);
        } catch (err) {
          skipped.push({ path: file.path, reason: `cannot decode: ${String((err as Error).message).split('\n')[0]}` });
        }
        done++;
        const now = Date.now();
        if (now - lastReport > 200 || done === total) {
          lastReport = now;
          opts.onProgress?.({ done, total, filesPerSec: done / Math.max((now - started) / 1000, 1e-3) });
        }
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
    const kept = scan.files.map((f, i) => ({ f, data: decoded[i] })).filter((x): x is { f: ScannedFile; data: Buffer } => x.data !== null);
    if (kept.length === 0) throw new DatasetError(`${scan.root}: no image could be decoded (${scan.skipped.length + total} files skipped)`);
    classNames = [...new Set(kept.map((k) => k.f.label))].sort();
    if (classNames.length > 255) throw new DatasetError(`${scan.root}: ${classNames.length} classes; at most 255 subfolders are supported`);
    const labelIndex = new Map(classNames.map((c, i) => [c, i]));
    images = new Uint8Array(kept.length * size);
    labels = new Uint8Array(kept.length);
    kept.forEach((k, i) => {
      images.set(k.data, i * size);
      labels[i] = labelIndex.get(k.f.label)!;
    });
    writeCache(opts.cacheDir, cacheFile, { format: 'bottleneck.dataset-cache', version: 1, count: kept.length, classNames, skipped }, labels, images);
  }
  const split = stratifiedSplit(labels, p.validationSplit, p.seed);
  const take = (idx: number[]) => {
    const out = new Uint8Array(idx.length * size);
    idx.forEach((from, to) => out.set(images.subarray(from * size, (from + 1) * size), to * size));
    return { images: out, labels: Uint8Array.from(idx, (i) => labels[i]!), count: idx.length };
  };
  const name = scan.root.split(sep).filter(Boolean).at(-1) ?? scan.root;
  return {
    dataset: { id: opts.id, name, height: p.height, width: p.width, channels: p.channels, classNames, train: take(split.train), validation: take(split.validation) },
    fingerprint: key,
    skipped,
    fromCache,
  };
}

function writeCache(dir: string, file: string, header: CacheHeader, labels: Uint8Array, images: Uint8Array) {
  mkdirSync(dir, { recursive: true });
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(headerBytes.length, 0);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([prefix, headerBytes, Buffer.from(labels.buffer, labels.byteOffset, labels.length), Buffer.from(images.buffer, images.byteOffset, images.length)]));
  renameSync(tmp, file);
}
