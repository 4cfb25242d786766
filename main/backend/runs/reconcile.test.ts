import { describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../checkpoints';
import { RunStore } from './store';
import { epochEnd, storeWithRun } from './testRuns';

/**
 * A run of `epochs` epochs killed after its epoch `saved` was checkpointed and its metrics written,
 * but before run.json was: run.json still says running at epoch `recorded`.
 */
function killedBetweenCheckpointAndRecord(epochs: number, saved: number, recorded: number) {
  const { s, id, run } = storeWithRun();
  s.write({ ...run, config: { ...run.config, epochs } });
  for (let e = 1; e <= saved; e++) s.record(epochEnd(id, e));
  writeCheckpoint(s.dir(id), 'last', { epoch: saved, step: saved * 10, bestValLoss: 0.6 / saved, epochsSinceBest: 0, weights: [{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }], optimizer: [] });
  const stale = s.read(id);
  s.write({ ...stale, status: 'running', epochsDone: recorded, loss: 0.5 / recorded, val_loss: 0.6 / recorded, best_val_loss: 0.6 / recorded });
  return { s, id };
}

describe('a run record behind its checkpoint', () => {
  it('at start-up: a run whose last epoch was saved is finished, with the last epoch’s losses from the metrics', () => {
    const { s, id } = killedBetweenCheckpointAndRecord(2, 2, 1);
    expect(new RunStore(s.root).markInterrupted()).toEqual([id]);
    const run = s.read(id);
    expect(run).toMatchObject({ status: 'finished', epochsDone: 2, loss: 0.25, val_loss: 0.3, best_val_loss: 0.3, error: null });
    expect(run.endedAt).not.toBeNull();
    expect(s.list()[0]).toMatchObject({ id, status: 'finished', epochsDone: 2, epochs: 2 });
  });

  it('at start-up: one with epochs to go is interrupted at the checkpoint’s epoch', () => {
    const { s, id } = killedBetweenCheckpointAndRecord(5, 3, 2);
    new RunStore(s.root).markInterrupted();
    expect(s.read(id)).toMatchObject({ status: 'interrupted', epochsDone: 3, loss: 0.5 / 3, val_loss: 0.6 / 3, best_val_loss: 0.6 / 3 });
  });

  it('on continuing: an interrupted record is brought up to the checkpoint, and one that agrees is left as it is', () => {
    const { s, id } = killedBetweenCheckpointAndRecord(2, 2, 1);
    s.write({ ...s.read(id), status: 'interrupted' });
    expect(s.reconcile(id)).toMatchObject({ status: 'finished', epochsDone: 2, loss: 0.25 });
    const agreed = s.read(id);
    expect(s.reconcile(id)).toEqual(agreed);
  });
});
