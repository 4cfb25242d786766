import { afterEach, describe, expect, it } from 'vitest';
import type { ImageBatch, ScoreResult } from '../../../core/api';
import { histogram } from '../use/ScoreView';
import { createTestApp, FakeBackend, runSummary, type TestApp } from '../testing/testApp';
import { scoresCsv } from '../../../core/score';
import { folderDatasetId } from '../../../core/data/datasetId';
import { folderIdFor, imageSource } from '../use/ScoreView';
import { defaultThreshold, largest } from './scoreSlice';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const none: ImageBatch = { count: 0, height: 1, width: 1, channels: 1, pixels: '' };
const result = (errors: number[], labels: number[], heldOut: number[] = [], newClasses: number[] = []): ScoreResult => ({
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
  newClasses,
  roc: null,
  highest: { positions: [], inputs: none, reconstructions: none, errorMaps: none },
  lowest: { positions: [], inputs: none, reconstructions: none, errorMaps: none },
  skipped: [],
  skippedCount: 0,
});

describe('anomaly scores', () => {
  it('start the threshold at the 95th percentile of the errors', () => {
    const errors = Array.from({ length: 100 }, (_, i) => i / 100);
    expect(defaultThreshold(errors)).toBe(0.95);
    expect(defaultThreshold([])).toBe(0);
  });

  it('export the ranking, most anomalous first, with a quoted class name and the threshold flag', () => {
    const csv = scoresCsv(result([0.1, 0.5, 0.2], [0, 1, 0]), 0.15).trim().split('\n');
    expect(csv[0]).toBe('index,label,class,error,held_out,new_class,anomalous');
    expect(csv.slice(1)).toEqual(['1,1,"bag, large",0.5,0,0,1', '2,0,shirt,0.2,0,0,1', '0,0,shirt,0.1,0,0,0']);
  });

  it('bin the histogram over every image, the classes not trained on (held out or new) on their own', () => {
    const h = histogram(result([0, 0.5, 1, 1], [0, 1, 1, 0], [1]), 4);
    expect(h.all).toEqual([1, 0, 1, 2]);
    expect(h.notTrained).toEqual([0, 0, 1, 1]);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(histogram(result([0, 0.5, 1, 1], [0, 1, 1, 0], [], [0]), 4).notTrained).toEqual([1, 0, 0, 1]);
  });

  it('name where each image comes from: its file’s path in the scored folder, or its place in a built-in set', () => {
    const folder = { ...result([0.1, 0.2], [0, 1]), datasetId: folderDatasetId('/home/me/icons/', { height: 28, width: 28, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'white' }), files: ['apps/a.png', 'places/b c.png'] };
    expect(imageSource(folder, 1)).toBe('/home/me/icons/places/b c.png');
    expect(imageSource({ ...result([0.1, 0.2], [0, 1]), indices: [17, 40] }, 1)).toBe('Fashion-MNIST, validation image #40');
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
    expect(b.callsTo('model:score')).toEqual([{ runId: 'r1', checkpoint: 'best', extremes: 24, jobId: expect.stringMatching(/^score-/) }]);
    expect(app.state.score).toMatchObject({ progress: null, error: null, result: { count: 3 } });
    expect(app.state.score.threshold).toBe(0.3);
  });

  it('a score of the weights used before is not shown once other weights are chosen', async () => {
    const b = new FakeBackend();
    b.handle('runs:list', () => [runSummary({ id: 'r1' })]);
    b.handle('model:info', ({ runId, checkpoint }) => ({ runId, runName: runId, checkpoint: checkpoint ?? 'best', epoch: 1, codeSize: 2, variational: false, height: 1, width: 1, channels: 1, classNames: ['a', 'b'], datasetId: 'builtin:fashion-mnist', datasetName: 'F', count: 3 }));
    let answer: (r: ScoreResult) => void = () => {};
    b.handle('model:score', () => new Promise<ScoreResult>((resolve) => (answer = resolve)));
    app = await createTestApp(b);
    await app.state.openModelView('score', 'r1');
    const scoring = app.state.runScore(null);
    await expect.poll(() => b.callsTo('model:score')).toHaveLength(1);
    await app.state.setExploreCheckpoint('last');
    answer(result([0.3, 0.1, 0.2], [0, 1, 0]));
    await scoring;
    expect(app.state.explore.checkpoint).toBe('last');
    expect(app.state.score.result).toBeNull();
  });

  it('Cancel stops the scoring under way by its job id: the progress goes, with no error, and nothing is left to cancel', async () => {
    const b = new FakeBackend();
    b.handle('runs:list', () => [runSummary({ id: 'r1' })]);
    b.handle('model:info', ({ runId }) => ({ runId, runName: runId, checkpoint: 'best', epoch: 1, codeSize: 2, variational: false, height: 1, width: 1, channels: 1, classNames: ['a', 'b'], datasetId: 'builtin:fashion-mnist', datasetName: 'F', count: 3 }));
    let reject: (err: Error) => void = () => {};
    b.handle('model:score', () => new Promise<ScoreResult>((_, no) => (reject = no)));
    b.handle('jobs:cancel', () => {
      reject(Object.assign(new Error('score was cancelled'), { code: 'cancelled' }));
      return { cancelled: true };
    });
    app = await createTestApp(b);
    await app.state.openModelView('score', 'r1');
    const scoring = app.state.runScore(null);
    await expect.poll(() => b.callsTo('model:score')).toHaveLength(1);
    expect(app.state.score.progress).not.toBeNull();
    await app.state.cancelScore();
    await scoring;
    expect(b.callsTo('jobs:cancel')).toEqual([{ jobId: b.callsTo('model:score')[0]!.jobId }]);
    expect(app.state.score).toMatchObject({ progress: null, error: null, result: null });
    // Nothing is under way any more: a second Cancel asks nothing.
    await app.state.cancelScore();
    expect(b.callsTo('jobs:cancel')).toHaveLength(1);
  });

  it('the largest of many errors, without overflowing the stack', () => {
    const errors = Array.from({ length: 200_000 }, (_, i) => (i % 1000) / 1000);
    expect(largest(errors)).toBe(0.999);
  });

  it('the run’s own folder is scored with the run’s settings (its validation split), another folder at the model’s size', () => {
    const own = folderDatasetId('/data/cats', { height: 32, width: 32, channels: 3, fit: 'contain', validationSplit: 0.2, seed: 7, background: 'white' }, [0, 1]);
    const info = { height: 32, width: 32, channels: 3, datasetId: own };
    expect(folderIdFor('/data/cats/', info)).toBe(folderDatasetId('/data/cats', { height: 32, width: 32, channels: 3, fit: 'contain', validationSplit: 0.2, seed: 7, background: 'white' }));
    // Another folder is read as the model's own images were: the run's fit and background too.
    expect(folderIdFor('/data/dogs', info)).toBe(folderDatasetId('/data/dogs', { height: 32, width: 32, channels: 3, fit: 'contain', validationSplit: 0.2, seed: 7, background: 'white' }));
    const onBlack = folderDatasetId('/data/icons', { height: 32, width: 32, channels: 3, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'black' });
    expect(folderIdFor('/data/dogs', { ...info, datasetId: onBlack })).toBe(folderDatasetId('/data/dogs', { height: 32, width: 32, channels: 3, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'black' }));
    // A model that takes alpha (4 channels) reads folders with their alpha kept.
    expect(folderIdFor('/data/dogs', { height: 8, width: 8, channels: 4, datasetId: 'builtin:fashion-mnist' })).toBe(folderDatasetId('/data/dogs', { height: 8, width: 8, channels: 3, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'alpha' }));
  });
});
