/**
 * `npm run bench`: trains the undercomplete template on the built-in data through the app's own
 * trainer (worker thread, chosen backend) and, when Debian's python3-torch is installed, the same
 * model in PyTorch in the same command. Prints samples/s (median of the epochs after a warm-up
 * epoch), the ratio to PyTorch, the final validation loss of each, and the main thread's
 * event-loop delay while training. Writes the table to .bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { undercomplete } from '../core/templates/undercomplete';
import type { EpochEndEvent, TrainEvent } from '../core/train/events';
import { isTerminal } from '../core/train/events';
import { assetsDir } from '../main/backend/paths';
import { BUILTIN_FASHION_MNIST } from '../main/backend/datasets';
import { BottleneckBackend } from '../main/backend/service';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 4);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ours() {
  const backend = new BottleneckBackend({ shell: 'cli', runsRoot: mkdtempSync(join(tmpdir(), 'bottleneck-bench-')) });
  const graph = undercomplete();
  graph.training.epochs = EPOCHS;
  const epochs: EpochEndEvent[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const last = await new Promise<TrainEvent>((resolve, reject) => {
    backend.on((e) => {
      if (e.type !== 'train') return;
      if (e.event.type === 'epoch-end') {
        epochs.push(e.event);
        process.stderr.write(`  bottleneck epoch ${e.event.epoch}: ${Math.round(e.event.samplesPerSec)} samples/s\n`);
      }
      if (e.event.type === 'run-started') delay.enable();
      if (isTerminal(e.event)) resolve(e.event);
    });
    backend.invoke('train:start', { graph, datasetId: BUILTIN_FASHION_MNIST }).catch(reject);
  });
  delay.disable();
  await backend.dispose();
  if (last.type !== 'run-finished') throw new Error(`bench run ended with ${last.type}: ${JSON.stringify(last)}`);
  return {
    backend: backend.trainer.backend?.name ?? '?',
    samplesPerSec: median(epochs.slice(1).map((e) => e.samplesPerSec)),
    valLoss: last.val_loss,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
  };
}

function pytorch() {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const cfg = { data: join(assetsDir(), 'datasets', 'fashion-mnist'), epochs: EPOCHS, batch: 128, lr: 1e-3, code: 32, seed: 42, threads: 2 };
  const r = spawnSync(PYTHON, [join(import.meta.dirname, 'reference_torch.py'), JSON.stringify(cfg)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' },
  });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { samples_per_sec: number[]; val_loss: number; torch: string };
  return { samplesPerSec: median(out.samples_per_sec.slice(1)), valLoss: out.val_loss, version: out.torch };
}

const a = await ours();
const b = pytorch();
const rows = [
  {
    model: 'undercomplete (784-128-32-128-784)',
    backend: a.backend,
    samplesPerSecOurs: Math.round(a.samplesPerSec),
    samplesPerSecPyTorch: b ? Math.round(b.samplesPerSec) : null,
    ratio: b ? Number((a.samplesPerSec / b.samplesPerSec).toFixed(3)) : null,
    valLossOurs: Number(a.valLoss.toFixed(4)),
    valLossPyTorch: b ? Number(b.valLoss.toFixed(4)) : null,
    eventLoopDelayP99Ms: Number(a.loopDelayP99Ms.toFixed(1)),
  },
];
console.log(`\nBottleneck bench: ${EPOCHS} epochs of the built-in Fashion-MNIST subset, batch 128, Adam 1e-3; first epoch is warm-up`);
console.log(`PyTorch reference: ${b ? `torch ${b.version} (${PYTHON})` : 'not run (python3-torch is not installed)'}`);
console.table(rows);
mkdirSync('.bench', { recursive: true });
writeFileSync(join('.bench', 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), epochs: EPOCHS, rows }, null, 2)}\n`);
