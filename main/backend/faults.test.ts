/** Faults a user can cause or suffer: divergence, a dying worker, a killed process, pause. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../core/api';
import { buildTemplate } from '../../core/templates';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { hasCheckpoint } from './checkpoints';
import { BUILTIN_FASHION_MNIST } from './datasets';
import type { BottleneckBackend } from './service';
import { expectHeld, testBackends } from './testBackends';

const root = join(import.meta.dirname, '..', '..');
const SMALL = `${BUILTIN_FASHION_MNIST}?train=2048&validation=256`;
const backend = testBackends('faults-');

/** Resolves with each run's events once `until` holds. */
function collect(b: BottleneckBackend, until: (e: TrainEvent, all: TrainEvent[]) => boolean) {
  const events: TrainEvent[] = [];
  return {
    events,
    done: new Promise<TrainEvent[]>((resolve) => {
      b.on((e: ApiEvent) => {
        if (e.type !== 'train') return;
        events.push(e.event);
        if (until(e.event, events)) resolve(events);
      });
    }),
  };
}

/** Starts a one-epoch run and expects it to finish: the backend still works. Returns its id. */
async function expectNextRunFinishes(b: BottleneckBackend): Promise<string> {
  let runId = '';
  const next = collect(b, (e) => isTerminal(e) && e.runId === runId);
  runId = (await b.invoke('train:start', { graph: graph(1), datasetId: SMALL })).runId;
  expect((await next.done).at(-1)).toMatchObject({ type: 'run-finished', runId });
  return runId;
}

function graph(epochs: number) {
  const doc = buildTemplate('undercomplete');
  doc.training = { ...doc.training, epochs, batchSize: 64 };
  return doc;
}

