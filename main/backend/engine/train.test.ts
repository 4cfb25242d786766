/** The training loop on the ONNX engine (CPU provider, one thread: every run repeats bit for bit). */
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../../../core/graph/types';
import { planModel } from '../../../core/compile/plan';
import { buildTemplate } from '../../../core/templates';
import { chainGraph } from '../../../core/templates/undercomplete';
import { bytePixels, corruptImage, mixSeed, unitPixels } from '../../../core/train/corruption';
import type { StepRunner } from '../../../core/train/engine';
import { GRID_CORRUPTION_SEED } from '../../../core/train/evaluate';
import type { ReconstructionGrid, TrainEvent } from '../../../core/train/events';
import { squaresDataset } from '../../../core/train/testData';
import { trainAutoencoder, type TrainControl } from '../../../core/train/train';
import { onnxEngine } from './onnxRunner';
import { cpuProvider } from './providers';

const engine = onnxEngine(cpuProvider(1));

function smallGraph(loss: 'bce' | 'mse' = 'bce', lastActivation = 'sigmoid'): GraphDoc {
  const doc = chainGraph('small', [
    { kind: 'Input', params: { height: 8, width: 8, channels: 1 } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 32, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 4 } },
    { kind: 'Dense', params: { units: 32, activation: 'relu' } },
    { kind: 'Dense', params: { units: 64, activation: lastActivation } },
    { kind: 'Reshape', params: { targetShape: [8, 8, 1] } },
    { kind: 'Output', params: { loss } },
  ]);
  doc.training = { ...doc.training, epochs: 4, batchSize: 32, learningRate: 5e-3, seed: 3 };
  return doc;
}

async function run(graph: GraphDoc, extra: { control?: TrainControl; onEpochEnd?: () => Promise<void> } = {}) {
  const events: TrainEvent[] = [];
  const last = await trainAutoencoder({
    runId: 'test-run',
    graph,
    dataset: squaresDataset(),
    engine,
    batchEventIntervalMs: 0,
    emit: (e) => events.push(e),
    ...extra,
  });
  return { events, last };
}

