/**
 * Cancelling long model jobs (issue 24): a score of a large folder cancelled mid-way rejects with
 * code 'cancelled' at once and the inference worker answers the next call; inside the worker, a
 * cancelled score stops at its next batch. Real data: the undercomplete template, 1 epoch on 1,024
 * built-in Fashion-MNIST images; a folder of those 1,024 images as PNGs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDatasetId, folderDatasetId } from '../../core/data/datasetId';
import type { Preprocessing } from '../../core/data/preprocessing';
import { buildTemplate } from '../../core/templates';
import { loadDataset } from './datasets';
import { MAP_MAX_IMAGE_BYTES, MAP_MAX_POINTS } from './modelProtocol';
import { ModelService } from './models';
import { BottleneckBackend } from './service';
import { writePngFolder } from './testImages';
import { trainToEnd } from './trainToEnd';

process.env.BOTTLENECK_HOME = mkdtempSync(join(tmpdir(), 'jobs-home-'));
const root = mkdtempSync(join(tmpdir(), 'jobs-runs-'));
const folder = mkdtempSync(join(tmpdir(), 'jobs-folder-'));
const DATA = builtinDatasetId('fashion-mnist', { train: 1024 });
const SETTINGS: Preprocessing = { height: 28, width: 28, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'white' };
let backend: BottleneckBackend;
let runId: string;

const errorOf = (call: Promise<unknown>) => call.then(() => null, (err: Error & { code?: string }) => err);

beforeAll(async () => {
  backend = new BottleneckBackend({ shell: 'cli', runsRoot: root, graphsRoot: join(root, 'graphs'), settingsPath: join(root, 'settings.json') });
  const graph = buildTemplate('undercomplete');
  graph.training = { ...graph.training, epochs: 1, seed: 1 };
  runId = await trainToEnd(backend, graph, DATA);
  const images = loadDataset(DATA).train.images;
  await writePngFolder(folder, { a: images.subarray(0, 512 * 784), b: images.subarray(512 * 784, 1024 * 784) }, 28, 28, 1);
}, 180_000);

afterAll(() => backend.dispose());

describe('jobs:cancel', () => {
  it('cancels a score of a large folder mid-way: it rejects with "cancelled" at once, and the worker answers the next call', async () => {
    const underWay = new Promise<void>((resolve) => backend.on((e) => e.type === 'job-progress' && e.job === 'score' && e.done > 0 && resolve()));
    const outcome = errorOf(backend.invoke('model:score', { runId, datasetId: folderDatasetId(folder, SETTINGS), jobId: 'score-1' }));
    await underWay;
    const asked = performance.now();
    expect(await backend.invoke('jobs:cancel', { jobId: 'score-1' })).toEqual({ cancelled: true });
    const err = await outcome;
    expect(performance.now() - asked).toBeLessThan(1000);
    expect(err?.code).toBe('cancelled');
    expect(await backend.invoke('jobs:cancel', { jobId: 'score-1' })).toEqual({ cancelled: false });
    const next = await backend.invoke('model:score', { runId });
    expect(next.count).toBe(loadDataset(DATA).validation.count);
  });

  it('a cancelled score stops at its next batch inside the worker', async () => {
    const service = new ModelService(2 ** 28);
    const controller = new AbortController();
    let batches = 0;
    const progress = (phase: string) => {
      if (phase !== 'scoring') return;
      batches++;
      controller.abort();
    };
    const err = await errorOf(service.run('score', backend.modelSource({ runId }), { datasetId: null, extremes: 4 }, progress, controller.signal));
    expect(err?.code).toBe('cancelled');
    // 1,000 validation images are 8 batches of 128: the one before the cancel was the last.
    expect(batches).toBe(1);
  });

  it('work shared with a job that is cancelled is done again for the job still waiting on it', async () => {
    const service = new ModelService(2 ** 28);
    const source = backend.modelSource({ runId });
    const controller = new AbortController();
    // The map's points are encoded once for both: the map (cancelled at its first batch) and the traversal.
    const map = errorOf(service.run('mapBase', source, { maxPoints: MAP_MAX_POINTS, maxImageBytes: MAP_MAX_IMAGE_BYTES }, () => controller.abort(), controller.signal));
    const traversal = service.run('traverse', source, { steps: 3, range: 2 });
    expect((await map)?.code).toBe('cancelled');
    expect((await traversal).rows).toHaveLength(8);
  });

  it('cancels a folder scan by its job id: it rejects with "cancelled", and the next scan of the folder completes', async () => {
    const started = new Promise<void>((resolve) => backend.on((e) => e.type === 'scan-progress' && e.path === folder && resolve()));
    const outcome = errorOf(backend.invoke('datasets:scan', { path: folder, jobId: 'scan-1' }));
    await started;
    expect(await backend.invoke('jobs:cancel', { jobId: 'scan-1' })).toEqual({ cancelled: true });
    expect((await outcome)?.code).toBe('cancelled');
    expect((await backend.invoke('datasets:scan', { path: folder })).counts).toEqual({ a: 512, b: 512 });
  });

  it('says false for a job id that names nothing running', async () => {
    expect(await backend.invoke('jobs:cancel', { jobId: 'nothing' })).toEqual({ cancelled: false });
  });
});
