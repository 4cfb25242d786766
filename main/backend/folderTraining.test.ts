/** An image folder through the contract: scan, browse, train with progress, stop mid-decode, run.json records it. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../core/api';
import { folderDatasetId } from '../../core/data/folder';
import { buildTemplate } from '../../core/templates';
import type { TrainEvent } from '../../core/train/events';
import type { BottleneckBackend } from './service';
import { testBackends } from './testBackends';

process.env.BOTTLENECK_HOME = mkdtempSync(join(tmpdir(), 'folder-home-'));
const backend = testBackends('folder-runs-');

function untilTerminal(b: BottleneckBackend, onEvent: (e: TrainEvent) => void = () => {}) {
  const events: TrainEvent[] = [];
  return {
    events,
    done: new Promise<TrainEvent[]>((resolve) =>
      b.on((e: ApiEvent) => {
        if (e.type !== 'train') return;
        events.push(e.event);
        onEvent(e.event);
        if (['run-finished', 'run-stopped', 'run-failed'].includes(e.event.type)) resolve(events);
      }),
    ),
  };
}

let folder: string;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'shapes-'));
  // Two classes that look different: bright squares and dark ones, 12×12, with one broken file.
  for (const [name, value] of [['bright', 230], ['dark', 25]] as const) {
    mkdirSync(join(folder, name));
    for (let i = 0; i < 40; i++) {
      await sharp(Buffer.alloc(12 * 12, value - (i % 5) * 3), { raw: { width: 12, height: 12, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(folder, name, `${i}.png`));
    }
  }
  writeFileSync(join(folder, 'dark', 'broken.png'), 'not an image');
});

describe('training on an image folder', () => {
  it('scans: classes, counts, suggested settings; browses subfolders', async () => {
    const b = backend();
    const summary = await b.invoke('datasets:scan', { path: folder });
    expect(summary.classNames).toEqual(['bright', 'dark']);
    // The broken file is found by its header: skipped with the reason before any decoding.
    expect(summary.counts).toEqual({ bright: 40, dark: 40 });
    expect(summary.skipped).toEqual([{ path: join(folder, 'dark', 'broken.png'), reason: expect.stringMatching(/^cannot read: /) }]);
    expect(summary.suggested, JSON.stringify(summary.suggested)).toMatchObject({ height: 12, width: 12, channels: 1, validationSplit: 0.1 });
    const listing = await b.invoke('datasets:browse', { path: folder });
    expect(listing.folders.map((f) => f.name)).toEqual(['bright', 'dark']);
    expect(listing.parent).toBe(tmpdir());
    await expect(b.invoke('datasets:scan', { path: join(folder, 'missing') })).rejects.toThrow(`${join(folder, 'missing')}: no such folder`);
    await expect(b.invoke('datasets:browse', { path: join(folder, 'bright', '0.png') })).rejects.toThrow('not a folder');
  });

  it('trains a run on it with decode progress, and run.json records path, fingerprint, settings, counts and skipped files', async () => {
    const b = backend();
    const { suggested } = await b.invoke('datasets:scan', { path: folder });
    const graph = buildTemplate('undercomplete', { height: 12, width: 12, channels: 1 });
    graph.training = { ...graph.training, epochs: 1, batchSize: 16 };
    const run = untilTerminal(b);
    const { runId } = await b.invoke('train:start', { graph, datasetId: folderDatasetId(folder, suggested) });
    const events = await run.done;
    expect(events.at(-1)).toMatchObject({ type: 'run-finished' });
    const progress = events.filter((e) => e.type === 'dataset-progress');
    expect(progress.at(-1)).toMatchObject({ phase: 'decoding', done: 81, total: 81 });
    const started = events.find((e) => e.type === 'run-started')!;
    expect(started).toMatchObject({ classNames: ['bright', 'dark'], trainCount: 72, validationCount: 8 });
    const saved = JSON.parse(readFileSync(join(b.runs.dir(runId), 'run.json'), 'utf8'));
    expect(saved.dataset).toMatchObject({ path: folder, counts: { bright: 40, dark: 40 }, trainCount: 72, validationCount: 8, skippedCount: 1, preprocessing: suggested });
    expect(saved.dataset.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(saved.dataset.skipped[0].path).toBe(join(folder, 'dark', 'broken.png'));
  });

  it('Stop while the folder decodes cancels it: the run ends stopped, and the next run starts normally', async () => {
    const b = backend();
    // Enough files that decoding is still under way when Stop arrives.
    const big = mkdtempSync(join(tmpdir(), 'big-'));
    for (let i = 0; i < 600; i++) {
      await sharp(Buffer.alloc(64 * 64, i % 256), { raw: { width: 64, height: 64, channels: 1 } }).toColourspace('b-w').png().toFile(join(big, `${i}.png`));
    }
    const { suggested } = await b.invoke('datasets:scan', { path: big });
    const settings = { ...suggested, height: 10, width: 10 };
    const graph = buildTemplate('undercomplete', { height: 10, width: 10, channels: 1 });
    graph.training = { ...graph.training, epochs: 1, batchSize: 16 };
    let runId = '';
    // Once: a stop for a run that has ended is refused (not-active).
    let stopping: Promise<unknown> | null = null;
    const run = untilTerminal(b, (e) => {
      if (e.type === 'dataset-progress' && e.phase === 'decoding') stopping ??= b.invoke('train:stop', { runId });
    });
    runId = (await b.invoke('train:start', { graph, datasetId: folderDatasetId(big, settings) })).runId;
    const events = await run.done;
    expect(await stopping).toEqual({ stopping: true });
    expect(events.at(-1)).toMatchObject({ type: 'run-stopped', epochs: 0 });
    expect(events.some((e) => e.type === 'run-started')).toBe(false);
    expect(b.runs.read(runId).status).toBe('stopped');
    const next = untilTerminal(b);
    await b.invoke('train:start', { graph, datasetId: folderDatasetId(big, settings) });
    expect((await next.done).at(-1)!.type).toBe('run-finished');
  });
});
