/**
 * A scanned folder as a dataset: decoded in parallel (progress, cancel), split, and kept in a binary
 * cache file keyed by the folder's fingerprint and the settings; opened in memory, or streamed from
 * the file when over the memory budget.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, write } from 'node:fs';
import { totalmem } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { DatasetSummary, ImageDataset, ImageSplit } from '../../core/data/dataset';
import { stratifiedSplit, type Preprocessing } from '../../core/data/folder';
import { decodedChannels } from '../../core/data/preprocessing';
import { makeDirs, writeAll } from './atomicFile';
import { describeWriteError, isDiskError } from './diskErrors';
import { DatasetError, type FolderScan, type SkippedFile } from './folderScan';
import { decodeOne, decodeSkipReason } from './imageDecode';

export interface DecodeProgress {
  done: number;
  total: number;
  filesPerSec: number;
}

export interface DecodedFolder {
  dataset: ImageDataset;
  fingerprint: string;
  /** Every file left out, with the reason: found by the scan or refused by the decoder. */
  skipped: SkippedFile[];
  /** Decoded images per class. */
  counts: Record<string, number>;
  fromCache: boolean;
  /** True when the images stay on disk and each batch is read from the cache file. */
  streamed: boolean;
  /** Each split's file names, relative to the folder, in the order of its images; null if they cannot be matched. */
  files: SplitFiles | null;
}

export interface SplitFiles {
  train: string[];
  validation: string[];
}

export function fingerprint(scan: FolderScan, p: Preprocessing): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ root: scan.root, p }));
  for (const f of scan.files) hash.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Bytes of decoded images held in memory; a larger dataset is streamed from its cache file.
 * BOTTLENECK_DATASET_MEMORY_MB overrides it.
 */
export function datasetMemoryBudget(): number {
  const mb = Number(process.env.BOTTLENECK_DATASET_MEMORY_MB);
  if (Number.isFinite(mb) && mb > 0) return mb * 2 ** 20;
  return Math.min(4 * 2 ** 30, totalmem() / 4);
}

const CACHE_FORMAT = 'bottleneck.dataset-cache';
const CACHE_VERSION = 2;
/** The cache header (settings, counts, the skipped files with their reasons) at most. */
const MAX_CACHE_HEADER_BYTES = 64 * 2 ** 20;

/** The cache file: u32 header length, this header as JSON, labels, then images, train first and validation after. */
interface CacheHeader extends Omit<DatasetSummary, 'id' | 'name'> {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  counts: Record<string, number>;
  skipped: SkippedFile[];
}

/** Where decoded images wait, in scan order, until the split is known: memory, or a scratch file when too large. */
interface SlotStore {
  write(slot: number, data: Uint8Array): Promise<void>;
  read(slot: number): Uint8Array;
  dispose(): void;
}

function slotStore(count: number, size: number, budget: number, scratchFile: string): SlotStore {
  if (count * size <= budget) {
    const bytes = new Uint8Array(count * size);
    return { write: async (slot, data) => bytes.set(data, slot * size), read: (slot) => bytes.subarray(slot * size, (slot + 1) * size), dispose: () => {} };
  }
  const fd = openSync(scratchFile, 'w+');
  const scratch = new Uint8Array(size);
  return {
    // A filling disk writes part and reports no error: write the rest, and the next write reports ENOSPC.
    write: (slot, data) =>
      new Promise((resolve, reject) => {
        const from = (done: number) =>
          write(fd, data, done, data.length - done, slot * size + done, (err, n) => (err ? reject(err) : done + n < data.length ? from(done + n) : resolve()));
        from(0);
      }),
    read: (slot) => {
      readSync(fd, scratch, 0, size, slot * size);
      return scratch;
    },
    dispose: () => {
      closeSync(fd);
      rmSync(scratchFile, { force: true });
    },
  };
}

/**
 * Decodes the scanned files in parallel into the cache, or finds the cache of an unchanged folder
 * with the same settings; then opens it in memory, or streamed when over the memory budget.
 */