describe('trainAutoencoder', () => {
  it('emits started, batch and epoch events, then finished, with a falling loss', async () => {
    const { events, last } = await run(smallGraph());
    expect(events[0]!.type).toBe('run-started');
    expect(last.type).toBe('run-finished');
    expect(events.at(-1)).toBe(last);
    const epochs = events.filter((e) => e.type === 'epoch-end');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochs[3]!.val_loss).toBeLessThan(epochs[0]!.val_loss);
    expect(events.filter((e) => e.type === 'batch-end')).toHaveLength(4 * (512 / 32));
    const { latent, recon } = epochs[0]!;
    expect(latent?.x).toHaveLength(128);
    expect(latent?.method).toBe('pca');
    expect(recon?.originals).toHaveLength(8);
    expect(recon?.reconstructions[0]).toHaveLength(64);
    // One of each class first in the grid.
    expect(new Set(recon?.labels.slice(0, 4))).toEqual(new Set([0, 1, 2, 3]));
    // No corruption before the code: no corrupted inputs to show.
    expect(recon && 'corrupted' in recon).toBe(false);
  });

  it.each([
    ['denoising', (clean: number, corrupted: number) => Math.abs(clean - corrupted) > 10],
    ['inpainting', (clean: number, corrupted: number) => clean > 0 && corrupted === 0],
  ] as const)('%s: the grid shows the corrupted inputs, the same every epoch, and the output from them', async (name, changed) => {
    const graph = buildTemplate(name, { height: 8, width: 8, channels: 1 });
    graph.training = { ...graph.training, epochs: 2, batchSize: 64, seed: 9, learningRate: 5e-3 };
    // Holes of a few pixels hardly change an 8×8 output: larger ones show whose output the grid holds.
    const mask = graph.nodes.find((n) => n.kind === 'RandomMask');
    if (mask) mask.params = { ...mask.params, count: 3, size: 0.6 };
    const grids: ReconstructionGrid[] = [];
    /** Max |Δ| (0..255) between the grid's reconstructions and the model's output from its corrupted and clean inputs. */
    const gaps: Promise<{ fromCorrupted: number; fromClean: number }>[] = [];
    let runner: StepRunner | null = null;
    const corruptions = planModel(graph).inputCorruptions;
    await trainAutoencoder({
      runId: 'grid',
      graph,
      dataset: squaresDataset(),
      engine,
      onEpochEnd: async (c) => void (runner = c.runner),
      emit: (e) => {
        if (e.type !== 'epoch-end' || !e.recon) return;
        grids.push(e.recon);
        const recon = e.recon;
        // Started now, with this epoch's weights (a run reads the parameters when it is called).
        const gap = (inputs: number[][]) =>
          runner!.evaluate(Float32Array.from(inputs.flat()), inputs.length, 0).then(({ reconstruction }) => {
            const expected = recon.reconstructions.flat();
            return Math.max(...Array.from(reconstruction, (v, i) => Math.abs(Math.round(Math.min(1, Math.max(0, v)) * 255) - expected[i]!)));
          });
        // The model's input is the corruption as training makes it, not clipped; the grid's bytes are its picture.
        const corruptedInputs = recon.originals.map((image, i) => Array.from(corruptImage(unitPixels(image), { height: 8, width: 8, channels: 1 }, corruptions, mixSeed(GRID_CORRUPTION_SEED, i)).pixels));
        expect(corruptedInputs.map((image) => Array.from(bytePixels(image)))).toEqual(recon.corrupted);
        const corrupted = gap(corruptedInputs);
        const clean = gap(recon.originals.map((image) => Array.from(unitPixels(image))));
        gaps.push(Promise.all([corrupted, clean]).then(([fromCorrupted, fromClean]) => ({ fromCorrupted, fromClean })));
      },
    });
    expect(grids).toHaveLength(2);
    // The output from the corrupted input, not from the clean one.
    // Measured on the ONNX engine: denoising 1 and 42–46, inpainting 0 and 12–16 (bytes).
    for (const g of await Promise.all(gaps)) {
      expect(g.fromCorrupted).toBeLessThanOrEqual(1);
      expect(g.fromClean).toBeGreaterThanOrEqual(4);
    }
  });

  it('fails with a message naming epoch and batch when the loss diverges', async () => {
    const graph = smallGraph('mse', 'linear');
    graph.training.learningRate = 1e6;
    const { last } = await run(graph);
    expect(last.type).toBe('run-failed');
    expect(last.type === 'run-failed' && last.message).toMatch(/^the loss became (NaN|Infinity) at epoch 1, batch \d+: training diverged/);
  });

  it('stops after the current batch and reports the finished epochs', async () => {
    let batches = 0;
    let stopAt = Infinity;
    const control: TrainControl = { isStopRequested: () => batches >= stopAt, waitWhilePaused: async () => {} };
    const graph = smallGraph();
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({
      runId: 'stop-run',
      graph,
      dataset: squaresDataset(),
      engine,
      batchEventIntervalMs: 0,
      control,
      emit: (e) => {
        events.push(e);
        if (e.type === 'batch-end') batches++;
        if (e.type === 'epoch-end' && e.epoch === 1) stopAt = batches + 3;
      },
    });
    expect(last).toMatchObject({ type: 'run-stopped', epochs: 1 });
    expect(events.filter((e) => e.type === 'batch-end')).toHaveLength(16 + 3);
    expect(last.type === 'run-stopped' && last.val_loss).toBeGreaterThan(0);
  });

  it('sees a stop that arrives as a task even when every epoch is one batch', async () => {
    // The flag flips in a timer, the way a worker's stop message arrives: only if the loop lets tasks run.
    let stop = false;
    const control: TrainControl = { isStopRequested: () => stop, waitWhilePaused: async () => {} };
    const graph = smallGraph();
    graph.training = { ...graph.training, epochs: 400, batchSize: 64 };
    const timer = setTimeout(() => (stop = true), 200);
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({ runId: 'one-batch', graph, dataset: squaresDataset(64, 16), engine, control, emit: (e) => events.push(e) });
    clearTimeout(timer);
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ stepsPerEpoch: 1 });
    expect(last.type).toBe('run-stopped');
    expect(last.type === 'run-stopped' && last.epochs).toBeLessThan(400);
  });

  it('polls for control messages before every batch, so a stop taken in by poll ends the run at that batch', async () => {
    let polls = 0;
    let stop = false;
    const control: TrainControl = { poll: () => void (++polls === 16 + 5 && (stop = true)), isStopRequested: () => stop, waitWhilePaused: async () => {} };
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({ runId: 'poll', graph: smallGraph(), dataset: squaresDataset(), engine, batchEventIntervalMs: 0, control, emit: (e) => events.push(e) });
    expect(last).toMatchObject({ type: 'run-stopped', epochs: 1 });
    expect(events.filter((e) => e.type === 'batch-end')).toHaveLength(16 + 4);
  });

  it('caps the batch at the training split and says so in run-started', async () => {
    const graph = smallGraph();
    graph.training = { ...graph.training, epochs: 2, batchSize: 128 };
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({ runId: 'small-set', graph, dataset: squaresDataset(40, 16), engine, batchEventIntervalMs: 0, emit: (e) => events.push(e) });
    expect(last.type).toBe('run-finished');
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({
      stepsPerEpoch: 1,
      effectiveBatchSize: 40,
      note: 'batch size 128 is larger than the 40 training images: using 40',
    });
    // A batch that fits is used as set, without a note.
    const fits = await run(smallGraph());
    const started = fits.events.find((e) => e.type === 'run-started');
    expect(started).toMatchObject({ effectiveBatchSize: 32 });
    expect(started && 'note' in started).toBe(false);
  });

  it('fails a dataset without training images instead of reporting NaN losses', async () => {
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({ runId: 'empty', graph: smallGraph(), dataset: squaresDataset(0, 16), engine, emit: (e) => events.push(e) });
    expect(last).toEqual({ type: 'run-failed', runId: 'empty', message: 'the dataset has no training images' });
    expect(events).toEqual([last]);
  });

  it('leaves paused time out of samples per second', async () => {
    // A clock that moves 1 ms per reading, and a pause of one minute in the middle of epoch 2.
    let clock = 0;
    let batches = 0;
    const control: TrainControl = {
      isStopRequested: () => false,
      waitWhilePaused: async () => {
        if (++batches === 16 + 8) clock += 60_000;
      },
    };
    const graph = smallGraph();
    graph.training.epochs = 3;
    const events: TrainEvent[] = [];
    await trainAutoencoder({ runId: 'pause-run', graph, dataset: squaresDataset(), engine, batchEventIntervalMs: 0, control, now: () => clock++, emit: (e) => events.push(e) });
    const speeds = events.flatMap((e) => (e.type === 'epoch-end' ? [e.samplesPerSec] : []));
    expect(speeds).toHaveLength(3);
    // Same work, same clock: the paused epoch reports the speed of the others, not 512 images a minute.
    expect(speeds[1]! / speeds[0]!).toBeGreaterThan(0.8);
    expect(speeds[1]! / speeds[2]!).toBeGreaterThan(0.8);
    const pausedBatches = events.filter((e) => e.type === 'batch-end' && e.epoch === 2 && e.batch > 8);
    for (const e of pausedBatches) expect(e.type === 'batch-end' && e.samplesPerSec / speeds[0]!).toBeGreaterThan(0.5);
  });

  it('leaves paused time out of the elapsed time it reports', async () => {
    // The same run on a clock that moves 1 ms per reading, once straight through and once with a
    // pause of one minute in the middle of epoch 2: both report the same training time.
    const elapsedOf = async (pauseMs: number) => {
      let clock = 0;
      let batches = 0;
      const control: TrainControl = {
        isStopRequested: () => false,
        waitWhilePaused: async () => {
          if (++batches === 16 + 8) clock += pauseMs;
        },
      };
      const graph = smallGraph();
      graph.training.epochs = 3;
      const events: TrainEvent[] = [];
      await trainAutoencoder({ runId: 'pause-run', graph, dataset: squaresDataset(), engine, batchEventIntervalMs: 0, control, now: () => clock++, emit: (e) => events.push(e) });
      return events.flatMap((e) => ('elapsedMs' in e ? [e.elapsedMs] : []));
    };
    const straight = await elapsedOf(0);
    const paused = await elapsedOf(60_000);
    expect(paused).toHaveLength(straight.length);
    // A few clock readings more (the loop yields once after the long gap), never the minute.
    paused.forEach((ms, i) => expect(Math.abs(ms - straight[i]!)).toBeLessThan(50));
    expect(paused.at(-1)!).toBeLessThan(60_000);
  });

  it('repeats the same losses for the same seed', async () => {
    const a = (await run(smallGraph())).events.filter((e) => e.type === 'epoch-end').map((e) => e.val_loss);
    const b = (await run(smallGraph())).events.filter((e) => e.type === 'epoch-end').map((e) => e.val_loss);
    expect(b).toEqual(a);
  });

  it.each(['denoising', 'inpainting', 'overcomplete'] as const)('%s: the same seed gives the same run, every batch loss equal (noise, masks, dropout seeded per step)', async (name) => {
    const graph = buildTemplate(name, { height: 8, width: 8, channels: 1 });
    graph.training = { ...graph.training, epochs: 2, batchSize: 64, seed: 9 };
    const losses = async () => (await run(graph)).events.flatMap((e) => (e.type === 'batch-end' ? [e.loss] : []));
    const a = await losses();
    expect(a).toHaveLength(2 * (512 / 64));
    expect(await losses()).toEqual(a);
  });
});
