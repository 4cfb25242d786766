/** Continuing a finished run for more epochs: exact against the uninterrupted run, recorded in the run's files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../core/api';
import { parseGraphText } from '../../core/graph/schema';
import type { GraphDoc } from '../../core/graph/types';
import { buildTemplate } from '../../core/templates';
import { isTerminal } from '../../core/train/events';
import { BUILTIN_FASHION_MNIST } from './datasets';
import type { BottleneckBackend } from './service';
import { testBackends } from './testBackends';

const SMALL = `${BUILTIN_FASHION_MNIST}?train=512&validation=128`;
const backend = testBackends('continue-');

/** Resolves when run `runId()` ends, with its terminal event's type. */
function ended(b: BottleneckBackend, runId: () => string): Promise<string> {
  return new Promise((resolve) => {
    b.on((e: ApiEvent) => {
      if (e.type === 'train' && e.event.runId === runId() && isTerminal(e.event)) resolve(e.event.type);
    });
  });
}

async function train(b: BottleneckBackend, graph: GraphDoc): Promise<string> {
  let runId = '';
  const done = ended(b, () => runId);
  runId = (await b.invoke('train:start', { graph, datasetId: SMALL })).runId;
  expect(await done).toBe('run-finished');
  return runId;
}

async function continueTo(b: BottleneckBackend, runId: string, epochs: number): Promise<void> {
  const done = ended(b, () => runId);
  await b.invoke('runs:continue', { runId, epochs });
  expect(await done).toBe('run-finished');
}

/** A metric per epoch, from the run's metrics.jsonl. */
function perEpoch(b: BottleneckBackend, runId: string, key: string): number[] {
  const lines = readFileSync(join(b.runs.dir(runId), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; key: string; value: number });
  return lines.filter((m) => m.key === key).map((m) => m.value);
}

function graph(epochs: number, schedule: Partial<GraphDoc['training']['schedule']>): GraphDoc {
  const doc = buildTemplate('undercomplete');
  doc.training = { ...doc.training, epochs, batchSize: 64, weightDecay: 1e-3, schedule: { ...doc.training.schedule, ...schedule } };
  return doc;
}

describe('continue a finished run', () => {
  it('2 epochs continued to 4 equal 4 uninterrupted epochs (step schedule with warm-up, weight decay), to 1e-5 per epoch', async () => {
    // One thread: the sums of a step come in the same order every time.
    vi.stubEnv('BOTTLENECK_THREADS', '1');
    const b = backend();
    const schedule = { kind: 'step' as const, stepEvery: 1, stepFactor: 0.5, warmupEpochs: 1 };
    const whole = await train(b, graph(4, schedule));
    const continued = await train(b, graph(2, schedule));
    expect(b.runs.read(continued)).toMatchObject({ status: 'finished', epochsDone: 2 });
    await continueTo(b, continued, 4);

    expect(b.runs.read(continued)).toMatchObject({ status: 'finished', epochsDone: 4, config: { epochs: 4 } });
    expect(parseGraphText(readFileSync(join(b.runs.dir(continued), 'graph.json'), 'utf8')).training.epochs).toBe(4);
    for (const key of ['epoch_loss', 'val_loss', 'lr']) {
      const a = perEpoch(b, whole, key);
      const c = perEpoch(b, continued, key);
      expect(c, key).toHaveLength(4);
      c.forEach((v, i) => expect(Math.abs(v - a[i]!), `${key} at epoch ${i + 1}`).toBeLessThan(1e-5));
    }
    // The schedule was followed: ×0.5 per epoch after the warm-up.
    expect(perEpoch(b, whole, 'lr')).toEqual([1e-3, 5e-4, 2.5e-4, 1.25e-4].map((v) => expect.closeTo(v, 12)));
    vi.unstubAllEnvs();
  });

  it('needs a new total above the epochs trained, and keeps a cosine of the run at its first length', async () => {
    const b = backend();
    const runId = await train(b, graph(1, { kind: 'cosine', floor: 0.1 }));
    await expect(b.invoke('runs:continue', { runId })).rejects.toThrow(`run ${runId} already finished all 1 epochs: give a new total of epochs above 1 to train more`);
    await expect(b.invoke('runs:continue', { runId, epochs: 1 })).rejects.toThrow(`run ${runId} has trained 1 epochs: the new total must be above that, got 1`);
    await continueTo(b, runId, 2);
    const saved = parseGraphText(readFileSync(join(b.runs.dir(runId), 'graph.json'), 'utf8'));
    expect(saved.training).toMatchObject({ epochs: 2, schedule: { kind: 'cosine', length: 1 } });
    // Epoch 2 is past the cosine's length: it trains at the floor.
    expect(perEpoch(b, runId, 'lr')[1]).toBeCloseTo(1e-4, 10);
  });
});
