import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../api';
import { compareMetricsCsv, comparePngName, nearestEpoch } from './compareExport';
import { runSummary } from './testSummary';

const detail = (id: string, name: string, metrics: RunDetail['metrics']): RunDetail =>
  ({ summary: runSummary({ id, name }), graph: undefined as never, config: {}, dataset: { id: 'builtin:fashion-mnist' }, metrics, skippedMetricLines: 0, latentEpochs: [], sampleEpochs: [] }) as RunDetail;

describe('Compare’s exports', () => {
  it('writes every metric of every run, one row per value, a name with a comma or quote quoted', () => {
    const csv = compareMetricsCsv([
      detail('run-aaaa', 'plain', [{ epoch: 1, step: 10, key: 'val_loss', value: 0.5, t: 1000 }]),
      detail('run-bbbb', 'wide, "deep"', [
        { epoch: 1, step: 10, key: 'val_loss', value: 0.25, t: 2000 },
        { epoch: 2, step: 20, key: 'val_loss', value: 0.125, t: 3000 },
      ]),
    ]);
    expect(csv).toBe('run_id,run_name,epoch,step,key,value,t\nrun-aaaa,plain,1,10,val_loss,0.5,1000\nrun-bbbb,"wide, ""deep""",1,10,val_loss,0.25,2000\nrun-bbbb,"wide, ""deep""",2,20,val_loss,0.125,3000\n');
  });

  it('names the PNG by the runs’ ids’ last four characters', () => {
    expect(comparePngName([detail('20260101-aaaa', 'a', []), detail('20260102-bbbb', 'b', [])])).toBe('bottleneck-compare-aaaa-bbbb.png');
  });

  it('shows the stored epoch nearest from below, else the first, else none', () => {
    expect(nearestEpoch([1, 5, 10], 7)).toBe(5);
    expect(nearestEpoch([1, 5, 10], 10)).toBe(10);
    expect(nearestEpoch([3, 5], 1)).toBe(3);
    expect(nearestEpoch([], 4)).toBeNull();
  });
});