export async function decodeFolder(
  scan: FolderScan,
  p: Preprocessing,
  opts: { cacheDir: string; id: string; signal?: AbortSignal; onProgress?: (progress: DecodeProgress) => void; concurrency?: number; memoryBudget?: number },
): Promise<DecodedFolder> {
  const key = fingerprint(scan, p);
  const cacheFile = join(opts.cacheDir, `${key}.bin`);
  const budget = opts.memoryBudget ?? datasetMemoryBudget();
  const name = scan.root.split(sep).filter(Boolean).at(-1) ?? scan.root;
  let fromCache = true;
  let opened = existsSync(cacheFile) ? openCache(cacheFile, budget) : null;
  if (!opened) {
    fromCache = false;
    await buildCache(scan, p, cacheFile, budget, opts);
    opened = openCache(cacheFile, budget);
    if (!opened) throw new DatasetError(`${cacheFile}: the dataset cache could not be read back`);
  } else {
    opts.onProgress?.({ done: scan.files.length, total: scan.files.length, filesPerSec: 0 });
  }
  const { header, train, validation, streamed } = opened;
  return {
    dataset: { id: opts.id, name, height: p.height, width: p.width, channels: decodedChannels(p), classNames: header.classNames, train, validation },
    fingerprint: key,
    skipped: header.skipped,
    counts: header.counts,
    fromCache,
    streamed,
    files: splitFiles(scan, header, p),
  };
}

/**
 * The cache keeps no file names: they are derived again as buildCache ordered the images (the scan's
 * order less the skipped files, split by the same seeded rule). The fingerprint ties the cache to
 * this scan, so the order is the same; counts that differ anyway give null rather than wrong names.
 */
function splitFiles(scan: FolderScan, header: CacheHeader, p: Preprocessing): SplitFiles | null {
  const skipped = new Set(header.skipped.map((s) => s.path));
  const kept = scan.files.filter((f) => !skipped.has(f.path));
  const labelIndex = new Map(header.classNames.map((c, i) => [c, i]));
  const labels = kept.map((f) => labelIndex.get(f.label) ?? -1);
  if (labels.includes(-1)) return null;
  const split = stratifiedSplit(labels, p.validationSplit, p.seed);
  if (split.train.length !== header.trainCount || split.validation.length !== header.validationCount) return null;
  const name = (i: number) => relative(scan.root, kept[i]!.path).split(sep).join('/');
  return { train: split.train.map(name), validation: split.validation.map(name) };
}

