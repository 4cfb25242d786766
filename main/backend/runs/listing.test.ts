import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { undercomplete } from '../../../core/templates/undercomplete';
import { writeFileAtomic } from '../atomicFile';
import { RUN_VERSION } from './format';
import { newRunId } from './naming';
import { RunStore } from './store';
import { epochEnd, setMtime, storeWithRun, tempStore } from './testRuns';

describe('listing runs', () => {
  it('lists a damaged folder with the reason instead of failing the list', () => {
    const s = tempStore();
    const good = newRunId();
    s.create(good, undercomplete(), 'x');
    const bad = newRunId(new Date(0));
    s.create(bad, undercomplete(), 'x');
    writeFileSync(join(s.dir(bad), 'run.json'), 'not json');
    const list = s.list();
    expect(list).toHaveLength(2);
    expect(list.find((r) => r.id === bad)?.error).toMatch(/^damaged run folder/);
    expect(list.find((r) => r.id === good)?.status).toBe('running');
  });

  it('lists damaged folders (missing, empty or corrupt run.json, a newer format) with the reason; the others still load', () => {
    const s = tempStore();
    const good = newRunId(new Date('2026-01-05T00:00:00Z'));
    s.create(good, undercomplete(), 'x');
    const make = (day: number, text: string | null) => {
      const id = newRunId(new Date(`2026-01-0${day}T10:20:30Z`));
      s.create(id, undercomplete(), 'x');
      if (text === null) rmSync(join(s.dir(id), 'run.json'));
      else writeFileSync(join(s.dir(id), 'run.json'), text);
      return id;
    };
    const missing = make(1, null);
    const corrupt = make(2, '{"format": "bottleneck.run", "vers');
    const newer = make(3, JSON.stringify({ format: 'bottleneck.run', version: RUN_VERSION + 1, id: 'whatever' }));
    const empty = make(4, '');
    const list = s.list();
    expect(list.map((r) => r.id)).toEqual([good, empty, newer, corrupt, missing]);
    const byId = Object.fromEntries(list.map((r) => [r.id, r]));
    expect(byId[good]).toMatchObject({ status: 'running', damaged: null });
    expect(byId[missing]).toMatchObject({ status: 'failed', damaged: 'run.json is missing', startedAt: '2026-01-01T10:20:30.000Z' });
    expect(byId[corrupt]!.damaged).toMatch(/^run\.json is not valid JSON \(/);
    expect(byId[newer]!.damaged).toBe(`run.json was written by a newer Bottleneck (run format version ${RUN_VERSION + 1}; this one reads up to ${RUN_VERSION})`);
    expect(byId[empty]!.damaged).toBe('run.json is empty');
    expect(byId[missing]!.error).toBe('damaged run folder: run.json is missing');
    expect(() => s.read(missing)).toThrow(`run ${missing}: run.json is missing`);
    // Damaged runs are not touched at start-up, and can be deleted.
    expect(new RunStore(s.root).markInterrupted()).toEqual([good]);
    expect(s.delete([missing, corrupt])).toEqual([missing, corrupt]);
    expect(s.list().map((r) => r.id)).toEqual([good, empty, newer]);
  });

  it('ignores a temp file left by a crash between write and rename, and the trash folder', () => {
    const { s, id } = storeWithRun();
    expect(() =>
      writeFileAtomic(join(s.dir(id), 'run.json'), '{"format": "bottleneck.run", "half', {
        beforeRename: () => {
          throw new Error('simulated crash');
        },
      }),
    ).toThrow('simulated crash');
    writeFileSync(join(s.root, 'stray.tmp'), 'x');
    mkdirSync(join(s.root, '.trash', id), { recursive: true });
    const list = s.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id, status: 'running', damaged: null });
  });

  it('reports a duration from start to end, or to the last write of a run still going', () => {
    const { s, id, run } = storeWithRun();
    const started = Date.parse(run.startedAt);
    setMtime(join(s.dir(id), 'run.json'), started + 5000);
    expect(s.list()[0]!.durationMs).toBe(5000);
    s.update(id, { status: 'finished', endedAt: new Date(started + 61_000).toISOString() });
    expect(s.list()[0]!.durationMs).toBe(61_000);
  });

  it('uses one last write for every duration: the list, the detail and a continued run agree', () => {
    const { s, id, run } = storeWithRun();
    const started = Date.parse(run.startedAt);
    // A crash after an epoch's metrics were flushed but before run.json was rewritten: the metrics are newer.
    setMtime(join(s.dir(id), 'run.json'), started + 5000);
    setMtime(join(s.dir(id), 'metrics.jsonl'), started + 30_000);
    expect(s.list()[0]!.durationMs).toBe(30_000);
    expect(s.summary(id).durationMs).toBe(30_000);
    expect(s.detail(id).summary.durationMs).toBe(30_000);
    s.update(id, { status: 'stopped' });
    setMtime(join(s.dir(id), 'run.json'), started + 5000);
    s.reopen(id);
    expect(s.read(id).priorMs).toBe(30_000);
  });

  it('counts the time a continued run trained, not the days between its sessions', () => {
    const { s, id } = storeWithRun();
    // Trained for a minute two days ago, then stopped.
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    s.update(id, { status: 'stopped', startedAt: new Date(twoDaysAgo).toISOString(), endedAt: new Date(twoDaysAgo + 60_000).toISOString(), epochsDone: 1 });
    s.reopen(id);
    expect(s.read(id)).toMatchObject({ status: 'queued', endedAt: null, priorMs: 60_000 });
    s.record({ type: 'run-started', runId: id, startEpoch: 1, backend: 'cpu', threads: 2, epochs: 5, stepsPerEpoch: 4, trainCount: 512, validationCount: 64, classNames: ['a'], totalParams: 10, codeSize: 2 });
    s.record({ type: 'run-stopped', runId: id, epochs: 2, loss: 0.3, val_loss: 0.3, elapsedMs: 10 });
    const duration = s.list()[0]!.durationMs!;
    expect(duration).toBeGreaterThanOrEqual(60_000);
    expect(duration).toBeLessThan(60_000 + 5_000);
  });

  it('detail() reads the graph, settings and metrics, skipping torn lines and counting them', () => {
    const { s, id } = storeWithRun('builtin:fashion-mnist');
    s.record(epochEnd(id, 1));
    s.record(epochEnd(id, 2));
    appendFileSync(join(s.dir(id), 'metrics.jsonl'), '{"t":1,"epoch":3,"step":30,"key":"val_lo');
    const d = s.detail(id);
    expect(d.graph.nodes).toHaveLength(undercomplete().nodes.length);
    expect(d.config).toMatchObject({ epochs: 5 });
    expect(d.dataset).toMatchObject({ id: 'builtin:fashion-mnist' });
    expect(d.metrics.filter((m) => m.key === 'val_loss').map((m) => [m.epoch, m.value])).toEqual([[1, 0.6], [2, 0.3]]);
    expect(d.skippedMetricLines).toBe(1);
    expect(d.summary.damaged).toMatch(/^metrics\.jsonl: 1 unreadable line skipped/);
    expect(d.latentEpochs).toEqual([1, 2]);
    expect(d.sampleEpochs).toEqual([1, 2]);
    expect(s.latent(id, 2)).toEqual({ method: 'raw', x: [0], y: [1], labels: [0] });
    expect(s.samples(id, 1).reconstructions).toEqual([[1]]);
    expect(() => s.latent(id, 3)).toThrow(`run ${id}: no latent projection for epoch 3 (latent/epoch-0003.json not found)`);
    // A projection recorded as JSON (runs from before binary projections) still reads.
    writeFileSync(join(s.dir(id), 'latent', 'epoch-0003.json'), JSON.stringify({ method: 'pca', x: [1.5], y: [2], labels: [4] }));
    expect(s.latent(id, 3)).toEqual({ method: 'pca', x: [1.5], y: [2], labels: [4] });
    expect(s.detail(id).latentEpochs).toEqual([1, 2, 3]);
    const file = join(s.dir(id), 'latent', 'epoch-0002.bin');
    writeFileSync(file, readFileSync(file).subarray(0, 20));
    expect(() => s.latent(id, 2)).toThrow(/latent\/epoch-0002\.bin: .*truncated/);
    writeFileSync(join(s.dir(id), 'samples', 'epoch-0002.json'), '{"height": 1');
    expect(() => s.samples(id, 2)).toThrow(/samples\/epoch-0002\.json is not valid JSON/);
    writeFileSync(join(s.dir(id), 'samples', 'epoch-0002.json'), '{"height": 1}');
    expect(() => s.samples(id, 2)).toThrow(/samples\/epoch-0002\.json is not a reconstruction grid: width/);
    rmSync(join(s.dir(id), 'graph.json'));
    expect(() => s.detail(id)).toThrow(`run ${id}: graph.json is missing`);
  });
});
