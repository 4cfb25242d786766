import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx, subsetDataset, type ImageDataset } from '../../core/data/dataset';
import type { DatasetInfo } from '../../core/api';
import { isFolderDatasetId, parseFolderDatasetId } from '../../core/data/folder';
import type { DatasetProgressEvent, RunDataset } from '../../core/train/events';
import { decodeFolder, scanFolder } from './imageFolder';
import { assetsDir, workspaceDir } from './paths';

export const BUILTIN_FASHION_MNIST = 'builtin:fashion-mnist';

interface BuiltinManifest {
  id: string;
  name: string;
  height: number;
  width: number;
  channels: number;
  train: number;
  test: number;
  classNames: string[];
}

function builtinDir(): string {
  return join(assetsDir(), 'datasets', 'fashion-mnist');
}

function readManifest(): BuiltinManifest {
  const file = join(builtinDir(), 'dataset.json');
  if (!existsSync(file)) throw new Error(`the built-in dataset is missing (${file}): run "npm run dataset"`);
  return JSON.parse(readFileSync(file, 'utf8')) as BuiltinManifest;
}

export function listDatasets(): DatasetInfo[] {
  const m = readManifest();
  return [
    {
      id: m.id,
      name: m.name,
      height: m.height,
      width: m.width,
      channels: m.channels,
      trainCount: m.train,
      validationCount: m.test,
      classNames: m.classNames,
    },
  ];
}

function readIdx(file: string) {
  const path = join(builtinDir(), file);
  return parseIdx(new Uint8Array(gunzipSync(readFileSync(path))), path);
}

/**
 * Loads a dataset by id. The built-in one uses the Fashion-MNIST test images for validation.
 * `builtin:fashion-mnist?train=N&validation=M` takes the first N and M images, for quick runs.
 */
export function loadDataset(id: string): ImageDataset {
  const [base, query] = id.split('?');
  if (base !== BUILTIN_FASHION_MNIST) {
    throw new Error(`unknown dataset "${id}": the only dataset so far is ${BUILTIN_FASHION_MNIST}`);
  }
  const full = loadBuiltin();
  if (!query) return full;
  const params = new URLSearchParams(query);
  const count = (key: string, fallback: number) => {
    const text = params.get(key);
    const n = text === null ? fallback : Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`dataset "${id}": ${key} must be a whole number ≥ 1`);
    return n;
  };
  return subsetDataset(full, count('train', full.train.count), count('validation', full.validation.count));
}

export function isKnownDataset(id: string): boolean {
  return id.split('?')[0] === BUILTIN_FASHION_MNIST || isFolderDatasetId(id);
}

export interface LoadedDataset {
  dataset: ImageDataset;
  /** What run.json records about it. */
  record: RunDataset;
  fromCache: boolean;
}

export type LoadProgress = Omit<DatasetProgressEvent, 'type' | 'runId'>;

const MAX_LISTED_SKIPS = 1000;

/**
 * Any dataset id: the built-in set, or an image folder (decoded, or read from the cache in the
 * workspace when the folder and its settings are unchanged).
 */
export async function loadAnyDataset(id: string, opts: { signal?: AbortSignal; onProgress?: (p: LoadProgress) => void } = {}): Promise<LoadedDataset> {
  if (!isFolderDatasetId(id)) {
    const dataset = loadDataset(id);
    const counts: Record<string, number> = {};
    for (const split of [dataset.train, dataset.validation]) {
      for (let i = 0; i < split.count; i++) {
        const name = dataset.classNames[split.labels[i]!] ?? String(split.labels[i]);
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    return { dataset, record: { ...shapeOf(dataset), counts, skipped: [], skippedCount: 0 }, fromCache: false };
  }
  const { path, preprocessing } = parseFolderDatasetId(id);
  opts.onProgress?.({ phase: 'scanning', done: 0, total: 0, filesPerSec: 0 });
  const scan = await scanFolder(path, opts.signal);
  const decoded = await decodeFolder(scan, preprocessing, {
    cacheDir: join(workspaceDir(), 'cache', 'datasets'),
    id,
    signal: opts.signal,
    onProgress: (p) => opts.onProgress?.({ phase: 'decoding', ...p }),
  });
  const { dataset } = decoded;
  return {
    dataset,
    fromCache: decoded.fromCache,
    record: {
      ...shapeOf(dataset),
      counts: decoded.counts,
      path,
      fingerprint: decoded.fingerprint,
      preprocessing,
      skipped: decoded.skipped.slice(0, MAX_LISTED_SKIPS),
      skippedCount: decoded.skipped.length,
      fromCache: decoded.fromCache,
      streamed: decoded.streamed,
    },
  };
}

function shapeOf(ds: ImageDataset) {
  return { id: ds.id, name: ds.name, height: ds.height, width: ds.width, channels: ds.channels, classNames: ds.classNames, trainCount: ds.train.count, validationCount: ds.validation.count };
}

function loadBuiltin(): ImageDataset {
  const m = readManifest();
  const trainImages = readIdx('train-images.idx.gz');
  const trainLabels = readIdx('train-labels.idx.gz');
  const testImages = readIdx('test-images.idx.gz');
  const testLabels = readIdx('test-labels.idx.gz');
  return {
    id: m.id,
    name: m.name,
    height: m.height,
    width: m.width,
    channels: m.channels,
    classNames: m.classNames,
    train: { images: trainImages.data, labels: trainLabels.data, count: trainImages.dims[0]! },
    validation: { images: testImages.data, labels: testLabels.data, count: testImages.dims[0]! },
  };
}
