/**
 * A full disk, for real: the workspace on a small tmpfs that fills while a run trains (Linux, as
 * root; skipped elsewhere, with the reason in the test's name).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../core/api';
import { buildTemplate } from '../../core/templates';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { startServer } from '../server/server';
import { readCheckpoint } from './checkpoints';
import { BUILTIN_FASHION_MNIST } from './datasets';
import { newRunId } from './runs/naming';
import { RunStore } from './runs/store';
import { smallDisks, SMALL_DISK_SKIP } from './testDisk';
import { testBackends } from './testBackends';

const root = join(import.meta.dirname, '..', '..');
const SMALL = `${BUILTIN_FASHION_MNIST}?train=2048&validation=256`;
const backend = testBackends('disk-full-');
const smallDisk = smallDisks();
const skipped = SMALL_DISK_SKIP ? `: skipped, ${SMALL_DISK_SKIP}` : '';

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

function cliRuns(home: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), 'runs'], { cwd: root, env: { ...process.env, BOTTLENECK_HOME: home }, encoding: 'utf8', timeout: 60_000 });
}

describe.skipIf(SMALL_DISK_SKIP)('a full disk', () => {
  it(`while training: the run ends failed with the cause, its finished epoch intact, no temp files; listing and serving go on${skipped}`, async () => {
    const disk = smallDisk(64 * 1024 * 1024);
    const runsRoot = join(disk.dir, 'runs');
    const b = backend(runsRoot);
    const graph = buildTemplate('undercomplete');
    graph.training = { ...graph.training, epochs: 4, batchSize: 64 };
    const events: TrainEvent[] = [];
    let runId = '';
    const done = new Promise<void>((resolve) =>
      b.on((e: ApiEvent) => {
        if (e.type !== 'train') return;
        events.push(e.event);
        // After epoch 1 the run pauses; the disk fills; it resumes into a checkpoint that cannot be
        // written. A little room is left, as on a real disk, for the small writes that record the failure.
        if (e.event.type === 'epoch-end' && e.event.epoch === 1) void b.invoke('train:pause', { runId });
        if (e.event.type === 'run-paused') {
          disk.fill(64 * 1024);
          void b.invoke('train:resume', { runId });
        }
        if (isTerminal(e.event)) resolve();
      }),
    );
    ({ runId } = await b.invoke('train:start', { graph, datasetId: SMALL }));
    await done;
    const last = events.at(-1)!;
    expect(last.type).toBe('run-failed');
    const message = last.type === 'run-failed' ? last.message : '';
    expect(message).toMatch(/^training failed: cannot save the last checkpoint of epoch \d: the disk is full \(ENOSPC: no space left on device, write\)$/);
    // The epoch that could not be saved, and every one before it kept whole (2, unless epoch 2 ended before the pause landed).
    const failedEpoch = Number(/epoch (\d)/.exec(message)![1]);
    const finished = Array.from({ length: failedEpoch - 1 }, (_, i) => i + 1);
    expect(finished.length).toBeGreaterThanOrEqual(1);

    const [listed] = await b.invoke('runs:list', {});
    expect(listed).toMatchObject({ id: runId, status: 'failed', epochsDone: finished.length, damaged: null, error: message });
    const detail = await b.invoke('runs:detail', { runId });
    expect(detail.skippedMetricLines).toBe(0);
    expect([...new Set(detail.metrics.filter((m) => m.key === 'val_loss').map((m) => m.epoch))]).toEqual(finished);
    expect(detail.latentEpochs).toEqual(finished);
    expect(readCheckpoint(b.runs.dir(runId), 'last').epoch).toBe(finished.length);
    expect(filesUnder(b.runs.dir(runId)).filter((f) => /\.tmp|\.old/.test(f))).toEqual([]);

    // Still full: a new start (markInterrupted), the CLI's list and the server all work, read-only.
    disk.fill(0);
    const again = backend(runsRoot);
    expect((await again.invoke('runs:list', {})).map((r) => r.status)).toEqual(['failed']);
    const cli = cliRuns(disk.dir);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain(runId);
    const server = await startServer({ api: again, staticDir: disk.dir, port: 0 });
    try {
      const reply = await fetch(`${server.url}/api/runs:list`, { method: 'POST', body: '{}', headers: { authorization: `token ${server.token}` } });
      expect((await reply.json()).result).toMatchObject([{ id: runId, status: 'failed' }]);
    } finally {
      await server.close();
    }
  });

  it(`at start-up: a run left running is kept as it is (marked at a start that can write); the app and the CLI start${skipped}`, async () => {
    const disk = smallDisk(4 * 1024 * 1024);
    const runsRoot = join(disk.dir, 'runs');
    const store = new RunStore(runsRoot);
    const runId = newRunId();
    const run = store.create(runId, buildTemplate('undercomplete'), SMALL);
    store.write({ ...run, owner: { pid: 2 ** 22 + 12345, host: run.owner!.host } });
    disk.fill(0);
    const b = backend(runsRoot);
    expect((await b.invoke('runs:list', {})).map((r) => [r.id, r.status])).toEqual([[runId, 'running']]);
    const cli = cliRuns(disk.dir);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    disk.free();
    expect(backend(runsRoot).runs.read(runId).status).toBe('interrupted');
  });

  it(`a run that cannot be started is refused with the cause and leaves no folder; renaming says the disk is full${skipped}`, async () => {
    const disk = smallDisk(4 * 1024 * 1024);
    const runsRoot = join(disk.dir, 'runs');
    mkdirSync(runsRoot);
    const b = backend(runsRoot);
    const store = new RunStore(runsRoot);
    const kept = store.create(newRunId(), buildTemplate('undercomplete'), SMALL);
    disk.fill(0);
    await expect(b.invoke('train:start', { graph: buildTemplate('undercomplete'), datasetId: SMALL })).rejects.toThrow(/^cannot save the run: the disk is full \(ENOSPC/);
    expect(readdirSync(runsRoot)).toEqual([kept.id]);
    await expect(b.invoke('runs:update', { runId: kept.id, name: 'renamed' })).rejects.toThrow(/^runs:update: the disk is full \(ENOSPC/);
    expect(store.read(kept.id).name).toBe(kept.name);
    expect(filesUnder(runsRoot).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(runsRoot, kept.id, 'run.json'))).toBe(true);
  });
});
