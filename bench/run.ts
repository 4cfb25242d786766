/**
 * `npm run bench`: trains the undercomplete, convolutional and variational templates and the speed
 * issue's three models (bench/models.ts) on the built-in data through the app's own trainer (worker
 * thread, chosen backend) and, when Debian's python3-torch is installed, the same models in PyTorch
 * in the same command. Each run's speed is the median of its epochs after the first (a warm-up);
 * each figure in the table is the median over BENCH_REPEATS runs (ours and PyTorch interleaved).
 * Also reports the final validation loss of each and the main thread's event-loop delay (p99) while
 * training. Writes the table to .bench/results.json.
 * Knobs: BENCH_EPOCHS (default 3), BENCH_REPEATS (default 3), BENCH_MODELS (comma-separated names),
 * BENCH_TORCH=0 to skip PyTorch, BENCH_BEFORE=1 to add the unoptimized path as a "before" column
 * (BOTTLENECK_UNOPTIMIZED: tfjs's own kernels, one thread, per-batch loss read-back);
 * BOTTLENECK_BACKEND picks the backend (tfjs-node, wasm, cpu).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EpochEndEvent, TrainEvent } from '../core/train/events';
import { isTerminal } from '../core/train/events';
import { BUILTIN_FASHION_MNIST } from '../main/backend/datasets';
import { assetsDir } from '../main/backend/paths';
import { BottleneckBackend } from '../main/backend/service';
import { BENCH_MODELS, type BenchModel } from './models';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const BEFORE = process.env.BENCH_BEFORE === '1';
const MODELS = (process.env.BENCH_MODELS ?? Object.keys(BENCH_MODELS).join(',')).split(',') as BenchModel[];
for (const m of MODELS) if (!(m in BENCH_MODELS)) throw new Error(`unknown bench model ${m}: one of ${Object.keys(BENCH_MODELS).join(', ')}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const steady = (xs: number[]) => median(xs.length > 1 ? xs.slice(1) : xs);

function benchGraph(name: BenchModel) {
  const graph = BENCH_MODELS[name]();
  graph.training = { ...graph.training, epochs: EPOCHS, batchSize: 128, learningRate: 1e-3, optimizer: 'adam' };
  return graph;
}

async function ours(name: BenchModel, unoptimized = false) {
  // The trainer's worker threads copy the environment when they start.
  if (unoptimized) process.env.BOTTLENECK_UNOPTIMIZED = '1';
  else delete process.env.BOTTLENECK_UNOPTIMIZED;
  const backend = new BottleneckBackend({ shell: 'cli', runsRoot: mkdtempSync(join(tmpdir(), 'bottleneck-bench-')) });
  const graph = benchGraph(name);
  const epochs: EpochEndEvent[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const last = await new Promise<TrainEvent>((resolve, reject) => {
    backend.on((e) => {
      if (e.type !== 'train') return;
      if (e.event.type === 'epoch-end') {
        epochs.push(e.event);
        process.stderr.write(`  ${name} epoch ${e.event.epoch}: ${Math.round(e.event.samplesPerSec)} samples/s, val_loss ${e.event.val_loss.toFixed(4)}\n`);
      }
      if (e.event.type === 'run-started') delay.enable();
      if (isTerminal(e.event)) resolve(e.event);
    });
    backend.invoke('train:start', { graph, datasetId: BUILTIN_FASHION_MNIST }).catch(reject);
  });
  delay.disable();
  await backend.dispose();
  if (last.type !== 'run-finished') throw new Error(`bench run ended with ${last.type}: ${JSON.stringify(last)}`);
  return { backend: backend.trainer.backend?.name ?? '?', samplesPerSec: steady(epochs.map((e) => e.samplesPerSec)), valLoss: last.val_loss, loopDelayP99Ms: delay.percentile(99) / 1e6 };
}

const torchAvailable = process.env.BENCH_TORCH !== '0' && spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

function pytorch(name: BenchModel) {
  if (!torchAvailable) return null;
  const graph = benchGraph(name);
  const vae = graph.nodes.find((n) => n.kind === 'VariationalBottleneck');
  const cfg = {
    model: name,
    data: join(assetsDir(), 'datasets', 'fashion-mnist'),
    epochs: EPOCHS,
    batch: 128,
    lr: 1e-3,
    seed: 42,
    threads: 2,
    warmup_epochs: vae ? Number(vae.params.klWarmupEpochs ?? 0) : 0,
  };
  process.stderr.write(`  ${name}: PyTorch reference…\n`);
  const r = spawnSync(PYTHON, [join(import.meta.dirname, 'reference_torch.py'), JSON.stringify(cfg)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' },
  });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { samples_per_sec: number[]; val_loss: number; torch: string };
  return { samplesPerSec: steady(out.samples_per_sec), valLoss: out.val_loss, version: out.torch };
}

const rows = [];
const runs: Record<string, { ours: number[]; pytorch: number[]; before: number[] }> = {};
let torchVersion: string | null = null;
for (const name of MODELS) {
  const a: Awaited<ReturnType<typeof ours>>[] = [];
  const b: NonNullable<ReturnType<typeof pytorch>>[] = [];
  const before: Awaited<ReturnType<typeof ours>>[] = [];
  for (let r = 0; r < REPEATS; r++) {
    if (BEFORE) before.push(await ours(name, true));
    a.push(await ours(name));
    const t = pytorch(name);
    if (t) b.push(t);
  }
  torchVersion ??= b[0]?.version ?? null;
  runs[name] = { ours: a.map((x) => Math.round(x.samplesPerSec)), pytorch: b.map((x) => Math.round(x.samplesPerSec)), before: before.map((x) => Math.round(x.samplesPerSec)) };
  const oursSpeed = median(a.map((x) => x.samplesPerSec));
  const torchSpeed = b.length ? median(b.map((x) => x.samplesPerSec)) : null;
  const oursLoss = median(a.map((x) => x.valLoss));
  const torchLoss = b.length ? median(b.map((x) => x.valLoss)) : null;
  const beforeSpeed = before.length ? median(before.map((x) => x.samplesPerSec)) : null;
  rows.push({
    model: name,
    backend: a[0]!.backend,
    ...(beforeSpeed !== null && {
      samplesPerSecBefore: Math.round(beforeSpeed),
      speedRatioBefore: torchSpeed ? Number((beforeSpeed / torchSpeed).toFixed(3)) : null,
      valLossBefore: Number(median(before.map((x) => x.valLoss)).toFixed(4)),
    }),
    samplesPerSecOurs: Math.round(oursSpeed),
    samplesPerSecPyTorch: torchSpeed ? Math.round(torchSpeed) : null,
    speedRatio: torchSpeed ? Number((oursSpeed / torchSpeed).toFixed(3)) : null,
    valLossOurs: Number(oursLoss.toFixed(4)),
    valLossPyTorch: torchLoss ? Number(torchLoss.toFixed(4)) : null,
    eventLoopDelayP99Ms: Number(median(a.map((x) => x.loopDelayP99Ms)).toFixed(1)),
  });
}
console.log(
  `\nBottleneck bench: ${EPOCHS} epochs of the built-in Fashion-MNIST subset (10,000 images), batch 128, Adam 1e-3; samples/s excludes the first epoch; each figure the median of ${REPEATS} runs`,
);
console.log(`PyTorch reference: ${torchVersion ? `torch ${torchVersion} (${PYTHON}, 2 threads, OPENBLAS_NUM_THREADS=1)` : 'not run'}`);
console.table(rows);
mkdirSync('.bench', { recursive: true });
writeFileSync(join('.bench', 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), epochs: EPOCHS, repeats: REPEATS, torch: torchVersion, rows, runs }, null, 2)}\n`);
