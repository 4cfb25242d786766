/** The training engine on real data: every template, the loss terms, checkpoints and resume. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { subsetDataset, type ImageDataset } from '../../core/data/dataset';
import type { GraphDoc } from '../../core/graph/types';
import { buildTemplate, TEMPLATE_NAMES, type TemplateName } from '../../core/templates';
import type { EpochEndEvent, TrainEvent } from '../../core/train/events';
import type { TrainingState } from '../../core/train/state';
import { trainAutoencoder, type EpochCheckpoint } from '../../core/train/train';
import { readCheckpoint, writeCheckpoint } from './checkpoints';
import { BUILTIN_FASHION_MNIST, loadDataset } from './datasets';
import { onnxEngine } from './engine/onnxRunner';
import { cpuProvider } from './engine/providers';

let data: ImageDataset;
// One thread: a resumed run repeats the uninterrupted one bit for bit.
const engine = onnxEngine(cpuProvider(1));
beforeAll(async () => {
  // The first 768 training and 256 test images of the built-in set: real data, a test-sized run.
  data = subsetDataset(loadDataset(BUILTIN_FASHION_MNIST), 768, 256);
});

function settle(doc: GraphDoc, epochs = 3) {
  doc.training = { ...doc.training, epochs, batchSize: 64, learningRate: 1e-3 };
  return doc;
}

async function train(graph: GraphDoc, extra: { onEpochEnd?: (c: EpochCheckpoint) => Promise<void>; resumeFrom?: TrainingState } = {}) {
  const events: TrainEvent[] = [];
  const last = await trainAutoencoder({ runId: 'engine', graph, dataset: data, engine, emit: (e) => events.push(e), ...extra });
  return { last, epochs: events.filter((e): e is EpochEndEvent => e.type === 'epoch-end') };
}

/** Mean activation of the code over the validation images. */
async function meanCode(c: EpochCheckpoint): Promise<number> {
  const { code } = await c.runner.evaluate(Float32Array.from(data.validation.images, (v) => v / 255), data.validation.count, 0);
  return code.reduce((a, b) => a + b, 0) / code.length;
}

