import { afterEach, describe, expect, it } from 'vitest';
import type { ImageBatch, ScoreResult } from '../../../core/api';
import { histogram } from '../use/ScoreView';
import { createTestApp, FakeBackend, runSummary, type TestApp } from '../testing/testApp';
import { scoresCsv } from '../../../core/score';
import { defaultThreshold } from './scoreSlice';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const none: ImageBatch = { count: 0, height: 1, width: 1, channels: 1, pixels: '' };
const result = (errors: number[], labels: number[], heldOut: number[] = []): ScoreResult => ({
  runId: 'r1',
  datasetId: 'builtin:fashion-mnist',
  datasetName: 'Fashion-MNIST',
  count: errors.length,
  errors,
  labels,
  classNames: ['shirt', 'bag, large'],
  files: null,
  indices: errors.map((_, i) => i),
  perClass: [],
  heldOut,
  roc: null,
  highest: { positions: [], inputs: none, reconstructions: none, errorMaps: none },
  lowest: { positions: [], inputs: none, reconstructions: none, errorMaps: none },
});

describe('anomaly scores', () => {
  it('start the threshold at the 95th percentile of the errors', () => {
    const errors = Array.from({ length: 100 }, (_, i) => i / 100);
    expect(defaultThreshold(errors)).toBe(0.95);
    expect(defaultThreshold([])).toBe(0);
  });

  it('export the ranking, most anomalous first, with a quoted class name and the threshold flag', () => {
    const csv = scoresCsv(result([0.1, 0.5, 0.2], [0, 1, 0]), 0.15).trim().split('\n');
    expect(csv[0]).toBe('index,label,class,error,anomalous');
    expect(csv.slice(1)).toEqual(['1,1,"bag, large",0.5,1', '2,0,shirt,0.2,1', '0,0,shirt,0.1,0']);
  });

  it('bin the histogram over every image, the held-out classes on their own', () => {
    const h = histogram(result([0, 0.5, 1, 1], [0, 1, 1, 0], [1]), 4);
    expect(h.all).toEqual([1, 0, 1, 2]);
    expect(h.heldOut).toEqual([0, 0, 1, 1]);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('score the model in use, with progress, and keep the result when the model stays', async () => {
    const b = new FakeBackend();
    b.handle('runs:list', () => [runSummary({ id: 'r1' })]);
    b.handle('model:info', ({ runId }) => ({ runId, runName: runId, checkpoint: 'best', epoch: 1, codeSize: 2, variational: false, height: 1, width: 1, channels: 1, classNames: ['a', 'b'], datasetId: 'builtin:fashion-mnist', datasetName: 'F', count: 3 }));
    b.handle('model:score', () => {
      b.emit({ type: 'job-progress', job: 'score', runId: 'r1', phase: 'scoring', done: 2, total: 3 });
      return result([0.3, 0.1, 0.2], [0, 1, 0]);
    });
    app = await createTestApp(b);
    await app.state.openModelView('score', 'r1');
    expect(app.state.view).toBe('score');
    // The map is Explore's: opening Anomalies does not compute it.
    expect(b.callsTo('model:map')).toEqual([]);
    await app.state.runScore(null);
    expect(b.callsTo('model:score')).toEqual([{ runId: 'r1', checkpoint: 'best', extremes: 24 }]);
    expect(app.state.score).toMatchObject({ progress: null, error: null, result: { count: 3 } });
    expect(app.state.score.threshold).toBe(0.3);
  });
});
