import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTemplate } from '../../core/templates';
import { undercomplete } from '../../core/templates/undercomplete';
import { folderDatasetId } from '../../core/data/folder';
import { writeFileAtomic } from './atomicFile';
import type { EpochEndEvent } from '../../core/train/events';
import { newRunId, RUN_VERSION, RunStore, topologyOf, uniqueRunName } from './runStore';

const store = () => new RunStore(mkdtempSync(join(tmpdir(), 'runs-')));

const epochEnd = (runId: string, epoch: number): EpochEndEvent => ({
  type: 'epoch-end',
  runId,
  epoch,
  step: epoch * 10,
  loss: 0.5 / epoch,
  val_loss: 0.6 / epoch,
  metrics: { loss: 0.5 / epoch, recon_loss: 0.5 / epoch, val_loss: 0.6 / epoch, val_kl_loss: 0.01 },
  samplesPerSec: 1000,
  elapsedMs: epoch * 1000,
  best_val_loss: 0.6 / epoch,
  improved: true,
  latent: { method: 'raw', x: [0], y: [1], labels: [0] },
  recon: { height: 1, width: 1, channels: 1, originals: [[0]], reconstructions: [[1]], labels: [0] },
});

describe('RunStore', () => {
  it('names runs of the same graph apart: name, name (2), name (3)', () => {
    const s = store();
    const graph = undercomplete();
    const names = [0, 1, 2].map((i) => s.create(newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, i))), graph, 'builtin:fashion-mnist').name);
    expect(names).toEqual([graph.name, `${graph.name} (2)`, `${graph.name} (3)`]);
    expect(uniqueRunName('a', ['a', 'a (2)', 'a (4)'])).toBe('a (3)');
  });

  it('makes ids that sort by start time', () => {
    expect(newRunId(new Date('2026-11-28T01:02:03.456Z'), () => 0.5)).toMatch(/^20261128T010203Z-[0-9a-z]{4}$/);
  });

  it('lays a run out as DESIGN.md says and records its events', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'builtin:fashion-mnist');
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
    const s = store();
    const [two, one] = [newRunId(), newRunId()];
    for (const [id, threads] of [[two, 2], [one, 1]] as const) {
      s.create(id, undercomplete(), 'builtin:fashion-mnist');
      s.record({ type: 'run-started', runId: id, startEpoch: 0, backend: 'wasm', threads, epochs: 5, stepsPerEpoch: 4, trainCount: 512, validationCount: 64, classNames: ['a'], totalParams: 10, codeSize: 2 }, { name: 'wasm', skipped: [] });
    }
    expect(s.read(two).backend).toEqual({ name: 'wasm', skipped: [], threads: 2 });
    const listed = Object.fromEntries(s.list().map((r) => [r.id, r.backend]));
    expect(listed).toEqual({ [two]: 'wasm ×2', [one]: 'wasm' });
  });

  it('keeps run.json whole when a crash leaves a half-written temp file behind', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'builtin:fashion-mnist');
    // A crash between write and rename leaves the temp file; run.json is the old, complete one.
    writeFileSync(join(s.dir(id), `run.json.${process.pid}.tmp`), '{"format": "bottleneck.ru');
    expect(s.read(id).status).toBe('running');
    s.update(id, { status: 'stopped' });
    expect(s.read(id).status).toBe('stopped');
  });

  it('reads past a torn last metrics line', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'x');
    s.record(epochEnd(id, 1));
    appendFileSync(join(s.dir(id), 'metrics.jsonl'), '{"t":1,"epoch":2,"ke');
    expect(s.metrics(id)).toHaveLength(5);
  });

  it('marks runs left running as interrupted, keeping their finished epochs', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'x');
    s.record(epochEnd(id, 1));
    s.record(epochEnd(id, 2));
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    expect(s.read(id)).toMatchObject({ status: 'interrupted', epochsDone: 2 });
    expect(s.metrics(id).filter((m) => m.key === 'val_loss')).toHaveLength(2);
  });

  it('lists a damaged folder with the reason instead of failing the list', () => {
    const s = store();
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

  it('refuses ids that could escape the runs folder', () => {
    expect(() => store().dir('../../etc')).toThrow(/not a run id/);
  });

  it('records topology, code size, parameters and the dataset name at creation; starred starts false', () => {
    const s = store();
    const id = newRunId();
    s.create(id, buildTemplate('convolutional', { height: 12, width: 12, channels: 3 }), folderDatasetId('/data/my pets', { height: 12, width: 12, channels: 3, fit: 'cover', validationSplit: 0.1, seed: 1 }));
    const run = JSON.parse(readFileSync(join(s.dir(id), 'run.json'), 'utf8'));
    expect(run).toMatchObject({ version: RUN_VERSION, topology: 'convolutional', codeSize: 32, starred: false, dataset: { name: 'my pets' } });
    expect(run.totalParams).toBeGreaterThan(1000);
    expect(s.list()[0]).toMatchObject({ id, topology: 'convolutional', codeSize: 32, totalParams: run.totalParams, datasetName: 'my pets', starred: false, damaged: null });
    // The full dataset record replaces the id-only one and keeps a name.
    s.record({ type: 'dataset-ready', runId: id, dataset: { id: run.dataset.id, name: 'my pets', height: 12, width: 12, channels: 3, classNames: ['a'], counts: { a: 3 }, trainCount: 2, validationCount: 1, skipped: [], skippedCount: 0 } });
    expect(s.list()[0]).toMatchObject({ datasetName: 'my pets' });
    expect(s.read(id).dataset).toMatchObject({ trainCount: 2 });
  });

  it('names a graph by the template it still is, else "custom"', () => {
    for (const name of ['undercomplete', 'sparse', 'variational'] as const) expect(topologyOf(buildTemplate(name, { height: 20, width: 16, channels: 1 }))).toBe(name);
    const edited = buildTemplate('undercomplete');
    edited.nodes.find((n) => n.kind === 'Bottleneck')!.params.latentSize = 7;
    expect(topologyOf(edited)).toBe('custom');
    const moved = buildTemplate('denoising');
    moved.nodes[0]!.position = { x: 999, y: 1 };
    expect(topologyOf({ ...moved, name: 'renamed' })).toBe('denoising');
  });

  it('reads a version 1 run.json with defaults, deriving what it lacks from graph.json', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'builtin:fashion-mnist');
    const { topology: _t, codeSize: _c, totalParams: _p, starred: _s, owner: _o, ...v1 } = s.read(id);
    writeFileSync(join(s.dir(id), 'run.json'), JSON.stringify({ ...v1, version: 1, status: 'finished', endedAt: new Date().toISOString(), dataset: { id: 'builtin:fashion-mnist' } }));
    expect(s.list()[0]).toMatchObject({ id, topology: 'undercomplete', codeSize: 32, starred: false, datasetName: 'Fashion-MNIST', damaged: null });
    expect(s.rename(id, { starred: true })).toMatchObject({ starred: true });
    expect(s.read(id).version).toBe(RUN_VERSION);
  });

  it('lists damaged folders (missing, empty or corrupt run.json, a newer format) with the reason; the others still load', () => {
    const s = store();
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
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'x');
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
    const s = store();
    const id = newRunId();
    const run = s.create(id, undercomplete(), 'x');
    const started = Date.parse(run.startedAt);
    utimesSync(join(s.dir(id), 'run.json'), new Date(started + 5000), new Date(started + 5000));
    expect(s.list()[0]!.durationMs).toBe(5000);
    s.update(id, { status: 'finished', endedAt: new Date(started + 61_000).toISOString() });
    expect(s.list()[0]!.durationMs).toBe(61_000);
  });

  it('counts the time a continued run trained, not the days between its sessions', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'x');
    // Trained for a minute two days ago, then stopped.
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    s.update(id, { status: 'stopped', startedAt: new Date(twoDaysAgo).toISOString(), endedAt: new Date(twoDaysAgo + 60_000).toISOString(), epochsDone: 1 });
    s.reopen(id);
    expect(s.read(id)).toMatchObject({ status: 'queued', endedAt: null, priorMs: 60_000 });
    s.record({ type: 'run-started', runId: id, startEpoch: 1, backend: 'wasm', threads: 2, epochs: 5, stepsPerEpoch: 4, trainCount: 512, validationCount: 64, classNames: ['a'], totalParams: 10, codeSize: 2 });
    s.record({ type: 'run-stopped', runId: id, epochs: 2, loss: 0.3, val_loss: 0.3, elapsedMs: 10 });
    const duration = s.list()[0]!.durationMs!;
    expect(duration).toBeGreaterThanOrEqual(60_000);
    expect(duration).toBeLessThan(60_000 + 5_000);
  });

  it('ends an interrupted run at its last write, not at the start that found it', () => {
    const s = store();
    const id = newRunId();
    const run = s.create(id, undercomplete(), 'x');
    s.record(epochEnd(id, 1));
    const lastEpoch = Date.parse(run.startedAt) + 30_000;
    for (const f of ['run.json', 'metrics.jsonl']) utimesSync(join(s.dir(id), f), new Date(lastEpoch), new Date(lastEpoch));
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    expect(Date.parse(s.read(id).endedAt!)).toBe(lastEpoch);
    expect(s.list()[0]!.durationMs).toBe(30_000);
  });

  it('detail() reads the graph, settings and metrics, skipping torn lines and counting them', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'builtin:fashion-mnist');
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

  it('closes a torn last line when a run is interrupted, so metrics appended later stay readable', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'x');
    s.record(epochEnd(id, 1));
    appendFileSync(join(s.dir(id), 'metrics.jsonl'), '{"t":1,"epoch":2,"ke');
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    s.record(epochEnd(id, 2));
    const d = s.detail(id);
    expect(d.metrics.filter((m) => m.key === 'val_loss').map((m) => m.epoch)).toEqual([1, 2]);
    expect(d.skippedMetricLines).toBe(1);
  });

  it('leaves alone a run that another live process on this machine is training', () => {
    const s = store();
    const id = newRunId();
    const run = s.create(id, undercomplete(), 'x');
    // The parent process (vitest) stands in for a CLI training in another process.
    s.write({ ...run, owner: { pid: process.ppid, host: run.owner!.host } });
    expect(new RunStore(s.root).markInterrupted()).toEqual([]);
    expect(s.read(id).status).toBe('running');
    s.write({ ...run, owner: { pid: 2 ** 22 + 12345, host: run.owner!.host } });
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
  });

  it('renames and stars a run', () => {
    const s = store();
    const id = newRunId();
    s.create(id, undercomplete(), 'x');
    expect(s.rename(id, { name: '  wide code  ' })).toMatchObject({ id, name: 'wide code', starred: false });
    expect(s.rename(id, { starred: true })).toMatchObject({ name: 'wide code', starred: true });
    expect(s.list()[0]).toMatchObject({ name: 'wide code', starred: true });
    expect(() => s.rename(id, { name: '   ' })).toThrow(/cannot be empty/);
    // Later events keep the new name.
    s.record(epochEnd(id, 1));
    expect(s.read(id)).toMatchObject({ name: 'wide code', starred: true, epochsDone: 1 });
  });

  it('deletes to the trash and restores, refusing a run still training', () => {
    const s = store();
    const a = newRunId(new Date('2026-02-01T00:00:00Z'));
    const b = newRunId(new Date('2026-02-02T00:00:00Z'));
    for (const id of [a, b]) {
      s.create(id, undercomplete(), 'x');
      s.update(id, { status: 'finished', endedAt: new Date().toISOString() });
    }
    const live = newRunId(new Date('2026-02-03T00:00:00Z'));
    s.create(live, undercomplete(), 'x');
    expect(() => s.delete([a, live])).toThrow(`run ${live} is running: stop it before deleting it`);
    expect(s.list()).toHaveLength(3); // nothing moved
    s.update(live, { status: 'stopped' });
    expect(() => s.delete([live], (id) => id === live)).toThrow(`run ${live} is training: stop it before deleting it`);
    expect(() => s.delete(['20260101T000000Z-zzzz'])).toThrow('no run 20260101T000000Z-zzzz');

    expect(s.delete([a, b])).toEqual([a, b]);
    expect(s.list().map((r) => r.id)).toEqual([live]);
    expect(readdirSync(join(s.root, '.trash')).sort()).toEqual([a, b]);
    expect(s.restore([a, b])).toEqual([a, b]);
    expect(s.list().map((r) => r.id)).toEqual([live, b, a]);
    expect(s.detail(a).summary).toMatchObject({ status: 'finished', damaged: null });

    // Deleting the same id again while an older copy waits in the trash: a unique name; restore takes the newest.
    mkdirSync(join(s.root, '.trash', a));
    writeFileSync(join(s.root, '.trash', a, 'old'), '');
    s.rename(a, { name: 'newest' });
    s.delete([a]);
    expect(readdirSync(join(s.root, '.trash')).sort()).toEqual([a, `${a}~2`]);
    s.restore([a]);
    expect(s.read(a).name).toBe('newest');
    expect(() => s.restore([a])).toThrow(`run ${a} already exists`);
    s.delete([b]);
    rmSync(join(s.root, '.trash', b), { recursive: true });
    expect(() => s.restore([b])).toThrow(`run ${b} is not in the trash`);
  });
});
