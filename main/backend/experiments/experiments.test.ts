/** Experiments through the backend: a sweep's runs trained one after another, Stop, refusals before any run. */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvent, ExperimentRequest } from '../../../core/api';
import { buildTemplate } from '../../../core/templates';
import { BUILTIN_FASHION_MNIST } from '../datasets';
import type { BottleneckBackend } from '../service';
import { testBackends } from '../testBackends';

// 40 training images and a batch of 128: one batch per epoch.
const TINY = `${BUILTIN_FASHION_MNIST}?train=40&validation=16`;
const backend = testBackends('experiments-');

function request(epochs: number, vary: ExperimentRequest['vary']): ExperimentRequest {
  const graph = buildTemplate('undercomplete');
  graph.training = { ...graph.training, epochs, batchSize: 128 };
  return { graph, datasetId: TINY, vary };
}

/** Resolves when the experiment is no longer running (or rejects after `withinMs`). */
function ended(b: BottleneckBackend, id: string, withinMs: number) {
  return expect
    .poll(async () => (await b.invoke('experiments:detail', { experimentId: id })).summary.status, { timeout: withinMs, interval: 100 })
    .not.toBe('running');
}

describe('experiments', () => {
  it('trains a sweep of code size one run after another, each a normal run tagged with the experiment', async () => {
    const b = backend();
    const events: ApiEvent[] = [];
    b.on((e) => events.push(e));
    const created = await b.invoke('experiments:create', request(1, [{ setting: 'bottleneck.units', values: '2,4,8' }]));
    expect(created).toMatchObject({ status: 'running', runCount: 3 });
    await ended(b, created.id, 120_000);
    const detail = await b.invoke('experiments:detail', { experimentId: created.id });
    expect(detail.summary).toMatchObject({ status: 'finished', doneCount: 3, activeRunId: null, error: null });
    expect(detail.runs.map((r) => [r.values['bottleneck.units'], r.run?.status, r.run?.codeSize, r.run?.experimentId])).toEqual([
      [2, 'finished', 2, created.id],
      [4, 'finished', 4, created.id],
      [8, 'finished', 8, created.id],
    ]);
    // One after another: each run started after the one before it ended.
    const runIds = detail.runs.map((r) => r.runId!);
    const order = events.flatMap((e) => (e.type === 'train' && (e.event.type === 'run-started' || e.event.type === 'run-finished') ? [`${e.event.type}:${runIds.indexOf(e.event.runId)}`] : []));
    expect(order).toEqual(['run-started:0', 'run-finished:0', 'run-started:1', 'run-finished:1', 'run-started:2', 'run-finished:2']);
    // They are listed as runs like any other, and the experiment is listed too.
    expect((await b.invoke('runs:list', {})).map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect((await b.invoke('experiments:list', {})).map((e) => e.id)).toEqual([created.id]);
  });

  it('Stop ends the experiment: its training run stops and the runs not started never do', async () => {
    const b = backend();
    const created = await b.invoke('experiments:create', request(5000, [{ setting: 'training.learningRate', values: '1e-3,2e-3,3e-3' }]));
    await expect.poll(async () => (await b.invoke('experiments:detail', { experimentId: created.id })).runs[0]!.run?.epochsDone ?? 0, { timeout: 60_000, interval: 100 }).toBeGreaterThan(1);
    expect(await b.invoke('experiments:stop', { experimentId: created.id })).toMatchObject({ status: 'stopped' });
    await expect.poll(async () => (await b.invoke('experiments:detail', { experimentId: created.id })).runs[0]!.run?.status, { timeout: 10_000, interval: 50 }).toBe('stopped');
    const detail = await b.invoke('experiments:detail', { experimentId: created.id });
    expect(detail.runs.map((r) => r.runId === null)).toEqual([false, true, true]);
    expect(await b.invoke('runs:list', {})).toHaveLength(1);
    await expect(b.invoke('experiments:stop', { experimentId: created.id })).rejects.toThrow(/is stopped: nothing to stop/);
  });

  it('refuses a bad setting or value naming it, before any experiment or run exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'experiments-refused-'));
    const b = backend(root);
    await expect(b.invoke('experiments:create', request(1, [{ setting: 'bottleneck.width', values: '2,4' }]))).rejects.toThrow(/unknown setting "bottleneck\.width"/);
    await expect(b.invoke('experiments:create', request(1, [{ setting: 'bottleneck.units', values: '4,100000' }]))).rejects.toThrow(/^bottleneck\.units: 100000 is out of bounds/);
    await expect(b.invoke('experiments:preview', request(1, [{ setting: 'training.batchSize', values: '0,8' }]))).rejects.toThrow(/^training\.batchSize: 0 is out of bounds/);
    expect(existsSync(join(root, 'experiments')) ? readdirSync(join(root, 'experiments')) : []).toEqual([]);
    expect(await b.invoke('runs:list', {})).toEqual([]);
  });

  it('previews the runs and estimates their time from the last finished run', async () => {
    const b = backend();
    const before = await b.invoke('experiments:preview', request(2, [{ setting: 'bottleneck.units', values: '2..64:log:6' }]));
    expect(before.runs.map((r) => r.values['bottleneck.units'])).toEqual([2, 4, 8, 16, 32, 64]);
    expect(before.settings[0]).toMatchObject({ path: 'bottleneck.units', logScale: true });
    expect(before.estimateMs).toBeNull();
    const created = await b.invoke('experiments:create', request(2, [{ setting: 'bottleneck.units', values: '3' }]));
    await ended(b, created.id, 60_000);
    const [run] = await b.invoke('runs:list', {});
    const after = await b.invoke('experiments:preview', request(2, [{ setting: 'bottleneck.units', values: '2..64:log:6' }]));
    // 6 runs of 2 epochs at the last run's time per epoch.
    expect(after.estimateMs).toBeCloseTo((run!.durationMs! / run!.epochsDone) * 12, -1);
    expect(after.estimateBasis).toContain(run!.name);
  });
});
