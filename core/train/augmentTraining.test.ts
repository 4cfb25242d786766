/** Augmentation inside the training loop: steps see augmented images, validation never does, and the grid shows what the model saw. */
import { describe, expect, it } from 'vitest';
import type { ModelPlan } from '../compile/plan';
import { imageSize } from '../data/dataset';
import type { GraphDoc } from '../graph/types';
import { buildTemplate } from '../templates';
import type { EvalOutput, StepRunner, TrainingEngine } from './engine';
import type { EpochEndEvent, TrainEvent } from './events';
import { squaresDataset } from './testData';
import { trainAutoencoder } from './train';

/** An engine that trains nothing and records every image it is given. */
function recordingEngine() {
  const stepped: Float32Array[] = [];
  const evaluated: Float32Array[] = [];
  const engine: TrainingEngine = {
    name: 'recording',
    threads: 1,
    async createRunner(plan: ModelPlan): Promise<StepRunner> {
      const size = plan.inputShape.reduce((a, b) => a * b, 1);
      return {
        step: async (images, count) => {
          stepped.push(images.slice(0, count * size));
          return new Float32Array(4).fill(0.5);
        },
        evaluate: async (images, count): Promise<EvalOutput> => {
          evaluated.push(images.slice(0, count * size));
          return { losses: new Float32Array(4).fill(0.5), code: new Float32Array(count * plan.codeSize), reconstruction: new Float32Array(count * size) };
        },
        snapshot: async () => ({ weights: [], optimizer: [] }),
        close: async () => {},
      };
    },
  };
  return { engine, stepped, evaluated };
}

const dataset = squaresDataset(64, 16, 7, 28);

async function run(augmentation: Partial<GraphDoc['training']['augmentation']>, seed = 42) {
  const graph = buildTemplate('undercomplete');
  graph.training = { ...graph.training, epochs: 2, batchSize: 32, seed, augmentation: { ...graph.training.augmentation, ...augmentation } };
  const { engine, stepped, evaluated } = recordingEngine();
  const events: TrainEvent[] = [];
  const end = await trainAutoencoder({ runId: 'r', graph, dataset, engine, emit: (e) => events.push(e) });
  expect(end.type).toBe('run-finished');
  return { stepped, evaluated, epochEnds: events.filter((e): e is EpochEndEvent => e.type === 'epoch-end') };
}

const AUGMENT = { horizontalFlip: true, shift: 0.1, rotation: 10, brightness: 0.1 };
const validationPixels = Array.from(dataset.validation.images.subarray(0, dataset.validation.count * imageSize(dataset)), (v) => v / 255);

describe('training with augmentation', () => {
  it('trains on augmented images, the same for the same seed, and never augments validation', async () => {
    const plain = await run({});
    const augmented = await run(AUGMENT);
    const again = await run(AUGMENT);
    const otherSeed = await run(AUGMENT, 43);
    expect(augmented.stepped).toHaveLength(4);
    augmented.stepped.forEach((batch, i) => expect(Array.from(batch), `step ${i + 1}`).not.toEqual(Array.from(plain.stepped[i]!)));
    expect(augmented.stepped.map((b) => Array.from(b))).toEqual(again.stepped.map((b) => Array.from(b)));
    expect(Array.from(otherSeed.stepped[0]!)).not.toEqual(Array.from(augmented.stepped[0]!));
    // Validation: exactly the dataset's pixels, augmented or not.
    for (const r of [plain, augmented]) {
      const all = r.evaluated.flatMap((b) => Array.from(b));
      const firstPass = all.slice(0, validationPixels.length);
      expect(firstPass).toEqual(validationPixels.map((v) => Math.fround(v)));
    }
  });

  it('the grid shows the augmented training images the last step saw, and only when the run augments', async () => {
    const plain = await run({});
    expect(plain.epochEnds.at(-1)!.recon!.augmented).toBeUndefined();
    const augmented = await run(AUGMENT);
    const seen = augmented.epochEnds.at(-1)!.recon!.augmented!;
    expect(seen).toHaveLength(8);
    const lastStep = augmented.stepped.at(-1)!;
    const size = imageSize(dataset);
    seen.forEach((image, i) => expect(image).toEqual(Array.from(lastStep.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255))));
  });
});
