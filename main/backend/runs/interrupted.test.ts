import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from './store';
import { epochEnd, setMtime, storeWithRun } from './testRuns';

describe('interrupted runs', () => {
  it('marks runs left running as interrupted, keeping their finished epochs', () => {
    const { s, id } = storeWithRun();
    s.record(epochEnd(id, 1));
    s.record(epochEnd(id, 2));
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    expect(s.read(id)).toMatchObject({ status: 'interrupted', epochsDone: 2 });
    expect(s.metrics(id).filter((m) => m.key === 'val_loss')).toHaveLength(2);
  });

  it('ends an interrupted run at its last write, not at the start that found it', () => {
    const { s, id, run } = storeWithRun();
    s.record(epochEnd(id, 1));
    const lastEpoch = Date.parse(run.startedAt) + 30_000;
    for (const f of ['run.json', 'metrics.jsonl']) setMtime(join(s.dir(id), f), lastEpoch);
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    expect(Date.parse(s.read(id).endedAt!)).toBe(lastEpoch);
    expect(s.list()[0]!.durationMs).toBe(30_000);
  });

  it('closes a torn last line when a run is interrupted, so metrics appended later stay readable', () => {
    const { s, id } = storeWithRun();
    s.record(epochEnd(id, 1));
    appendFileSync(join(s.dir(id), 'metrics.jsonl'), '{"t":1,"epoch":2,"ke');
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    s.record(epochEnd(id, 2));
    const d = s.detail(id);
    expect(d.metrics.filter((m) => m.key === 'val_loss').map((m) => m.epoch)).toEqual([1, 2]);
    expect(d.skippedMetricLines).toBe(1);
  });

  it('leaves alone a run that another live process on this machine is training', () => {
    const { s, id, run } = storeWithRun();
    // The parent process (vitest) stands in for a CLI training in another process.
    s.write({ ...run, owner: { pid: process.ppid, host: run.owner!.host } });
    expect(new RunStore(s.root).markInterrupted()).toEqual([]);
    expect(s.read(id).status).toBe('running');
    s.write({ ...run, owner: { pid: 2 ** 22 + 12345, host: run.owner!.host } });
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
  });
});
