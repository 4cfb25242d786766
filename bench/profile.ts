/**
 * Where a training step's time goes on the ONNX engine, per bench model: the host's part (the
 * batch's pixels, its random tensors and scalars, in JavaScript) and the run (ONNX Runtime's
 * forward, backward and update), each the median of timed steps after warm-up, and the bytes that
 * cross the binding each step (inputs and outputs: on a GPU, what crosses the bus). Run by `npm run
 * bench` after the speed table, or alone: `node --import tsx bench/profile.ts [MODEL…]`.
 */
import { hyperValues, optimizerSlots } from '../core/compile/optimizers';
import { initialParams } from '../core/compile/init';
import { planModel } from '../core/compile/plan';
import { modelLayouts, noiseInputs } from '../core/compile/stepModel';
import { builtinDatasetId } from '../core/data/datasetId';
import { imageSize } from '../core/data/dataset';
import { fillBatch } from '../core/train/batches';
import { drawNoise } from '../core/train/noiseInputs';
import { shuffledIndices, seededRandom } from '../core/train/random';
import { loadDataset } from '../main/backend/datasets';
import { onnxEngine } from '../main/backend/engine/onnxRunner';
import { selectProvider } from '../main/backend/engine/providers';
import { BENCH_MODELS, type BenchModel } from './models';

const BATCH = 128;
const WARMUP = 10;
const TIMED = 60;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface StepProfile {
  model: BenchModel;
  provider: string;
  hostMs: number;
  runMs: number;
  samplesPerSec: number;
  /** Bytes handed to the run and back, per step. */
  bytesIn: number;
  bytesOut: number;
}

export async function profileModel(name: BenchModel, providerName?: string): Promise<StepProfile> {
  const doc = BENCH_MODELS[name]();
  doc.training = { ...doc.training, batchSize: BATCH, optimizer: 'adam', learningRate: 1e-3 };
  const plan = planModel(doc);
  const { provider, info } = await selectProvider(providerName);
  const runner = await onnxEngine(provider).createRunner(plan, { weights: initialParams(plan.params, 1), optimizer: null, step: 0 });
  const data = loadDataset(builtinDatasetId('fashion-mnist'));
  const size = imageSize(data);
  const order = shuffledIndices(data.train.count, seededRandom(1));
  const buffer = new Float32Array(BATCH * size);
  const host: number[] = [];
  const run: number[] = [];
  try {
    for (let s = 0; s < WARMUP + TIMED; s++) {
      const t0 = performance.now();
      fillBatch(data.train, size, order, (s * BATCH) % (data.train.count - BATCH), BATCH, buffer);
      const noise = drawNoise(plan.noise, s, BATCH);
      const hyper = hyperValues('adam', 1e-3, s + 1, 0);
      const t1 = performance.now();
      await runner.step(buffer, BATCH, noise, hyper);
      const t2 = performance.now();
      if (s >= WARMUP) {
        host.push(t1 - t0);
        run.push(t2 - t1);
      }
    }
  } finally {
    await runner.close();
  }
  const layouts = modelLayouts(plan);
  const slots = optimizerSlots(doc.training).length;
  const params = 4 * (layouts.trainable.total * (1 + slots) + layouts.stats.total);
  const noise = noiseInputs(plan).reduce((sum, n) => sum + 4 * BATCH * n.rowShape.reduce((a, b) => a * b, 1), 0);
  const hostMs = median(host);
  const runMs = median(run);
  return { model: name, provider: info.name, hostMs, runMs, samplesPerSec: BATCH / ((hostMs + runMs) / 1000), bytesIn: 4 * BATCH * size + params + noise + 16, bytesOut: params + 16 };
}

export function profileTable(rows: StepProfile[]): Record<string, string | number>[] {
  return rows.map((r) => ({
    model: r.model,
    provider: r.provider,
    'host ms': Number(r.hostMs.toFixed(2)),
    'run ms': Number(r.runMs.toFixed(2)),
    'host share': `${((100 * r.hostMs) / (r.hostMs + r.runMs)).toFixed(0)} %`,
    'samples/s (steps alone)': Math.round(r.samplesPerSec),
    'MB in/out per step': `${(r.bytesIn / 1e6).toFixed(2)} / ${(r.bytesOut / 1e6).toFixed(2)}`,
  }));
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const models = (process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCH_MODELS)) as BenchModel[];
  const rows: StepProfile[] = [];
  for (const m of models) rows.push(await profileModel(m));
  console.log(`Per-step profile, batch ${BATCH}, Adam, median of ${TIMED} steps after ${WARMUP}:`);
  console.table(profileTable(rows));
}
