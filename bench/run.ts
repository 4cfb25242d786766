/**
 * `npm run bench`: trains the undercomplete, convolutional and variational templates on the built-in
 * data through the app's own trainer (worker thread, chosen backend) and, when Debian's python3-torch
 * is installed, the same models in PyTorch in the same command. Prints samples/s (median of the epochs
 * after the first, a warm-up), the ratio to PyTorch, the final validation loss of each and their gap,
 * and the main thread's event-loop delay while training. Writes the table to .bench/results.json.
 * BENCH_EPOCHS (default 3) and BENCH_MODELS (comma-separated) narrow it down.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildTemplate, type TemplateName } from '../core/templates';
import type { EpochEndEvent, TrainEvent } from '../core/train/events';
import { isTerminal } from '../core/train/events';
import { BUILTIN_FASHION_MNIST } from '../main/backend/datasets';
import { assetsDir } from '../main/backend/paths';
import { BottleneckBackend } from '../main/backend/service';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const MODELS = (process.env.BENCH_MODELS ?? 'undercomplete,convolutional,variational').split(',') as TemplateName[];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const steady = (xs: number[]) => median(xs.length > 1 ? xs.slice(1) : xs);

async function ours(name: TemplateName) {
  const backend = new BottleneckBackend({ shell: 'cli', runsRoot: mkdtempSync(join(tmpdir(), 'bottleneck-bench-')) });
  const graph = buildTemplate(name);
  graph.training = { ...graph.training, epochs: EPOCHS, batchSize: 128, learningRate: 1e-3, optimizer: 'adam' };
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

function pytorch(name: TemplateName) {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const graph = buildTemplate(name);
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
let torchVersion: string | null = null;
for (const name of MODELS) {
  const a = await ours(name);
  const b = pytorch(name);
  torchVersion ??= b?.version ?? null;
  rows.push({
    model: name,
    backend: a.backend,
    samplesPerSecOurs: Math.round(a.samplesPerSec),
    samplesPerSecPyTorch: b ? Math.round(b.samplesPerSec) : null,
    speedRatio: b ? Number((a.samplesPerSec / b.samplesPerSec).toFixed(3)) : null,
    valLossOurs: Number(a.valLoss.toFixed(4)),
    valLossPyTorch: b ? Number(b.valLoss.toFixed(4)) : null,
    valLossGapPct: b ? Number(((100 * (a.valLoss - b.valLoss)) / b.valLoss).toFixed(2)) : null,
    eventLoopDelayP99Ms: Number(a.loopDelayP99Ms.toFixed(1)),
  });
}
console.log(`\nBottleneck bench: ${EPOCHS} epochs of the built-in Fashion-MNIST subset (10,000 images), batch 128, Adam 1e-3; samples/s excludes the first epoch`);
console.log(`PyTorch reference: ${torchVersion ? `torch ${torchVersion} (${PYTHON}, 2 threads)` : 'not run (python3-torch is not installed)'}`);
console.table(rows);
mkdirSync('.bench', { recursive: true });
writeFileSync(join('.bench', 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), epochs: EPOCHS, rows }, null, 2)}\n`);
