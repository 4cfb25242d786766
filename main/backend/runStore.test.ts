import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { undercomplete } from '../../core/templates/undercomplete';
import type { EpochEndEvent } from '../../core/train/events';
import { newRunId, RunStore } from './runStore';

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
    expect(existsSync(join(s.dir(id), 'latent', 'epoch-0001.json'))).toBe(true);
    expect(s.list()[0]).toMatchObject({ id, status: 'finished', epochs: 5 });
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
});
