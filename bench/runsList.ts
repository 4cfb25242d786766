/**
 * Run list benchmark: 200 run folders (run.json as the app writes it, graph.json, a metrics.jsonl
 * of 50 epochs with per-batch losses, latent/ and samples/ files) in a temp workspace, then times
 * RunStore.list(): the first call on a fresh store and the median of 5 more. The bar is
 * under 1 s for 200 runs. Prints the numbers; writes .bench/runs-list.json.
 *   node --import tsx bench/runsList.ts      (BENCH_RUNS=N for another count)
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderDatasetId } from '../core/data/folder';
import { encodeProjection } from '../core/latent/projectionFile';
import { buildTemplate, TEMPLATE_NAMES } from '../core/templates';
import { newRunId } from '../main/backend/runs/naming';
import { RunStore } from '../main/backend/runs/store';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const EPOCHS = 50;
const BATCHES_LOGGED = 20; // per-batch loss lines per epoch
const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

function makeRuns(store: RunStore): { bytes: number } {
  let bytes = 0;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < RUNS; i++) {
    const id = newRunId(new Date(start + i * 3_600_000));
    const template = TEMPLATE_NAMES[i % TEMPLATE_NAMES.length]!;
    const folder = i % 4 === 3;
    const image = folder ? { height: 32, width: 32, channels: 3 } : { height: 28, width: 28, channels: 1 };
    const graph = buildTemplate(template, image);
    graph.training = { ...graph.training, epochs: EPOCHS };
    const datasetId = folder ? folderDatasetId(`/home/me/pictures/set-${i}`, { ...image, channels: 3, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'white' }) : 'builtin:fashion-mnist';
    const run = store.create(id, graph, datasetId);
    const dir = store.dir(id);
    // metrics.jsonl: per-batch losses, then the epoch's metrics, as RunStore.record writes them.
    const lines: string[] = [];
    let t = start / 1000 + i * 3600;
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      for (let b = 1; b <= BATCHES_LOGGED; b++) lines.push(JSON.stringify({ t: (t += 0.05), epoch, step: (epoch - 1) * BATCHES_LOGGED + b, key: 'loss', value: 0.3 / epoch + Math.random() * 0.01 }));
      const step = epoch * BATCHES_LOGGED;
      for (const [key, value] of [['epoch_loss', 0.3 / epoch], ['val_loss', 0.32 / epoch], ['recon_loss', 0.3 / epoch], ['val_recon_loss', 0.32 / epoch], ['samples_per_sec', 9000 + Math.random() * 500]] as const) {
        lines.push(JSON.stringify({ t, epoch, step, key, value }));
      }
    }
    writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    for (const epoch of [1, 25, 50]) {
      const stem = `epoch-${String(epoch).padStart(4, '0')}`;
      writeFileSync(join(dir, 'latent', `${stem}.bin`), encodeProjection({ method: 'pca', x: Array.from({ length: 1000 }, Math.random), y: Array.from({ length: 1000 }, Math.random), labels: Array.from({ length: 1000 }, (_, k) => k % 10) }));
      writeFileSync(join(dir, 'samples', `${stem}.json`), JSON.stringify({ height: 28, width: 28, channels: 1, originals: [Array(784).fill(0)], reconstructions: [Array(784).fill(0)], labels: [0] }));
    }
    // run.json as a finished run leaves it: the full dataset record (a folder's with skipped files).
    const skipped = folder ? Array.from({ length: 40 }, (_, k) => ({ path: `/home/me/pictures/set-${i}/bad/${k}.txt`, reason: 'not an image (unknown format)' })) : [];
    store.write({
      ...run,
      status: i % 10 === 0 ? 'stopped' : 'finished',
      endedAt: new Date(Date.parse(run.startedAt) + 60_000 + i * 1000).toISOString(),
      dataset: { id: datasetId, name: folder ? `set-${i}` : 'Fashion-MNIST (built-in subset)', ...image, classNames: CLASSES, counts: Object.fromEntries(CLASSES.map((c) => [c, 1000])), trainCount: 9000, validationCount: 1000, skipped, skippedCount: skipped.length },
      backend: { name: 'wasm', skipped: [{ name: 'tensorflow', reason: 'tfjs-node is not installed' }] },
      epochsDone: EPOCHS,
      loss: 0.3 / EPOCHS,
      val_loss: 0.32 / EPOCHS,
      best_val_loss: 0.32 / EPOCHS,
    });
    bytes += statSync(join(dir, 'run.json')).size + statSync(join(dir, 'metrics.jsonl')).size;
  }
  return { bytes };
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const root = mkdtempSync(join(tmpdir(), 'bottleneck-bench-runs-'));
try {
  const made = makeRuns(new RunStore(join(root, 'runs')));
  const store = new RunStore(join(root, 'runs'));
  let count = 0;
  const firstMs = time(() => (count = store.list().length));
  if (count !== RUNS) throw new Error(`listed ${count} runs, expected ${RUNS}`);
  const repeats = Array.from({ length: 5 }, () => time(() => store.list()));
  const medianMs = [...repeats].sort((a, b) => a - b)[2]!;
  // Curves load on demand: one run's detail (graph, settings, 1,250 metric lines).
  const ids = store.list().map((r) => r.id);
  const detailMs = [...Array.from({ length: 5 }, (_, k) => time(() => store.detail(ids[k * 7]!)))].sort((a, b) => a - b)[2]!;
  const result = {
    runs: RUNS,
    epochsPerRun: EPOCHS,
    metricsAndRunJsonMiB: +(made.bytes / 2 ** 20).toFixed(1),
    firstListMs: +firstMs.toFixed(1),
    medianListMs: +medianMs.toFixed(1),
    repeatsMs: repeats.map((ms) => +ms.toFixed(1)),
    medianDetailMs: +detailMs.toFixed(1),
    underOneSecond: firstMs < 1000 && medianMs < 1000,
    node: process.version,
    date: new Date().toISOString(),
  };
  console.log(`RunStore.list() over ${RUNS} runs (${EPOCHS} epochs each, ${result.metricsAndRunJsonMiB} MiB of run.json + metrics.jsonl): first call ${result.firstListMs} ms, median of 5 ${result.medianListMs} ms; one run's detail (curves) ${result.medianDetailMs} ms`);
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'runs-list.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
