/**
 * `npm run bench`: trains the undercomplete, convolutional and variational templates and the speed
 * issue's three models (bench/models.ts) on the built-in data through the app's own trainer (worker
 * thread, chosen backend) and, when PyTorch is installed, the same models in PyTorch in the same
 * command. Each run's speed is the median of its epochs after the first (a warm-up); each figure in
 * the table is the median over BENCH_REPEATS runs (ours and PyTorch interleaved). Also reports the
 * final validation loss of each and the main thread's event-loop delay (p99) while training.
 * Writes the table to .bench/results.json.
 *
 * Honest by construction (bench/policy.ts):
 * - PyTorch reports which BLAS its own process calls (and its measured GEMM speed); on the
 *   reference BLAS, or one it cannot name, no ratio is printed or written, and the bench says how
 *   to install OpenBLAS.
 * - Each row is labelled with the backend the trainer reports in run-started; a backend asked for
 *   but fallen back from (cuda → webgpu, webgpu → cpu) gives no row, only the reason.
 * - Where PyTorch sees CUDA, it is timed there too, as a column of its own.
 *
 * Knobs: BENCH_EPOCHS (default 3), BENCH_REPEATS (default 3), BENCH_MODELS (comma-separated names),
 * BENCH_IMAGES (train on the first N images, validate on the first N/4: for a slow adapter; default all),
 * BENCH_BACKENDS (comma-separated ONNX Runtime providers: cuda, dml, webgpu, cpu; the first engine's wasm
 * means cpu; default cpu, plus webgpu where a hardware GPU exists; webgpu on a software adapter only when listed and BENCH_MODELS or
 * BENCH_IMAGES scales the bench down),
 * BENCH_TORCH=0 to skip PyTorch, BENCH_TORCH_CPU=0 / BENCH_TORCH_CUDA=0 to skip PyTorch on the CPU / on CUDA, BENCH_PYTHON (default:
 * /usr/bin/python3, else python3 on the PATH, whichever imports torch).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BackendInfo } from '../core/api';
import type { EpochEndEvent, RunStartedEvent, TrainEvent } from '../core/train/events';
import { isTerminal } from '../core/train/events';
import { builtinDatasetId } from '../core/data/datasetId';
import { webgpuAdapter } from '../main/backend/engine/gpuInfo';
import { assetsDir } from '../main/backend/paths';
import { BottleneckBackend } from '../main/backend/service';
import { BENCH_MODELS, type BenchModel } from './models';
import { adapterOf, planBackends, ratioPolicy, rowBackend, type TorchEnv, type WebgpuProbe } from './policy';

// import.meta.dirname is bench/ from source; the device bundle (bench/bundle.mjs) defines it as the bundle's folder.
const HERE = import.meta.dirname;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const IMAGES = process.env.BENCH_IMAGES ? Number(process.env.BENCH_IMAGES) : null;
const VALIDATION = IMAGES === null ? null : Math.max(1, Math.floor(IMAGES / 4));
const DATASET = builtinDatasetId('fashion-mnist', IMAGES === null ? {} : { train: IMAGES, validation: VALIDATION! });
const MODELS = (process.env.BENCH_MODELS ?? Object.keys(BENCH_MODELS).join(',')).split(',') as BenchModel[];
for (const m of MODELS) if (!(m in BENCH_MODELS)) throw new Error(`unknown bench model ${m}: one of ${Object.keys(BENCH_MODELS).join(', ')}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const steady = (xs: number[]) => median(xs.length > 1 ? xs.slice(1) : xs);
const round3 = (x: number) => Number(x.toFixed(3));
const round4 = (x: number) => Number(x.toFixed(4));
const log = (line: string) => process.stderr.write(`${line}\n`);

function benchGraph(name: BenchModel) {
  const graph = BENCH_MODELS[name]();
  graph.training = { ...graph.training, epochs: EPOCHS, batchSize: 128, learningRate: 1e-3, optimizer: 'adam' };
  return graph;
}

/** The GPU WebGPU would use here, from the operating system (no GPU library loaded). */
function probeWebgpu(): WebgpuProbe {
  const found = webgpuAdapter();
  if ('none' in found) return { available: false, reason: found.none };
  const a = found.adapter;
  return { available: true, vendor: a.vendor, architecture: a.architecture, description: a.description, isFallbackAdapter: a.fallback };
}

