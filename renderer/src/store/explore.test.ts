import { afterEach, describe, expect, it } from 'vitest';
import type { ImageBatch, LatentMap, ModelInfo } from '../../../core/api';
import { ApiError } from '../../../core/apiChannels';
import { createTestApp, FakeBackend, runSummary, type TestApp } from '../testing/testApp';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const info = (runId: string, patch: Partial<ModelInfo> = {}): ModelInfo => ({
  runId,
  runName: runId,
  checkpoint: 'best',
  epoch: 2,
  codeSize: 2,
  variational: true,
  height: 2,
  width: 2,
  channels: 1,
  classNames: ['a', 'b'],
  datasetId: 'builtin:fashion-mnist',
  datasetName: 'Fashion-MNIST',
  count: 3,
  ...patch,
});

const images = (count: number): ImageBatch => ({ count, height: 2, width: 2, channels: 1, pixels: btoa(String.fromCharCode(...new Array(count * 4).fill(7))) });

const map = (runId: string, method: LatentMap['method'] = 'pca'): LatentMap => ({
  runId,
  epoch: 2,
  method,
  x: [0, 1, 2],
  y: [0, 1, 0],
  labels: [0, 1, 0],
  indices: [0, 1, 2],
  errors: [0.01, 0.02, 0.03],
  files: null,
  images: images(3),
  codes: [0, 0, 1, 1, 2, 0],
  codeSize: 2,
  plane: { mean: [0, 0], axes: [[1, 0], [0, 1]] },
  raw: true,
  fromCache: false,
  note: null,
});

function backendWithRuns(): FakeBackend {
  const b = new FakeBackend();
  b.handle('runs:list', () => [runSummary({ id: 'r-new', epochsDone: 2 }), runSummary({ id: 'r-untrained', epochsDone: 0 })]);
  b.handle('model:info', ({ runId }) => info(runId));
  b.handle('model:map', ({ runId, method }) => map(runId, method));
  return b;
}

describe('Explore in the store', () => {
  it('opens on the newest run that has trained, with its model and PCA map', async () => {
    const b = backendWithRuns();
    app = await createTestApp(b);
    await app.state.openExplore();
    expect(app.state.view).toBe('explore');
    expect(app.state.explore).toMatchObject({ runId: 'r-new', info: { codeSize: 2 }, map: { method: 'pca' }, mapping: null, error: null });
    // A VAE interpolates on the sphere by default.
    expect(app.state.explore.path).toBe('spherical');
  });

  it('says why a run cannot be explored, in the view', async () => {
    const b = backendWithRuns();
    b.handle('model:info', ({ runId }) => {
      throw new ApiError(`run ${runId} has no checkpoint yet: it has not finished an epoch`);
    });
    app = await createTestApp(b);
    await app.state.openExplore('r-untrained');
    expect(app.state.explore.error).toBe('run r-untrained has no checkpoint yet: it has not finished an epoch');
    expect(app.state.explore.map).toBeNull();
  });

  it("shows a UMAP map's progress and drops it when cancelled", async () => {
    const b = backendWithRuns();
    let reject: (e: Error) => void = () => {};
    b.handle('model:map', ({ runId, method }) => (method === 'pca' ? map(runId) : new Promise((_, r) => (reject = r))));
    b.handle('model:cancel-map', () => {
      reject(new ApiError('cancelled', 'cancelled'));
      return { cancelled: true };
    });
    app = await createTestApp(b);
    await app.state.openExplore('r-new');
    const umap = app.state.setExploreMethod('umap');
    await app.settle();
    b.emit({ type: 'job-progress', job: 'r-new:best:umap', runId: 'r-new', phase: 'optimizing', done: 50, total: 200 });
    expect(app.state.explore.mapping).toMatchObject({ method: 'umap', phase: 'optimizing', done: 50, total: 200 });
    await app.state.cancelExploreMap();
    await umap;
    expect(app.state.explore.mapping).toBeNull();
    expect(app.state.explore.error).toBeNull();
    // The PCA map stays on screen.
    expect(app.state.explore.map?.method).toBe('pca');
  });

  it('a map that arrives after the user moved on is not shown', async () => {
    const b = backendWithRuns();
    let finish: (m: LatentMap) => void = () => {};
    b.handle('model:map', ({ runId, method }) => (method === 'tsne' ? new Promise((resolve) => (finish = resolve)) : map(runId, method)));
    app = await createTestApp(b);
    await app.state.openExplore('r-new');
    const slow = app.state.setExploreMethod('tsne');
    await app.settle();
    await app.state.setExploreMethod('umap');
    finish(map('r-new', 'tsne'));
    await slow;
    expect(app.state.explore.map?.method).toBe('umap');
  });

  it('picks a point, uses it as an end, interpolates and samples with the seed and temperature chosen', async () => {
    const b = backendWithRuns();
    b.handle('model:point', ({ index }) => ({ index, label: 0, file: null, error: 0.01, images: images(2), code: [0, 0] }));
    b.handle('model:interpolate', ({ steps }) => ({ images: images(steps), codes: [] }));
    b.handle('model:sample', ({ count }) => ({ images: images(count), codes: [], source: 'prior', note: null }));
    app = await createTestApp(b);
    await app.state.openExplore('r-new');
    await app.state.selectPoint(1);
    expect(app.state.explore.point?.index).toBe(1);
    app.state.setEnd('a', { label: 'b #1', end: { index: 1 }, at: [1, 1] });
    app.state.setEnd('b', { label: 'place', end: { code: [2, 2] }, at: [2, 2] });
    app.state.setInterpolation({ steps: 7 });
    await app.state.interpolate();
    expect(app.state.explore.strip?.count).toBe(7);
    expect(b.callsTo('model:interpolate')).toEqual([{ runId: 'r-new', checkpoint: 'best', from: { index: 1 }, to: { code: [2, 2] }, steps: 7, path: 'spherical' }]);
    app.state.setSampling({ seed: 42, temperature: 0.7 });
    await app.state.drawSamples();
    expect(b.callsTo('model:sample')).toEqual([{ runId: 'r-new', checkpoint: 'best', count: 64, seed: 42, temperature: 0.7 }]);
    expect(app.state.explore.samples?.images.count).toBe(64);
  });

  it('a lasso selection opens the Selection tab with those points', async () => {
    app = await createTestApp(backendWithRuns());
    await app.state.openExplore('r-new');
    app.state.setBrushed([0, 2]);
    expect(app.state.explore).toMatchObject({ brushed: [0, 2], tab: 'selection' });
  });
});
