import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTemplate } from '../../../core/templates';
import { undercomplete } from '../../../core/templates/undercomplete';
import { folderDatasetId } from '../../../core/data/datasetId';
import { RUN_VERSION } from './format';
import { newRunId } from './naming';
import { epochEnd, storeWithRun, tempStore } from './testRuns';

describe('recording trainer events', () => {
  it('lays a run out as DESIGN.md says and records its events', () => {
    const { s, id } = storeWithRun('builtin:fashion-mnist');
    expect(readdirSync(s.dir(id)).sort()).toEqual(['checkpoints', 'graph.json', 'latent', 'metrics.jsonl', 'run.json', 'samples']);
    s.record({ type: 'batch-end', runId: id, epoch: 1, batch: 5, step: 5, loss: 0.7, samplesPerSec: 10, elapsedMs: 5 });
    // Batch metrics wait for the epoch's end, then are flushed together.
    expect(readFileSync(join(s.dir(id), 'metrics.jsonl'), 'utf8')).toBe('');
    s.record(epochEnd(id, 1));
    s.record({ type: 'run-finished', runId: id, epochs: 1, loss: 0.5, val_loss: 0.6, best_val_loss: 0.6, elapsedMs: 1000, stoppedEarly: false });
    expect(s.metrics(id).map((m) => m.key)).toEqual(['loss', 'epoch_loss', 'val_loss', 'recon_loss', 'val_kl_loss', 'samples_per_sec']);
    expect(s.read(id)).toMatchObject({ status: 'finished', epochsDone: 1, val_loss: 0.6 });
    expect(readdirSync(join(s.dir(id), 'latent'))).toEqual(['epoch-0001.bin']);
    expect(s.list()[0]).toMatchObject({ id, status: 'finished', epochs: 5 });
  });

  it('records how many threads trained a run, and lists it with the backend', () => {
    const s = tempStore();
    const [two, one] = [newRunId(), newRunId()];
    for (const [id, threads] of [[two, 2], [one, 1]] as const) {
      s.create(id, undercomplete(), 'builtin:fashion-mnist');
      s.record({ type: 'run-started', runId: id, startEpoch: 0, backend: 'cpu', threads, epochs: 5, stepsPerEpoch: 4, trainCount: 512, validationCount: 64, classNames: ['a'], totalParams: 10, codeSize: 2 }, { name: 'cpu', skipped: [] });
    }
    expect(s.read(two).backend).toEqual({ name: 'cpu', skipped: [], threads: 2 });
    const listed = Object.fromEntries(s.list().map((r) => [r.id, r.backend]));
    expect(listed).toEqual({ [two]: 'cpu ×2', [one]: 'cpu' });
  });

  it('records topology, code size, parameters and the dataset name at creation; starred starts false', () => {
    const s = tempStore();
    const id = newRunId();
    s.create(id, buildTemplate('convolutional', { height: 12, width: 12, channels: 3 }), folderDatasetId('/data/my pets', { height: 12, width: 12, channels: 3, fit: 'cover', validationSplit: 0.1, seed: 1, background: 'white' }));
    const run = JSON.parse(readFileSync(join(s.dir(id), 'run.json'), 'utf8'));
    expect(run).toMatchObject({ version: RUN_VERSION, topology: 'convolutional', codeSize: 32, starred: false, dataset: { name: 'my pets' } });
    expect(run.totalParams).toBeGreaterThan(1000);
    expect(s.list()[0]).toMatchObject({ id, topology: 'convolutional', codeSize: 32, totalParams: run.totalParams, datasetName: 'my pets', starred: false, damaged: null });
    // The full dataset record replaces the id-only one and keeps a name.
    s.record({ type: 'dataset-ready', runId: id, dataset: { id: run.dataset.id, name: 'my pets', height: 12, width: 12, channels: 3, classNames: ['a'], counts: { a: 3 }, trainCount: 2, validationCount: 1, skipped: [], skippedCount: 0 } });
    expect(s.list()[0]).toMatchObject({ datasetName: 'my pets' });
    expect(s.read(id).dataset).toMatchObject({ trainCount: 2 });
  });

  it('renames and stars a run', () => {
    const { s, id } = storeWithRun();
    expect(s.rename(id, { name: '  wide code  ' })).toMatchObject({ id, name: 'wide code', starred: false });
    expect(s.rename(id, { starred: true })).toMatchObject({ name: 'wide code', starred: true });
    expect(s.list()[0]).toMatchObject({ name: 'wide code', starred: true });
    expect(() => s.rename(id, { name: '   ' })).toThrow(/cannot be empty/);
    // Later events keep the new name.
    s.record(epochEnd(id, 1));
    expect(s.read(id)).toMatchObject({ name: 'wide code', starred: true, epochsDone: 1 });
  });

  it('records the batch size a run used in its config when the dataset was smaller than the batch', () => {
    const { s, id } = storeWithRun('builtin:fashion-mnist?train=40&validation=16');
    s.record({ type: 'run-started', runId: id, startEpoch: 0, backend: 'cpu', threads: 2, epochs: 5, stepsPerEpoch: 1, trainCount: 40, validationCount: 16, classNames: ['a'], totalParams: 10, codeSize: 2, effectiveBatchSize: 40, note: 'batch size 128 is larger than the 40 training images: using 40' });
    expect(s.read(id).config).toMatchObject({ batchSize: 128, effectiveBatchSize: 40 });
  });
});

describe('the time a run trained', () => {
  afterEach(() => vi.useRealTimers());

  it('leaves paused time out of its duration: while paused, once resumed, once ended, and when continued', () => {
    // An hour ago by the faked clock: run.json's own modification time (the last write) stays real.
    const t0 = Date.now() - 3_600_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    const { s, id } = storeWithRun();
    s.record({ type: 'run-started', runId: id, startEpoch: 0, backend: 'cpu', threads: 1, epochs: 5, stepsPerEpoch: 4, trainCount: 512, validationCount: 64, classNames: ['a'], totalParams: 10, codeSize: 2 });
    vi.setSystemTime(t0 + 10_000);
    s.record({ type: 'run-paused', runId: id, epoch: 1 });
    // Paused for a minute (and, by the files, for the hour since): the duration stands still.
    vi.setSystemTime(t0 + 70_000);
    expect(s.summary(id)).toMatchObject({ status: 'paused', durationMs: 10_000 });
    s.record({ type: 'run-resumed', runId: id, epoch: 1 });
    vi.setSystemTime(t0 + 85_000);
    s.record({ type: 'run-paused', runId: id, epoch: 2 });
    vi.setSystemTime(t0 + 95_000);
    // Stopped while paused: that pause is left out too.
    s.record({ type: 'run-stopped', runId: id, epochs: 1, loss: 0.3, val_loss: 0.3, elapsedMs: 25_000 });
    expect(s.summary(id)).toMatchObject({ status: 'stopped', durationMs: 25_000 });
    expect(s.detail(id).summary.durationMs).toBe(25_000);
    // Continued: the earlier session counts with its pauses left out, and the new one starts unpaused.
    s.reopen(id);
    expect(s.read(id)).toMatchObject({ priorMs: 25_000, pausedMs: 0 });
    expect(s.read(id).pausedAt).toBeUndefined();
  });
});
