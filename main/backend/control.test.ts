/** Stop, pause and resume through the backend on runs whose every epoch is a single batch. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTemplate } from '../../core/templates';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { hasCheckpoint } from './checkpoints';
import { BUILTIN_FASHION_MNIST } from './datasets';
import type { BottleneckBackend } from './service';
import { expectHeld, testBackends } from './testBackends';
import { TrainerHost } from './trainerHost';

// 40 training images and a batch of 128: one batch per epoch.
const TINY = `${BUILTIN_FASHION_MNIST}?train=40&validation=16`;
const EPOCHS = 5000;
const backend = testBackends('control-');

function graph() {
  const doc = buildTemplate('undercomplete');
  doc.training = { ...doc.training, epochs: EPOCHS, batchSize: 128 };
  return doc;
}

/** Every train event of the backend, and a way to wait (with a deadline) for one that matches. */
function watch(b: BottleneckBackend) {
  const events: TrainEvent[] = [];
  const waiters: { match: (e: TrainEvent) => boolean; resolve: (e: TrainEvent) => void }[] = [];
  b.on((e) => {
    if (e.type !== 'train') return;
    events.push(e.event);
    for (const w of waiters.filter((w) => w.match(e.event))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e.event);
    }
  });
  const next = (match: (e: TrainEvent) => boolean, what: string, withinMs: number) =>
    new Promise<TrainEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${withinMs} ms; last event: ${JSON.stringify(events.at(-1)?.type)}`)), withinMs);
      waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  const epochs = () => events.filter((e) => e.type === 'epoch-end').length;
  return { events, next, epochs };
}

describe('control of a run with one batch per epoch', () => {
  it('stops promptly, keeping the finished epochs', async () => {
    const b = backend();
    const w = watch(b);
    const { runId } = await b.invoke('train:start', { graph: graph(), datasetId: TINY });
    expect((await w.next((e) => e.type === 'run-started', 'run-started', 60_000)).type).toBe('run-started');
    await w.next((e) => e.type === 'epoch-end' && e.epoch === 3, 'epoch 3', 60_000);
    const asked = Date.now();
    expect(await b.invoke('train:stop', { runId })).toEqual({ stopping: true });
    const last = await w.next(isTerminal, 'end of the run after Stop', 5_000);
    expect(last).toMatchObject({ type: 'run-stopped', runId });
    expect(Date.now() - asked).toBeLessThan(5_000);
    const done = (last as Extract<TrainEvent, { type: 'run-stopped' }>).epochs;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(EPOCHS);
    expect(b.runs.read(runId)).toMatchObject({ status: 'stopped', epochsDone: done });
    expect(b.runs.metrics(runId).filter((m) => m.key === 'val_loss').map((m) => m.epoch)).toEqual(Array.from({ length: done }, (_, i) => i + 1));
    expect(hasCheckpoint(b.runs.dir(runId))).toBe(true);
  });

  it('pauses between epochs, holds, resumes, then stops', async () => {
    const b = backend();
    const w = watch(b);
    const { runId } = await b.invoke('train:start', { graph: graph(), datasetId: TINY });
    await w.next((e) => e.type === 'epoch-end' && e.epoch === 2, 'epoch 2', 60_000);
    expect(await b.invoke('train:pause', { runId })).toEqual({ paused: true });
    await w.next((e) => e.type === 'run-paused', 'run-paused', 5_000);
    const atPause = w.epochs();
    // Held before its next batch (one batch per epoch): at most the epoch in flight when the pause arrived ended.
    const begun = await expectHeld(b.trainer, runId);
    expect(w.epochs() - atPause).toBeLessThanOrEqual(1);
    expect(w.epochs()).toBe(begun - 1);
    expect(b.runs.read(runId).status).toBe('paused');
    expect(await b.invoke('train:resume', { runId })).toEqual({ resumed: true });
    await w.next((e) => e.type === 'run-resumed', 'run-resumed', 5_000);
    const resumedAt = w.epochs();
    await w.next((e) => e.type === 'epoch-end' && w.epochs() >= resumedAt + 2, 'two epochs after resuming', 30_000);
    expect(b.runs.read(runId).status).toBe('running');
    expect(await b.invoke('train:stop', { runId })).toEqual({ stopping: true });
    expect(await w.next(isTerminal, 'end of the run after Stop', 5_000)).toMatchObject({ type: 'run-stopped', runId });
  });
});

describe('control messages that race the run they name', () => {
  it('a Stop sent while the trainer is still handing the run to its worker stops that run before its first epoch', async () => {
    const host = new TrainerHost();
    const events: TrainEvent[] = [];
    const ended = new Promise<TrainEvent>((resolve) =>
      host.onEvent((e) => {
        events.push(e);
        if (isTerminal(e)) resolve(e);
      }),
    );
    try {
      const runId = 'race-stop';
      // Not awaited: train() waits for its worker before it sends the run, so this Stop reaches the worker first.
      const handedOver = host.train({ runId, graph: graph(), datasetId: TINY, runDir: mkdtempSync(join(tmpdir(), 'race-')), resume: false });
      expect(host.stop(runId)).toBe(true);
      await handedOver;
      expect(await ended).toMatchObject({ type: 'run-stopped', runId, epochs: 0 });
      expect(events.filter((e) => e.type === 'epoch-end')).toEqual([]);
      expect(host.busyWith).toBeNull();
    } finally {
      await host.dispose();
    }
  });
});
