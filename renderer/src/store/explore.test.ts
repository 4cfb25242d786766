import { afterEach, describe, expect, it } from 'vitest';
import type { ImageBatch, LatentMap, ModelInfo } from '../../../core/api';
import { ApiError } from '../../../core/apiChannels';
import { createTestApp, FakeBackend, runSummary, type TestApp } from '../testing/testApp';
import { mapMarks, samplesStale } from './exploreSlice';

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
    await expect.poll(() => b.callsTo('model:map').filter((r) => r.method === 'umap')).toHaveLength(1);
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
    await expect.poll(() => b.callsTo('model:map').filter((r) => r.method === 'tsne')).toHaveLength(1);
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
    await app.state.selectImage(1);
    expect(app.state.explore.point?.index).toBe(1);
    app.state.setEnd('a', { label: 'b #1', end: { index: 1 } });
    app.state.setEnd('b', { label: 'place', end: { code: [2, 2] } });
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

  it('picks and the selection are images: they follow their points when the projection changes', async () => {
    const b = backendWithRuns();
    // Another projection puts the same images elsewhere, and t-SNE may show only a sample of them.
    b.handle('model:map', ({ runId, method }) =>
      method === 'pca'
        ? { ...map(runId, 'pca'), raw: false }
        : method === 'umap'
          ? { ...map(runId, 'umap'), x: [10, 20, 30], y: [-5, -6, -7], plane: null, raw: false }
          : { ...map(runId, 'tsne'), x: [40, 50], y: [4, 5], indices: [2, 0], labels: [0, 0], errors: [0.03, 0.01], codes: [2, 0, 0, 0], images: images(2), plane: null, raw: false },
    );
    b.handle('model:point', ({ index }) => ({ index, label: 0, file: null, error: 0.01, images: images(2), code: [0, 0] }));
    app = await createTestApp(b);
    await app.state.openExplore('r-new');
    await app.state.selectImage(1);
    app.state.setEnd('a', { label: 'a #0', end: { index: 0 } });
    app.state.setEnd('b', { label: 'a place on the map', end: { code: [1.5, 0.5] } });
    app.state.setBrushed([0, 2]);
    const marks = () => mapMarks(app!.state.explore).map((m) => [m.label, ...m.at]);
    expect(marks()).toEqual([['', 1, 1], ['A', 0, 0], ['B', 1.5, 0.5]]);

    await app.state.setExploreMethod('umap');
    expect(app.state.explore).toMatchObject({ map: { method: 'umap' }, selected: 1, brushed: [0, 2], tab: 'selection' });
    // A and the picked image where UMAP puts their images; B, a place of the PCA plane, has no place on a map without an inverse.
    expect(marks()).toEqual([['', 20, -6], ['A', 10, -5]]);

    await app.state.setExploreMethod('tsne');
    expect(app.state.explore).toMatchObject({ selected: 1, brushed: [0, 2] });
    // Image 1 is not in t-SNE's sample: not drawn anywhere else instead.
    expect(marks()).toEqual([['A', 50, 5]]);

    await app.state.setExploreMethod('pca');
    expect(marks()).toEqual([['', 1, 1], ['A', 0, 0], ['B', 1.5, 0.5]]);
    expect(app.state.explore.brushed).toEqual([0, 2]);
  });

  it('another checkpoint of the run keeps the images picked; a code picked on the old latent space goes', async () => {
    const b = backendWithRuns();
    b.handle('model:point', ({ index }) => ({ index, label: 0, file: null, error: 0.01, images: images(2), code: [0, 0] }));
    app = await createTestApp(b);
    await app.state.openExplore('r-new');
    await app.state.selectImage(2);
    app.state.setEnd('a', { label: 'a #0', end: { index: 0 } });
    app.state.setEnd('b', { label: 'a place on the map', end: { code: [1, 1] } });
    app.state.setBrushed([1]);
    await app.state.setExploreCheckpoint('last');
    await app.idle();
    expect(app.state.explore).toMatchObject({ checkpoint: 'last', selected: 2, brushed: [1], a: { end: { index: 0 } }, b: null, point: { index: 2 } });
    expect(b.callsTo('model:point').at(-1)).toEqual({ runId: 'r-new', checkpoint: 'last', index: 2 });
    // Another run: nothing of the old one is kept.
    await app.state.openExplore('r-untrained');
    expect(app.state.explore).toMatchObject({ selected: null, brushed: [], a: null, b: null });
  });

  it('the sample grid says it is stale once the seed or the temperature changes, until sampled again', async () => {
    const b = backendWithRuns();
    b.handle('model:sample', ({ count }) => ({ images: images(count), codes: [], source: 'prior', note: null }));
    app = await createTestApp(b);
    await app.state.openExplore('r-new');
    expect(samplesStale(app.state.explore)).toBe(false);
    await app.state.drawSamples();
    expect(samplesStale(app.state.explore)).toBe(false);
    app.state.setSampling({ temperature: 0.5 });
    expect(samplesStale(app.state.explore)).toBe(true);
    app.state.setSampling({ temperature: 1 });
    expect(samplesStale(app.state.explore)).toBe(false);
    app.state.setSampling({ seed: 9 });
    expect(samplesStale(app.state.explore)).toBe(true);
    await app.state.drawSamples();
    expect(samplesStale(app.state.explore)).toBe(false);
    expect(app.state.explore.sampledWith).toEqual({ seed: 9, temperature: 1 });
  });
});

