import { afterEach, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../../core/train/events';
import { createTestApp, FakeBackend, memoryStorage, runDetail, runSummary, type TestApp } from '../testing/testApp';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const started = (runId: string, epochs = 3, stepsPerEpoch = 1): TrainEvent => ({
  type: 'run-started',
  runId,
  startEpoch: 0,
  backend: 'cpu',
  threads: 2,
  epochs,
  stepsPerEpoch,
  trainCount: 40,
  validationCount: 10,
  classNames: ['a', 'b'],
  totalParams: 100,
  codeSize: 2,
});

const epochEnd = (runId: string, epoch: number, extra: Partial<Extract<TrainEvent, { type: 'epoch-end' }>> = {}): TrainEvent => ({
  type: 'epoch-end',
  runId,
  epoch,
  step: epoch,
  loss: 0.5 / epoch,
  val_loss: 0.6 / epoch,
  metrics: { loss: 0.5 / epoch, recon_loss: 0.4 / epoch, kl_loss: 0.1 / epoch, sparsity_loss: 0, val_loss: 0.6 / epoch, val_recon_loss: 0.5 / epoch, val_kl_loss: 0.1 / epoch, val_sparsity_loss: 0 },
  samplesPerSec: 1000,
  elapsedMs: 1000 * epoch,
  latent: null,
  recon: null,
  best_val_loss: 0.6 / epoch,
  improved: true,
  ...extra,
});

describe('graph edits in the store', () => {
  it('a template load is one undo step, and undo brings the previous graph back', async () => {
    app = await createTestApp();
    const before = app.state.doc;
    app.state.loadTemplate('variational');
    expect(app.state.doc.name).toBe('Variational autoencoder (VAE)');
    expect(app.state.history.past).toHaveLength(1);
    app.state.undo();
    expect(app.state.doc).toBe(before);
    app.state.redo();
    expect(app.state.doc.name).toBe('Variational autoencoder (VAE)');
  });

  it('typing in one field is one undo step; another field starts a new one', async () => {
    app = await createTestApp();
    const start = app.state.doc;
    const dense = start.nodes.find((n) => n.kind === 'Dense')!;
    for (const units of [6, 64, 640]) app.state.setParam(dense.id, 'units', units, `${dense.id}.units`);
    app.state.endEdit();
    app.state.setTraining({ epochs: 9 }, 'training.epochs');
    expect(app.state.history.past).toHaveLength(2);
    app.state.undo();
    expect(app.state.doc.nodes.find((n) => n.id === dense.id)!.params.units).toBe(640);
    app.state.undo();
    expect(app.state.doc).toBe(start);
  });
});

describe('training events reach the dashboard of the run this window started', () => {
  it('follows its run by the id train:start replied with and ignores every other run', async () => {
    const backend = new FakeBackend();
    // The backend's first events can come before its reply: they wait for the reply, then apply.
    backend.handle('train:start', () => {
      backend.train(started('other-run'));
      backend.train(started('mine', 4, 2));
      return { runId: 'mine', name: 'My model', queuePosition: 0 };
    });
    app = await createTestApp(backend);
    await app.state.startTraining();
    expect(app.state.training).toMatchObject({ runId: 'mine', runName: 'My model', status: 'running', epochs: 4, stepsPerEpoch: 2, threads: 2 });

    backend.train({ type: 'batch-end', runId: 'mine', epoch: 1, batch: 1, step: 1, loss: 0.7, samplesPerSec: 500, elapsedMs: 100 });
    backend.train({ type: 'batch-end', runId: 'other-run', epoch: 1, batch: 1, step: 1, loss: 99, samplesPerSec: 1, elapsedMs: 100 });
    backend.train(epochEnd('other-run', 1));
    backend.train({ type: 'run-finished', runId: 'other-run', epochs: 1, loss: 1, val_loss: 1, best_val_loss: 1, elapsedMs: 1, stoppedEarly: false });
    expect(app.state.training.batchLoss).toEqual([[0.5, 0.7]]);
    expect(app.state.training.status).toBe('running');

    // The reconstructions are labelled with the epoch they were made at, not the one under way.
    const recon = { height: 1, width: 1, channels: 1, originals: [[0]], reconstructions: [[0]], labels: [0] };
    backend.train(epochEnd('mine', 1, { recon }));
    backend.train({ type: 'batch-end', runId: 'mine', epoch: 2, batch: 1, step: 3, loss: 0.5, samplesPerSec: 500, elapsedMs: 200 });
    expect(app.state.training).toMatchObject({ epoch: 2, epochsDone: 1, reconEpoch: 1 });
    // Every loss term, train and validation, is kept per epoch for the live chart.
    expect(app.state.training.epochMetrics.kl_loss).toEqual([[1, 0.1]]);
    expect(app.state.training.epochMetrics.val_recon_loss).toEqual([[1, 0.5]]);
  });

  it('a run continued from the Runs view does not take over a dashboard that is starting another', async () => {
    const backend = new FakeBackend();
    let reply: (v: { runId: string; name: string; queuePosition: number }) => void = () => {};
    backend.handle('train:start', () => new Promise((resolve) => (reply = resolve)));
    app = await createTestApp(backend);
    const starting = app.state.startTraining();
    await expect.poll(() => backend.callsTo('train:start')).toHaveLength(1);
    expect(app.state.training.status).toBe('starting');
    backend.train(started('continued-elsewhere'));
    backend.train(epochEnd('continued-elsewhere', 1));
    reply({ runId: 'mine', name: 'Mine', queuePosition: 1 });
    await starting;
    expect(app.state.training).toMatchObject({ runId: 'mine', status: 'queued', epochMetrics: {} });
  });

  it('Stop on a run whose epochs are one batch each: stopping, then stopped with the finished epochs', async () => {
    const backend = new FakeBackend();
    app = await createTestApp(backend);
    await app.state.startTraining();
    const runId = app.state.training.runId!;
    backend.train(started(runId, 50, 1));
    backend.train(epochEnd(runId, 1));
    app.state.runCommand('stop');
    expect(app.state.training.status).toBe('stopping');
    await app.idle();
    expect(backend.callsTo('train:stop')).toEqual([{ runId }]);
    // A batch that was already under way still reports; the status stays "stopping".
    backend.train(epochEnd(runId, 2));
    expect(app.state.training.status).toBe('stopping');
    backend.train({ type: 'run-stopped', runId, epochs: 2, loss: 0.25, val_loss: 0.3, elapsedMs: 2000 });
    expect(app.state.training).toMatchObject({ status: 'stopped', epochsDone: 2 });
    expect(app.state.training.message).toMatch(/Stopped after 2 finished epochs/);
  });

  it('a Stop the backend refuses (the run had ended) tells the user and reads the run again', async () => {
    const backend = new FakeBackend();
    app = await createTestApp(backend);
    await app.state.startTraining();
    const runId = app.state.training.runId!;
    backend.train(started(runId));
    backend.handle('train:stop', () => ({ stopping: false }));
    backend.handle('runs:detail', () => runDetail(runSummary({ id: runId, status: 'finished', epochsDone: 3, epochs: 3 })));
    await app.state.stopTraining();
    expect(app.state.notice?.text).toMatch(/Could not stop run/);
    expect(app.state.training.status).toBe('finished');
  });

  it('after a lost connection, a run that ended meanwhile is shown ended (a missed run-finished)', async () => {
    const backend = new FakeBackend();
    app = await createTestApp(backend);
    await app.state.startTraining();
    const runId = app.state.training.runId!;
    backend.train(started(runId, 2));
    backend.emit({ type: 'connection', connected: false });
    expect(app.state.connected).toBe(false);
    // run-finished is sent while the socket is down: this window never hears it.
    backend.handle('runs:detail', () =>
      runDetail(runSummary({ id: runId, name: 'Run 1', status: 'finished', epochsDone: 2, epochs: 2, best_val_loss: 0.3 }), {
        metrics: [
          { t: 1, epoch: 1, step: 1, key: 'epoch_loss', value: 0.5 },
          { t: 1, epoch: 1, step: 1, key: 'val_loss', value: 0.6 },
          { t: 2, epoch: 2, step: 2, key: 'val_loss', value: 0.3 },
        ],
      }),
    );
    backend.emit({ type: 'connection', connected: true });
    await expect.poll(() => app!.state.training).toMatchObject({ runId, status: 'finished', epochsDone: 2 });
    expect(app.state.connected).toBe(true);
    expect(app.state.training.epochMetrics.val_loss).toEqual([
      [1, 0.6],
      [2, 0.3],
    ]);
    expect(backend.callsTo('app:info')).toHaveLength(2);
  });

  it('loading a template clears the last run from the dashboard; a run graph reopened shows that run', async () => {
    const backend = new FakeBackend();
    app = await createTestApp(backend);
    await app.state.startTraining();
    const runId = app.state.training.runId!;
    backend.train(started(runId, 1));
    backend.train(epochEnd(runId, 1));
    backend.train({ type: 'run-finished', runId, epochs: 1, loss: 0.5, val_loss: 0.6, best_val_loss: 0.6, elapsedMs: 1000, stoppedEarly: false });
    app.state.loadTemplate('sparse');
    expect(app.state.training.status).toBe('idle');
    expect(app.state.training.runId).toBeNull();

    const summary = runSummary({ id: 'stored-1', name: 'Stored one', status: 'stopped', epochsDone: 1, epochs: 5 });
    backend.handle('runs:detail', () => runDetail(summary, { graph: app!.state.doc, latentEpochs: [1] }));
    backend.handle('runs:latent', () => ({ method: 'pca', x: [1], y: [2], labels: [0] }));
    await app.state.openRunGraph('stored-1');
    await expect.poll(() => app!.state.training).toMatchObject({ runId: 'stored-1', runName: 'Stored one', source: 'stored', status: 'stopped', latentEpoch: 1 });
    expect(app.state.training.message).toMatch(/Stopped after 1 epoch of 5/);
  });
});

describe('where to train', () => {
  it('setBackendPreference asks the backend, then shows the backend it chose and the choice', async () => {
    const gpu = { name: 'webgpu', skipped: [{ name: 'tfjs-node-gpu', reason: 'not installed' }], adapter: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080', fallback: false } };
    app = await createTestApp(new FakeBackend().handle('app:set-backend-preference', () => gpu));
    expect(app.state.info?.backendPreference).toBe('auto');
    await app.state.setBackendPreference('gpu');
    expect(app.backend.callsTo('app:set-backend-preference')).toEqual([{ preference: 'gpu' }]);
    expect(app.state.backend).toEqual(gpu);
    expect(app.state.info?.backendPreference).toBe('gpu');
  });

  it('a refusal (a run trains) leaves the backend as it was and says why', async () => {
    app = await createTestApp(
      new FakeBackend().handle('app:set-backend-preference', () => {
        throw new Error('run r1 is training: change where to train once it ends');
      }),
    );
    const before = app.state.backend;
    await app.state.setBackendPreference('cpu');
    expect(app.state.backend).toBe(before);
    expect(app.state.info?.backendPreference).toBe('auto');
    expect(app.state.notice).toMatchObject({ kind: 'error', text: 'Cannot change where to train: run r1 is training: change where to train once it ends' });
  });
});

describe('choosing a dataset', () => {
  it('images of the shape the graph takes leave it as it was and saved: a template then loads without asking', async () => {
    app = await createTestApp();
    const before = app.state.doc;
    app.state.chooseDataset({ id: 'builtin:fashion-mnist?classes=0,2,3', name: 'Fashion-MNIST · 3 of 10 classes', height: 28, width: 28, channels: 1, classNames: ['a', 'b', 'c', 'd'], counts: null, path: null });
    expect(app.state.doc).toBe(before);
    expect(app.state.dataset?.id).toBe('builtin:fashion-mnist?classes=0,2,3');
    expect(app.state.notice?.text).toContain('already takes');
    app.state.loadTemplate('sparse');
    expect(app.state.pendingConfirm).toBeNull();
    expect(app.state.doc.name).toContain('Sparse');
  });

  it('a remembered choice of classes of a built-in set is restored', async () => {
    const saved = { id: 'builtin:fashion-mnist?classes=0,1', name: 'Fashion-MNIST · 2 of 10 classes', height: 28, width: 28, channels: 1, classNames: ['T-shirt/top', 'Trouser'], counts: null, path: null };
    const storage = memoryStorage();
    storage.setItem('bottleneck.dataset', JSON.stringify(saved));
    app = await createTestApp(new FakeBackend(), storage);
    expect(app.state.dataset?.id).toBe(saved.id);
  });
});

describe('exporting a model', () => {
  it('sends the run, format, weights and folder; shows where the files went, or why not', async () => {
    const b = new FakeBackend();
    const requests: unknown[] = [];
    b.handle('model:export', (r) => {
      requests.push(r);
      if (r.path === '/full') throw new Error('/full is not empty: export into a new or empty folder');
      return { dir: r.path ?? '/ws/exports/run-onnx', files: ['README.md', 'autoencoder.onnx'], checkpoint: 'best', epoch: 3 };
    });
    app = await createTestApp(b);
    app.state.openExport({ id: 'r1', name: 'My run' });
    await app.state.exportModel({ format: 'onnx', checkpoint: 'best', path: null });
    expect(requests[0]).toEqual({ runId: 'r1', format: 'onnx', checkpoint: 'best' });
    expect(app.state.exporting.result?.dir).toBe('/ws/exports/run-onnx');
    await app.state.exportModel({ format: 'pytorch', checkpoint: 'last', path: '/full' });
    expect(requests[1]).toEqual({ runId: 'r1', format: 'pytorch', checkpoint: 'last', path: '/full' });
    expect(app.state.exporting.error).toBe('/full is not empty: export into a new or empty folder');
    expect(app.state.exporting.result).toBeNull();
    app.state.openExport(null);
    expect(app.state.exporting.runId).toBeNull();
  });
});