describe('faults', () => {
  it('a diverging loss (MSE, linear output, learning rate 1e3) fails the run naming epoch and batch', async () => {
    const b = backend();
    const doc = graph(3);
    doc.nodes.find((n) => n.id === 'dense-6')!.params.activation = 'linear';
    doc.nodes.find((n) => n.id === 'output-8')!.params.loss = 'mse';
    doc.training.learningRate = 1e3;
    const watch = collect(b, (e) => e.type === 'run-failed' || e.type === 'run-finished');
    const { runId } = await b.invoke('train:start', { graph: doc, datasetId: SMALL });
    const last = (await watch.done).at(-1)!;
    expect(last.type).toBe('run-failed');
    expect(last.type === 'run-failed' && last.message).toMatch(/^the loss became (NaN|Infinity|-Infinity) at epoch \d+, batch \d+: training diverged; try a lower learning rate than 1000$/);
    expect(b.runs.read(runId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/at epoch \d+, batch \d+/) });
  });

  it('a worker that dies mid-epoch fails its run with the cause; the next run trains normally', async () => {
    const b = backend();
    const watch = collect(b, (e) => e.type === 'run-failed');
    const { runId } = await b.invoke('train:start', { graph: graph(5), datasetId: SMALL });
    // Wait for the first finished epoch, then kill the worker in the middle of the second.
    await new Promise<void>((resolve) => b.on((e) => e.type === 'train' && e.event.type === 'batch-end' && e.event.epoch === 2 && resolve()));
    await b.trainer.abort('out of memory (simulated)');
    const failed = (await watch.done).at(-1)!;
    expect(failed).toMatchObject({ type: 'run-failed', runId, message: 'the training worker died: out of memory (simulated)' });
    expect(b.runs.read(runId)).toMatchObject({ status: 'failed', epochsDone: 1 });
    expect(hasCheckpoint(b.runs.dir(runId))).toBe(true);

    await expectNextRunFinishes(b);
  });

  it('ending the worker while ONNX Runtime runs a long step fails the run and leaves this process standing', async () => {
    // Terminating a worker inside a native call aborted the whole process ("terminate called after
    // throwing an instance of 'Napi::Error'"): the worker now finishes the call in flight first.
    const b = backend();
    const doc = buildTemplate('convolutional');
    doc.training = { ...doc.training, epochs: 2, batchSize: 512 };
    const watch = collect(b, (e) => e.type === 'run-failed');
    const { runId } = await b.invoke('train:start', { graph: doc, datasetId: SMALL });
    // One batch done: the next step, about a second of native work, starts at once.
    await new Promise<void>((resolve) => b.on((e) => e.type === 'train' && e.event.type === 'batch-end' && resolve()));
    await b.trainer.abort('ended mid-step');
    expect((await watch.done).at(-1)).toMatchObject({ type: 'run-failed', runId, message: 'the training worker died: ended mid-step' });
  });

  it('pause holds the run, resume continues it; pausing is recorded in run.json', async () => {
    const b = backend();
    const watch = collect(b, (e) => e.type === 'run-finished' || e.type === 'run-failed');
    const steps: number[] = [];
    b.trainer.onEvent((e) => e.type === 'batch-end' && steps.push(e.step));
    const { runId } = await b.invoke('train:start', { graph: graph(2), datasetId: SMALL });
    await new Promise<void>((resolve) => b.on((e) => e.type === 'train' && e.event.type === 'batch-end' && resolve()));
    expect(await b.invoke('train:pause', { runId })).toEqual({ paused: true });
    await new Promise<void>((resolve) => b.on((e) => e.type === 'train' && e.event.type === 'run-paused' && resolve()));
    const reportedAtPause = steps.length;
    expect(b.runs.read(runId).status).toBe('paused');
    const begun = await expectHeld(b.trainer, runId);
    // At most the batch in flight when the pause arrived ended; the batch the loop holds before has not run.
    expect(steps.length - reportedAtPause).toBeLessThanOrEqual(1);
    expect(Math.max(...steps)).toBeLessThan(begun);
    expect(await b.invoke('train:resume', { runId })).toEqual({ resumed: true });
    expect((await watch.done).at(-1)).toMatchObject({ type: 'run-finished', epochs: 2 });
    expect(steps.at(-1)).toBeGreaterThanOrEqual(begun);
    expect(b.runs.read(runId).status).toBe('finished');
  });

  it('queues a second run and starts it when the first ends', async () => {
    const b = backend();
    const watch = collect(b, (_e, all) => all.filter((x) => x.type === 'run-finished').length === 2);
    const first = await b.invoke('train:start', { graph: graph(1), datasetId: SMALL });
    const second = await b.invoke('train:start', { graph: graph(1), datasetId: SMALL });
    expect([first.queuePosition, second.queuePosition]).toEqual([0, 1]);
    expect(b.runs.read(second.runId).status).toBe('queued');
    const finished = (await watch.done).filter((e) => e.type === 'run-finished').map((e) => e.runId);
    expect(finished).toEqual([first.runId, second.runId]);
  });

  it('a process killed mid-epoch leaves the run interrupted with every finished epoch; continuing resumes it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'killed-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), 'train', '--epochs', '4', '--batch-size', '64', '--data', SMALL, '--json'], {
      cwd: root,
      env: { ...process.env, BOTTLENECK_HOME: home },
    });
    let runId = '';
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split('\n').slice(0, -1)) {
          const e = JSON.parse(line) as TrainEvent;
          runId = e.runId;
          // Mid-way through epoch 3: two epochs are finished and on disk.
          if (e.type === 'batch-end' && e.epoch === 3) {
            child.kill('SIGKILL');
            resolve();
          }
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    await new Promise((r) => child.on('exit', r));

    const b = backend(join(home, 'runs'));
    expect(b.runs.read(runId)).toMatchObject({ status: 'interrupted', epochsDone: 2 });
    // The list shows it interrupted (not damaged) and its detail holds both finished epochs.
    const [listed] = await b.invoke('runs:list', {});
    expect(listed).toMatchObject({ id: runId, status: 'interrupted', epochsDone: 2, damaged: null, topology: 'undercomplete' });
    const detail = await b.invoke('runs:detail', { runId });
    expect(detail.metrics.filter((m) => m.key === 'val_loss').map((m) => m.epoch)).toEqual([1, 2]);
    expect(detail.latentEpochs).toEqual([1, 2]);
    const metrics = readFileSync(join(b.runs.dir(runId), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.key === 'val_loss').map((m) => m.epoch)).toEqual([1, 2]);

    const watch = collect(b, (e) => e.type === 'run-finished' || e.type === 'run-failed');
    await b.continueRun(runId);
    const events = await watch.done;
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ startEpoch: 2 });
    expect(events.filter((e) => e.type === 'epoch-end').map((e) => (e as { epoch: number }).epoch)).toEqual([3, 4]);
    expect(b.runs.read(runId)).toMatchObject({ status: 'finished', epochsDone: 4 });
    const after = readFileSync(join(b.runs.dir(runId), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(after.filter((m) => m.key === 'val_loss').map((m) => m.epoch)).toEqual([1, 2, 3, 4]);

    // A new run in the same workspace starts and finishes normally.
    const fresh = await expectNextRunFinishes(b);
    expect((await b.invoke('runs:list', {})).map((r) => [r.id, r.status])).toEqual([
      [fresh, 'finished'],
      [runId, 'finished'],
    ]);
  });

  it('deleting a run while it trains is refused naming it; rename, star, delete and restore announce runs-changed', async () => {
    const b = backend();
    const changes: ApiEvent[] = [];
    b.on((e) => e.type === 'runs-changed' && changes.push(e));
    const watch = collect(b, (e) => e.type === 'run-finished' || e.type === 'run-failed');
    const { runId } = await b.invoke('train:start', { graph: graph(1), datasetId: SMALL });
    await expect(b.invoke('runs:delete', { runIds: [runId] })).rejects.toThrow(`run ${runId} is running: stop it before deleting it`);
    expect((await watch.done).at(-1)).toMatchObject({ type: 'run-finished', runId });
    expect(await b.invoke('runs:update', { runId, name: 'first try', starred: true })).toMatchObject({ id: runId, name: 'first try', starred: true });
    expect(await b.invoke('runs:delete', { runIds: [runId] })).toEqual({ deleted: [runId] });
    expect(await b.invoke('runs:list', {})).toEqual([]);
    expect(await b.invoke('runs:restore', { runIds: [runId] })).toEqual({ restored: [runId] });
    expect(await b.invoke('runs:list', {})).toMatchObject([{ id: runId, name: 'first try', starred: true, status: 'finished' }]);
    expect(changes).toHaveLength(3);
    const latent = await b.invoke('runs:latent', { runId, epoch: 1 });
    expect(latent.x.length).toBe(latent.labels.length);
    expect((await b.invoke('runs:samples', { runId, epoch: 1 })).originals.length).toBeGreaterThan(0);
    await expect(b.invoke('runs:samples', { runId, epoch: 9 })).rejects.toThrow(`run ${runId}: no reconstruction grid for epoch 9 (samples/epoch-0009.json not found)`);
  });

  it('a disk that refuses a write (ENOSPC) fails the run naming the cause, stops its trainer, and the next run trains', async () => {
    const b = backend();
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const record = b.runs.record.bind(b.runs);
      let full = true;
      vi.spyOn(b.runs, 'record').mockImplementation((event, info) => {
        if (full && event.type === 'epoch-end' && event.epoch === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        record(event, info);
      });
      const trainerEvents: TrainEvent[] = [];
      const trainerDone = new Promise<void>((resolve) => b.trainer.onEvent((e) => (trainerEvents.push(e), isTerminal(e) && resolve())));
      const watch = collect(b, (e) => e.type === 'run-failed' || e.type === 'run-finished' || e.type === 'run-stopped');
      const { runId } = await b.invoke('train:start', { graph: graph(6), datasetId: SMALL });
      const last = (await watch.done).at(-1)!;
      expect(last).toEqual({ type: 'run-failed', runId, message: "cannot save the run: the disk is full (ENOSPC: no space left on device, write)" });
      expect(b.runs.read(runId)).toMatchObject({ status: 'failed', epochsDone: 1, error: last.type === 'run-failed' && last.message });
      // The trainer was told to stop: it ends well before its 6 epochs, and nothing more reaches the app.
      await trainerDone;
      expect(trainerEvents.at(-1)).toMatchObject({ type: 'run-stopped', runId });
      expect(trainerEvents.filter((e) => e.type === 'epoch-end').length).toBeLessThan(6);
      expect(watch.events.filter((e) => e.type === 'epoch-end').map((e) => (e as { epoch: number }).epoch)).toEqual([1]);
      expect(watch.events.filter(isTerminal)).toHaveLength(1);
      expect(b.runs.read(runId).status).toBe('failed');

      full = false;
      await expectNextRunFinishes(b);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('a run whose start cannot be written fails with the cause instead of rejecting the request; the next run trains', async () => {
    const b = backend();
    const update = b.runs.update.bind(b.runs);
    let full = true;
    vi.spyOn(b.runs, 'update').mockImplementation((id, patch) => {
      if (full && patch.status === 'running') throw Object.assign(new Error(`EACCES: permission denied, open '${id}/run.json.tmp'`), { code: 'EACCES' });
      return update(id, patch);
    });
    const watch = collect(b, (e) => e.type === 'run-failed');
    const { runId } = await b.invoke('train:start', { graph: graph(1), datasetId: SMALL });
    expect((await watch.done).at(-1)).toEqual({ type: 'run-failed', runId, message: `cannot save the run: permission denied (EACCES: permission denied, open '${runId}/run.json.tmp')` });
    expect(b.trainer.busyWith).toBeNull();
    full = false;
    await expectNextRunFinishes(b);
  });

  it('stop, pause and resume of a run that is not training are refused, naming why', async () => {
    const b = backend();
    const watch = collect(b, (e) => e.type === 'run-finished' || e.type === 'run-failed');
    const { runId } = await b.invoke('train:start', { graph: graph(1), datasetId: SMALL });
    const queued = await b.invoke('train:start', { graph: graph(1), datasetId: SMALL });
    expect(queued.queuePosition).toBe(1);
    await expect(b.invoke('train:pause', { runId: queued.runId })).rejects.toMatchObject({ message: `run ${queued.runId} is queued: it can be paused once it trains`, code: 'queued' });
    // Resuming a run that is not paused asks for what already holds.
    expect(await b.invoke('train:resume', { runId })).toEqual({ resumed: true });
    const stoppedEvents: unknown[] = [];
    b.on((e) => e.type === 'train' && e.event.type === 'run-stopped' && stoppedEvents.push(e.event));
    expect(await b.invoke('train:stop', { runId: queued.runId })).toEqual({ stopping: true });
    // A queued run that is stopped is announced like any other stop, so windows following it see it end.
    expect(stoppedEvents).toEqual([{ type: 'run-stopped', runId: queued.runId, epochs: 0, loss: null, val_loss: null, elapsedMs: 0 }]);
    await watch.done;
    for (const [channel, verb] of [['train:stop', 'stop'], ['train:pause', 'pause'], ['train:resume', 'resume']] as const) {
      await expect(b.invoke(channel, { runId })).rejects.toMatchObject({ message: `run ${runId} is finished, not training: nothing to ${verb}`, code: 'not-active' });
      await expect(b.invoke(channel, { runId: queued.runId })).rejects.toMatchObject({ message: `run ${queued.runId} is stopped, not training: nothing to ${verb}`, code: 'not-active' });
    }
    await expect(b.invoke('train:stop', { runId: '20260101T000000Z-none' })).rejects.toMatchObject({ message: 'no run 20260101T000000Z-none', code: 'not-active' });
  });
});