describe('every template trains on the built-in data', () => {
  it.each(TEMPLATE_NAMES)('%s: 3 epochs, finite falling losses', async (name) => {
    const { last, epochs } = await train(settle(buildTemplate(name)));
    expect(last.type, JSON.stringify(last)).toBe('run-finished');
    expect(epochs).toHaveLength(3);
    for (const e of epochs) {
      expect(Number.isFinite(e.loss) && Number.isFinite(e.val_loss)).toBe(true);
      for (const v of Object.values(e.metrics)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(epochs[2]!.val_loss).toBeLessThan(epochs[0]!.val_loss);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
  });

  it('the VAE reports reconstruction and KL separately, with KL > 0, and loss = recon + β·KL', async () => {
    const { epochs } = await train(settle(buildTemplate('variational')));
    const m = epochs[2]!.metrics;
    expect(m.kl_loss).toBeGreaterThan(0);
    expect(m.val_kl_loss).toBeGreaterThan(0);
    expect(m.recon_loss).toBeGreaterThan(0);
    // β = 1 and the 1-epoch warm-up is over at epoch 3, so the validation loss is the plain sum.
    expect(m.val_loss).toBeCloseTo(m.val_recon_loss! + m.val_kl_loss!, 5);
  });

  it('KL sparsity lowers the mean code activation against the same model without it', async () => {
    const activation = async (doc: GraphDoc) => {
      let mean = NaN;
      await train(settle(doc, 3), { onEpochEnd: async (c) => void (c.epoch === 3 && (mean = await meanCode(c))) });
      return mean;
    };
    const sparse = buildTemplate('sparse');
    const dense = buildTemplate('sparse');
    dense.nodes.find((n) => n.kind === 'Bottleneck')!.params.sparsity = 'none';
    const withSparsity = await activation(sparse);
    const without = await activation(dense);
    console.log(`mean code activation: ${withSparsity.toFixed(4)} with KL sparsity (ρ = 0.05), ${without.toFixed(4)} without`);
    expect(withSparsity).toBeLessThan(without);
  });
});

describe('checkpoints and resume', () => {
  it.each<[TemplateName, string]>([
    ['undercomplete', 'checkpoint'],
    ['variational', 'checkpoint'],
    // Written before the noise state was saved: it continues from the step count.
    ['variational', 'version 1 checkpoint'],
    // Seeded per step: Gaussian noise and masks continue where they stood.
    ['denoising', 'checkpoint'],
    ['inpainting', 'checkpoint'],
  ])('%s, %s: 2 epochs + resume = 4 epochs in one go, to 1e-5', async (name, kind) => {
    const straight = await train(settle(buildTemplate(name), 4));
    let saved: TrainingState | null = null;
    const first = await train(settle(buildTemplate(name), 4), {
      onEpochEnd: async (c) => {
        if (c.epoch === 2) saved = await c.state();
      },
    });
    expect(first.last.type).toBe('run-finished');
    // Through the checkpoint files, as the app resumes.
    const dir = mkdtempSync(join(tmpdir(), 'resume-'));
    writeCheckpoint(dir, 'last', kind === 'checkpoint' ? saved! : { ...saved!, sampling: undefined });
    if (kind !== 'checkpoint') {
      const manifest = join(dir, 'checkpoints', 'last', 'checkpoint.json');
      writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version: 1 }));
    }
    const resumed = await train(settle(buildTemplate(name), 4), { resumeFrom: readCheckpoint(dir, 'last') });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    for (const i of [0, 1]) {
      expect(Math.abs(resumed.epochs[i]!.val_loss - straight.epochs[i + 2]!.val_loss)).toBeLessThan(1e-5);
      expect(Math.abs(resumed.epochs[i]!.loss - straight.epochs[i + 2]!.loss)).toBeLessThan(1e-5);
    }
  });

  it('refuses a checkpoint that does not fit the graph, naming the weights', async () => {
    let saved: TrainingState | null = null;
    await train(settle(buildTemplate('undercomplete'), 1), {
      onEpochEnd: async (c) => void (saved = { ...(await c.state()), optimizer: [] }),
    });
    const other = settle(buildTemplate('undercomplete'), 2);
    other.nodes.find((n) => n.kind === 'Bottleneck')!.params.latentSize = 8;
    const { last } = await train(other, { resumeFrom: saved! });
    expect(last.type === 'run-failed' && last.message).toMatch(/^cannot resume: checkpoint weights bottleneck-4\/kernel are 128×32, the model needs 128×8/);
  });
});

describe('training settings', () => {
  it.each(['sgd', 'rmsprop'] as const)('%s trains', async (optimizer) => {
    const doc = settle(buildTemplate('undercomplete'), 3);
    doc.training.optimizer = optimizer;
    doc.training.learningRate = optimizer === 'sgd' ? 0.5 : 1e-3;
    const { epochs } = await train(doc);
    expect(epochs[2]!.val_loss).toBeLessThan(epochs[0]!.val_loss);
  });

  it('early stopping ends the run after `patience` epochs without improvement', async () => {
    const doc = settle(buildTemplate('undercomplete'), 10);
    doc.training.learningRate = 1e-12; // nothing can improve
    doc.training.earlyStoppingPatience = 2;
    const { last, epochs } = await train(doc);
    expect(epochs).toHaveLength(3);
    expect(last).toMatchObject({ type: 'run-finished', epochs: 3, stoppedEarly: true });
  });

  it('refreshes the projection and reconstructions only every N epochs, and at the last', async () => {
    const doc = settle(buildTemplate('undercomplete'), 3);
    doc.training.refreshEvery = 2;
    const { epochs } = await train(doc);
    expect(epochs.map((e) => e.latent !== null)).toEqual([false, true, true]);
  });
});