interface OursResult {
  /** The backend named in run-started: what actually trained. */
  reported: string;
  /** Set when the trainer did not use the backend asked for: the run was stopped at its start, and gives no row. */
  refused?: string;
  threads: number;
  info: BackendInfo | null;
  samplesPerSec: number;
  valLoss: number;
  loopDelayP99Ms: number;
}

async function ours(name: BenchModel, backendName: string): Promise<OursResult> {
  // The trainer's worker threads copy the environment when they start.
  process.env.BOTTLENECK_BACKEND = backendName;
  const root = mkdtempSync(join(tmpdir(), 'bottleneck-bench-'));
  const backend = new BottleneckBackend({ shell: 'cli', runsRoot: join(root, 'runs'), graphsRoot: join(root, 'graphs') });
  const graph = benchGraph(name);
  const epochs: EpochEndEvent[] = [];
  let started: RunStartedEvent | null = null;
  let refused: string | null = null;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  try {
    const last = await new Promise<TrainEvent>((resolve, reject) => {
      backend.on((e) => {
        if (e.type !== 'train') return;
        if (e.event.type === 'epoch-end') {
          epochs.push(e.event);
          log(`  ${name} on ${started?.backend ?? backendName} epoch ${e.event.epoch}: ${Math.round(e.event.samplesPerSec)} samples/s, val_loss ${e.event.val_loss.toFixed(4)}`);
        }
        if (e.event.type === 'run-started') {
          started = e.event;
          const label = rowBackend(backendName, e.event.backend, backend.trainer.backend?.skipped);
          if (!label.ok) {
            // Not the backend asked for: stop here rather than time a row that will not be shown.
            refused = label.reason;
            backend.invoke('train:stop', { runId: e.event.runId }).catch(reject);
          }
          delay.enable();
        }
        if (isTerminal(e.event)) resolve(e.event);
      });
      backend.invoke('train:start', { graph, datasetId: DATASET }).catch(reject);
    });
    delay.disable();
    const info = backend.trainer.backend;
    const s = started as RunStartedEvent | null;
    // Both are set in the listener, which TypeScript's narrowing does not follow.
    const why = refused as string | null;
    if (why !== null) return { reported: s?.backend ?? '?', refused: why, threads: s?.threads ?? 1, info, samplesPerSec: 0, valLoss: Number.NaN, loopDelayP99Ms: 0 };
    if (last.type !== 'run-finished') throw new Error(`bench run ended with ${last.type}: ${JSON.stringify(last)}`);
    return {
      reported: s?.backend ?? info?.name ?? '?',
      threads: s?.threads ?? 1,
      info,
      samplesPerSec: steady(epochs.map((e) => e.samplesPerSec)),
      valLoss: last.val_loss,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
    };
  } finally {
    await backend.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

const torchChildEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' };
const REFERENCE = join(HERE, 'reference_torch.py');

function findPython(): string | null {
  if (process.env.BENCH_TORCH === '0') return null;
  const candidates = process.env.BENCH_PYTHON ? [process.env.BENCH_PYTHON] : ['/usr/bin/python3', 'python3'];
  return candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) ?? null;
}

function probeTorch(python: string): TorchEnv {
  const r = spawnSync(python, [REFERENCE, '--probe', JSON.stringify({ threads: 2 })], { encoding: 'utf8', env: torchChildEnv });
  if (r.status !== 0) throw new Error(`PyTorch probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as TorchEnv;
}

interface TorchResult {
  samplesPerSec: number;
  valLoss: number;
  env: TorchEnv;
}

function pytorch(python: string, name: BenchModel, device: 'cpu' | 'cuda'): TorchResult {
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
    device,
    ...(IMAGES !== null && { train: IMAGES, validation: VALIDATION }),
    warmup_epochs: vae ? Number(vae.params.klWarmupEpochs ?? 0) : 0,
  };
  log(`  ${name}: PyTorch reference on ${device}…`);
  const r = spawnSync(python, [REFERENCE, JSON.stringify(cfg)], { encoding: 'utf8', env: torchChildEnv });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { samples_per_sec: number[]; val_loss: number; env: TorchEnv };
  return { samplesPerSec: steady(out.samples_per_sec), valLoss: out.val_loss, env: out.env };
}

// One function, not top-level await: the device bundle is CommonJS (bench/bundle.mjs).
async function main(): Promise<void> {
  // What runs: PyTorch (and its BLAS), and our backends.
  const loadAtStart = loadavg();
  const python = findPython();
  const torchEnv = python ? probeTorch(python) : null;
  const policy = ratioPolicy(torchEnv);
  const withCpu = python !== null && process.env.BENCH_TORCH_CPU !== '0';
  const withCuda = Boolean(torchEnv?.cuda) && process.env.BENCH_TORCH_CUDA !== '0';
  const plan = planBackends({
    listed: process.env.BENCH_BACKENDS,
    legacy: process.env.BOTTLENECK_BACKEND,
    probe: probeWebgpu,
    scaledDown: process.env.BENCH_MODELS !== undefined || IMAGES !== null,
  });
  log(`backends: ${plan.backends.join(', ') || 'none'}${plan.notes.length ? `\n  ${plan.notes.join('\n  ')}` : ''}`);
  if (policy) log(`PyTorch ${torchEnv!.torch}: ${policy.line}${policy.refusal ? `\n  ${policy.refusal}` : ''}`);

  const refused = new Map<string, string>();
  const rows: Record<string, unknown>[] = [];
  const runs: Record<string, Record<string, number[]>> = {};
  for (const name of MODELS) {
    const a = new Map<string, OursResult[]>(plan.backends.map((b) => [b, []]));
    const cpu: TorchResult[] = [];
    const cuda: TorchResult[] = [];
    for (let r = 0; r < REPEATS; r++) {
      for (const b of plan.backends) {
        if (refused.has(b)) continue;
        const result = await ours(name, b);
        if (result.refused !== undefined) {
          refused.set(b, result.refused);
          log(`  ${result.refused}`);
          continue;
        }
        a.get(b)!.push(result);
      }
      if (python && withCpu) cpu.push(pytorch(python, name, 'cpu'));
      if (python && withCuda) cuda.push(pytorch(python, name, 'cuda'));
    }
    const torchSpeed = cpu.length ? median(cpu.map((x) => x.samplesPerSec)) : null;
    const cudaSpeed = cuda.length ? median(cuda.map((x) => x.samplesPerSec)) : null;
    runs[name] = { pytorch: cpu.map((x) => Math.round(x.samplesPerSec)), ...(cuda.length && { pytorchCuda: cuda.map((x) => Math.round(x.samplesPerSec)) }) };
    for (const [b, results] of a) {
      if (!results.length) continue;
      runs[name]![b] = results.map((x) => Math.round(x.samplesPerSec));
      const first = results[0]!;
      const adapter = adapterOf(first.info);
      const speed = median(results.map((x) => x.samplesPerSec));
      rows.push({
        model: name,
        backend: first.reported,
        ...(adapter && { adapter }),
        threads: first.threads,
        samplesPerSecOurs: Math.round(speed),
        // On the reference BLAS the figure is kept under a name that says so, and no ratio is made from it.
        ...(torchSpeed !== null && (policy?.ratio ? { samplesPerSecPyTorch: Math.round(torchSpeed), speedRatio: round3(speed / torchSpeed) } : { [policy?.blas === 'reference' ? 'samplesPerSecPyTorchReferenceBlas' : 'samplesPerSecPyTorchUnknownBlas']: Math.round(torchSpeed) })),
        ...(cudaSpeed !== null && { samplesPerSecPyTorchCuda: Math.round(cudaSpeed), speedRatioCuda: round3(speed / cudaSpeed) }),
        valLossOurs: round4(median(results.map((x) => x.valLoss))),
        ...(cpu.length && { valLossPyTorch: round4(median(cpu.map((x) => x.valLoss))) }),
        ...(cuda.length && { valLossPyTorchCuda: round4(median(cuda.map((x) => x.valLoss))) }),
        eventLoopDelayP99Ms: Number(median(results.map((x) => x.loopDelayP99Ms)).toFixed(1)),
      });
    }
  }
  const loadAtEnd = loadavg();

  /** The console's table: short headers, the PyTorch column named for what it is. */
  const torchHeader = policy?.ratio ? 'PyTorch CPU/s' : `PyTorch CPU/s (${policy?.blas ?? '?'} BLAS: no ratio)`;
  const display = rows.map((r) => ({
    model: r.model,
    backend: `${r.backend}${Number(r.threads) > 1 ? ` ×${r.threads}` : ''}`,
    'samples/s': r.samplesPerSecOurs,
    ...(withCpu && { [torchHeader]: r.samplesPerSecPyTorch ?? r.samplesPerSecPyTorchReferenceBlas ?? r.samplesPerSecPyTorchUnknownBlas }),
    ...(withCpu && policy?.ratio && { ratio: r.speedRatio }),
    ...(withCuda && { 'PyTorch CUDA/s': r.samplesPerSecPyTorchCuda, 'ratio CUDA': r.speedRatioCuda }),
    'val loss': r.valLossOurs,
    ...(withCpu && { 'val loss PyTorch': r.valLossPyTorch }),
    ...(withCuda && { 'val loss CUDA': r.valLossPyTorchCuda }),
    'loop p99 ms': r.eventLoopDelayP99Ms,
  }));

  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `\nBottleneck bench: ${EPOCHS} epochs of the built-in Fashion-MNIST subset (${IMAGES === null ? '10,000 images' : `first ${IMAGES} images, ${VALIDATION} for validation`}), batch 128, Adam 1e-3; samples/s excludes the first epoch; each figure the median of ${REPEATS} runs`,
  );
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${fmtLoad(loadAtStart)} at start, ${fmtLoad(loadAtEnd)} at end`);
  console.log(
    torchEnv
      ? `PyTorch reference: torch ${torchEnv.torch} (${torchEnv.python}, ${torchEnv.threads} threads, OPENBLAS_NUM_THREADS=1)${torchEnv.cuda ? `; CUDA: ${torchEnv.cuda_device}${withCuda ? '' : ' (not timed: BENCH_TORCH_CUDA=0)'}` : '; CUDA: not available'}`
      : 'PyTorch reference: not run',
  );
  if (policy) console.log(policy.line);
  if (withCpu && policy?.refusal) console.log(`NO RATIO: ${policy.refusal}`);
  for (const note of plan.notes) console.log(note);
  for (const reason of refused.values()) console.log(`refused: ${reason}`);
  if (display.length) console.table(display);
  else console.log('no rows');
  mkdirSync('.bench', { recursive: true });
  writeFileSync(
    join('.bench', 'results.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        epochs: EPOCHS,
        repeats: REPEATS,
        dataset: DATASET,
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? null, loadAverageStart: loadAtStart, loadAverageEnd: loadAtEnd },
        torch: torchEnv?.torch ?? null,
        pytorch: torchEnv && policy ? { env: torchEnv, blas: policy.blas, ratio: policy.ratio, refusal: policy.refusal, cpuTimed: withCpu, cudaTimed: withCuda } : null,
        backends: plan.backends,
        backendNotes: plan.notes,
        refused: Object.fromEntries(refused),
        rows,
        runs,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