async function buildCache(
  scan: FolderScan,
  p: Preprocessing,
  cacheFile: string,
  budget: number,
  opts: { cacheDir: string; signal?: AbortSignal; onProgress?: (progress: DecodeProgress) => void; concurrency?: number },
): Promise<void> {
  const size = p.height * p.width * decodedChannels(p);
  const total = scan.files.length;
  makeDirs(opts.cacheDir);
  const slots = slotStore(total, size, budget, `${cacheFile}.${process.pid}.slots`);
  try {
    const decodedOk = new Uint8Array(total);
    const skipped = [...scan.skipped];
    let next = 0;
    let done = 0;
    const started = Date.now();
    let lastReport = 0;
    let lastYield = Date.now();
    const worker = async () => {
      for (;;) {
        if (Date.now() - lastYield > 50) {
          // Fast decodes never wait on I/O: let a Stop message in.
          lastYield = Date.now();
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (opts.signal?.aborted) throw new DatasetError('loading the dataset was cancelled');
        // Checked after the wait: other decoders may have taken the last files meanwhile.
        if (next >= total) return;
        const i = next++;
        const file = scan.files[i]!;
        try {
          await slots.write(i, await decodeOne(file.path, p));
          decodedOk[i] = 1;
        } catch (err) {
          skipped.push({ path: file.path, reason: decodeSkipReason(err) });
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
    const kept = scan.files.flatMap((f, slot) => (decodedOk[slot] ? [{ slot, label: f.label }] : []));
    if (kept.length === 0) throw new DatasetError(`${scan.root}: no image could be decoded (${skipped.length} files skipped)`);
    const classNames = [...new Set(kept.map((k) => k.label))].sort();
    if (classNames.length > 255) throw new DatasetError(`${scan.root}: ${classNames.length} classes; at most 255 subfolders are supported`);
    const labelIndex = new Map(classNames.map((c, i) => [c, i]));
    const labels = Uint8Array.from(kept, (k) => labelIndex.get(k.label)!);
    const counts: Record<string, number> = {};
    for (const k of kept) counts[k.label] = (counts[k.label] ?? 0) + 1;
    const split = stratifiedSplit(labels, p.validationSplit, p.seed);
    const order = [...split.train, ...split.validation];
    const header: CacheHeader = {
      format: CACHE_FORMAT,
      version: CACHE_VERSION,
      height: p.height,
      width: p.width,
      channels: decodedChannels(p),
      trainCount: split.train.length,
      validationCount: split.validation.length,
      classNames,
      counts,
      skipped,
    };
    writeCacheFile(cacheFile, header, Uint8Array.from(order, (k) => labels[k]!), order.length, size, (i) => slots.read(kept[order[i]!]!.slot));
  } finally {
    slots.dispose();
  }
}

/**
 * Writes through a temp file, in chunks (the images may not fit in memory), then renames it in place.
 * A disk that refuses (full) leaves no temp file, and the error names the cache and the cause.
 */
function writeCacheFile(file: string, header: CacheHeader, labels: Uint8Array, count: number, size: number, imageAt: (i: number) => Uint8Array) {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(headerBytes.length, 0);
      writeAll(fd, prefix);
      writeAll(fd, headerBytes);
      writeAll(fd, labels);
      const perChunk = Math.max(1, Math.floor(4 * 2 ** 20 / size));
      const chunk = new Uint8Array(perChunk * size);
      for (let from = 0; from < count; from += perChunk) {
        const n = Math.min(perChunk, count - from);
        for (let i = 0; i < n; i++) chunk.set(imageAt(from + i), i * size);
        writeAll(fd, chunk.subarray(0, n * size));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw isDiskError(err) ? new Error(`cannot cache the decoded images in ${file}: ${describeWriteError(err)}`) : err;
  }
}

interface OpenedCache {
  header: CacheHeader;
  train: ImageSplit;
  validation: ImageSplit;
  streamed: boolean;
}

/** Opens a cache file; null when it is not one of ours or is damaged (it is then rebuilt). */
function openCache(file: string, budget: number): OpenedCache | null {
  // Without blocking, and only a regular file: a FIFO or a device planted as the cache is not waited on or read.
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let keepOpen = false;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return null;
    const prefix = Buffer.alloc(4);
    if (readSync(fd, prefix, 0, 4, 0) !== 4) return null;
    const headerLength = prefix.readUInt32LE(0);
    // The header is a few kilobytes of JSON: a length past the file is damage, not a reason to allocate 4 GB.
    if (headerLength > Math.min(stat.size - 4, MAX_CACHE_HEADER_BYTES)) return null;
    const headerBytes = Buffer.alloc(headerLength);
    if (readSync(fd, headerBytes, 0, headerLength, 4) !== headerLength) return null;
    let header: CacheHeader;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as CacheHeader;
    } catch {
      return null;
    }
    if (header.format !== CACHE_FORMAT || header.version !== CACHE_VERSION) return null;
    const count = header.trainCount + header.validationCount;
    const size = header.height * header.width * header.channels;
    const labelsAt = 4 + headerLength;
    const imagesAt = labelsAt + count;
    if (stat.size !== imagesAt + count * size) return null;
    const labels = new Uint8Array(count);
    readSync(fd, labels, 0, count, labelsAt);
    const nTrain = header.trainCount;
    if (count * size <= budget) {
      const images = new Uint8Array(count * size);
      for (let offset = 0; offset < images.length; ) offset += readSync(fd, images, offset, Math.min(images.length - offset, 2 ** 30), imagesAt + offset);
      return {
        header,
        streamed: false,
        train: { images: images.subarray(0, nTrain * size), labels: labels.subarray(0, nTrain), count: nTrain },
        validation: { images: images.subarray(nTrain * size), labels: labels.subarray(nTrain), count: header.validationCount },
      };
    }
    // Too large for memory: each image is read from the file when a batch needs it.
    keepOpen = true;
    const reader = (first: number) => {
      const scratch = new Uint8Array(size);
      return (index: number) => {
        readSync(fd, scratch, 0, size, imagesAt + (first + index) * size);
        return scratch;
      };
    };
    return {
      header,
      streamed: true,
      train: { images: new Uint8Array(0), labels: labels.subarray(0, nTrain), count: nTrain, readImage: reader(0) },
      validation: { images: new Uint8Array(0), labels: labels.subarray(nTrain), count: header.validationCount, readImage: reader(nTrain) },
    };
  } finally {
    if (!keepOpen) closeSync(fd);
  }
}
