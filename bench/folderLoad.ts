/**
 * Image-folder loading benchmark (part of `npm run bench`): writes the 70,000 Fashion-MNIST images
 * from Debian's dataset-fashion-mnist package as PNG files in class folders (once, in a temp folder),
 * then times a cold load (scan + parallel decode + cache write) and a cached load, each in a fresh
 * process so its peak memory is its own. Prints files/s and peak RSS; writes .bench/folder-load.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { parseIdx } from '../core/data/dataset';
import { folderDatasetId } from '../core/data/folder';

const SOURCE = process.env.BENCH_FMNIST ?? '/usr/share/datasets/fashion-mnist';
const FOLDER = process.env.BENCH_FOLDER ?? join(tmpdir(), 'bottleneck-bench-fashion-mnist-png');
const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

async function writeFolder(): Promise<number> {
  const done = join(FOLDER, '.complete-v2');
  if (existsSync(done)) return Number(readFileSync(done, 'utf8'));
  rmSync(FOLDER, { recursive: true, force: true });
  for (const c of CLASSES) mkdirSync(join(FOLDER, c), { recursive: true });
  let n = 0;
  for (const part of ['train', 't10k']) {
    const images = parseIdx(gunzipSync(readFileSync(join(SOURCE, `${part}-images-idx3-ubyte.gz`))), part);
    const labels = parseIdx(gunzipSync(readFileSync(join(SOURCE, `${part}-labels-idx1-ubyte.gz`))), part);
    const count = images.dims[0]!;
    for (let from = 0; from < count; from += 64) {
      await Promise.all(
        Array.from({ length: Math.min(64, count - from) }, (_, k) => {
          const i = from + k;
          const pixels = Buffer.from(images.data.subarray(i * 784, (i + 1) * 784));
          return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(join(FOLDER, CLASSES[labels.data[i]!]!, `${part}-${String(i).padStart(5, '0')}.png`));
        }),
      );
    }
    n += count;
  }
  writeFileSync(done, String(n));
  return n;
}

/** The first 1,000 images of each class as hard links: the 10,000-image cached-load case. */
function writeSmallFolder(): string {
  const small = `${FOLDER}-10k`;
  if (existsSync(join(small, '.complete'))) return small;
  rmSync(small, { recursive: true, force: true });
  for (const c of CLASSES) {
    mkdirSync(join(small, c), { recursive: true });
    for (const name of readdirSync(join(FOLDER, c)).sort().slice(0, 1000)) linkSync(join(FOLDER, c, name), join(small, c, name));
  }
  writeFileSync(join(small, '.complete'), '10000');
  return small;
}

/** One load in this process: prints {seconds, files, fromCache, peakRssMb, …} as JSON. */
async function loadOnce(home: string, folder: string) {
  process.env.BOTTLENECK_HOME = home;
  const { loadAnyDataset } = await import('../main/backend/datasets');
  const id = folderDatasetId(folder, { height: 28, width: 28, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'white' });
  const started = performance.now();
  const loaded = await loadAnyDataset(id);
  const seconds = (performance.now() - started) / 1000;
  const files = loaded.dataset.train.count + loaded.dataset.validation.count + loaded.record.skippedCount;
  const m = process.memoryUsage();
  console.log(JSON.stringify({ seconds, files, fromCache: loaded.fromCache, peakRssMb: process.resourceUsage().maxRSS / 1024, heapMb: m.heapUsed / 2 ** 20, buffersMb: m.arrayBuffers / 2 ** 20 }));
}

if (process.argv[2] === '--load') {
  await loadOnce(process.argv[3]!, process.argv[4]!);
} else {
  if (!existsSync(join(SOURCE, 'train-images-idx3-ubyte.gz'))) {
    console.log(`Image-folder bench skipped: ${SOURCE} is missing (apt-get install dataset-fashion-mnist).`);
    process.exit(0);
  }
  const t0 = performance.now();
  const total = await writeFolder();
  process.stderr.write(`  folder of ${total} PNGs ready in ${FOLDER} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  const home = mkdtempSync(join(tmpdir(), 'bottleneck-bench-home-'));
  const run = (folder = FOLDER) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--load', home, folder], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`folder load failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { seconds: number; files: number; fromCache: boolean; peakRssMb: number; heapMb: number; buffersMb: number };
  };
  const cold = run();
  const cached = run();
  const small = writeSmallFolder();
  run(small);
  const cachedSmall = run(small);
  const baseline = JSON.parse(spawnSync(process.execPath, ['--import', 'tsx', '-e', 'console.log(process.resourceUsage().maxRSS/1024)'], { encoding: 'utf8' }).stdout) as number;
  const rows = [
    { load: 'cold', files: cold.files, seconds: Number(cold.seconds.toFixed(2)), filesPerSec: Math.round(cold.files / cold.seconds), peakRssMb: Math.round(cold.peakRssMb), heldBuffersMb: Math.round(cold.buffersMb), jsHeapMb: Math.round(cold.heapMb), fromCache: cold.fromCache },
    { load: 'cached', files: cached.files, seconds: Number(cached.seconds.toFixed(2)), filesPerSec: Math.round(cached.files / cached.seconds), peakRssMb: Math.round(cached.peakRssMb), heldBuffersMb: Math.round(cached.buffersMb), jsHeapMb: Math.round(cached.heapMb), fromCache: cached.fromCache },
    { load: 'cached', files: cachedSmall.files, seconds: Number(cachedSmall.seconds.toFixed(2)), filesPerSec: Math.round(cachedSmall.files / cachedSmall.seconds), peakRssMb: Math.round(cachedSmall.peakRssMb), heldBuffersMb: Math.round(cachedSmall.buffersMb), jsHeapMb: Math.round(cachedSmall.heapMb), fromCache: cachedSmall.fromCache },
  ];
  console.log(`\nImage-folder load: ${total} Fashion-MNIST PNGs in 10 class folders, 28×28 grayscale (node + tsx alone peaks at ${Math.round(baseline)} MB RSS)`);
  console.table(rows);
  rmSync(home, { recursive: true, force: true });
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'folder-load.json'), `${JSON.stringify({ date: new Date().toISOString(), folder: FOLDER, baselineRssMb: baseline, rows }, null, 2)}\n`);
}