describe('the run pickers of Explore, Anomalies and the Lab', () => {
  it('list a run trained meanwhile (from the CLI too) and preselect it, without the Runs view being visited', async () => {
    const b = backendWithRuns();
    // Run ids sort by when they started.
    const [OLD, CLI] = ['20261130T100000Z-k3f9', '20261201T090000Z-a1b2'];
    let runs = [runSummary({ id: OLD, name: 'Old run' })];
    b.handle('runs:list', () => runs);
    app = await createTestApp(b);
    await app.state.openModelView('score');
    expect(app.state.explore.runId).toBe(OLD);
    app.state.setView('editor');
    // Trained from the CLI: no event reaches the window, the list is read when a view opens.
    runs = [runSummary({ id: CLI, name: 'From the CLI' }), ...runs];
    await app.state.openModelView('lab');
    expect(app.state.runs.map((r) => r.id)).toEqual([CLI, OLD]);
    expect(app.state.explore.runId).toBe(CLI);
  });

  it('keep the run the user chose while nothing newer has trained', async () => {
    const b = backendWithRuns();
    b.handle('runs:list', () => [runSummary({ id: 'r-2' }), runSummary({ id: 'r-1' })]);
    app = await createTestApp(b);
    await app.state.openExplore();
    expect(app.state.explore.runId).toBe('r-2');
    // The picker: an older run.
    await app.state.openModelView('explore', 'r-1');
    app.state.setView('editor');
    await app.state.openModelView('score');
    await app.state.openExplore();
    expect(app.state.explore.runId).toBe('r-1');
  });

  it('keep a run deleted meanwhile (the view says why it cannot be used) rather than jump to an older one', async () => {
    const b = backendWithRuns();
    let runs = [runSummary({ id: 'r-2' }), runSummary({ id: 'r-1' })];
    b.handle('runs:list', () => runs);
    app = await createTestApp(b);
    await app.state.openExplore();
    expect(app.state.explore.runId).toBe('r-2');
    runs = [runSummary({ id: 'r-1' })];
    app.state.setView('runs');
    await app.state.openExplore();
    expect(app.state.explore.runId).toBe('r-2');
  });

  it('follow training live while a view that uses a model is open', async () => {
    const b = backendWithRuns();
    let runs = [runSummary({ id: 'r-old' })];
    b.handle('runs:list', () => runs);
    app = await createTestApp(b);
    await app.state.openModelView('lab');
    runs = [runSummary({ id: 'r-live', status: 'running', epochsDone: 1, epochs: 5 }), ...runs];
    b.train({ type: 'epoch-end', runId: 'r-live', epoch: 1, step: 10, loss: 0.3, val_loss: 0.31, metrics: { loss: 0.3, val_loss: 0.31 }, samplesPerSec: 100, elapsedMs: 1000, latent: null, recon: null, best_val_loss: 0.31, improved: true });
    await expect.poll(() => app!.state.runs.map((r) => r.id)).toEqual(['r-live', 'r-old']);
    // Listed, not forced on the user: the view keeps its run until it is opened again.
    expect(app.state.explore.runId).toBe('r-old');
  });
});
