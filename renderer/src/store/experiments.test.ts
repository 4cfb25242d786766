/** The window's side of sweeps: start from the graph on screen, follow the experiment, Compare on its runs. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExperimentDetail, ExperimentSummary } from '../../../core/api';
import { createTestApp, FakeBackend, runDetail, runSummary, type TestApp } from '../testing/testApp';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const summary: ExperimentSummary = {
  id: '20261203T185935Z-7ez3',
  name: 'Sweep of bottleneck.units',
  status: 'running',
  createdAt: '2026-12-03T18:59:35Z',
  endedAt: null,
  datasetId: 'builtin:fashion-mnist',
  settings: [{ path: 'bottleneck.units', label: 'Code size', values: '2,4', numeric: true, logScale: false }],
  random: null,
  runCount: 2,
  doneCount: 1,
  activeRunId: 'run-b',
  error: null,
};

function detail(): ExperimentDetail {
  return {
    summary,
    runs: [
      { index: 0, values: { 'bottleneck.units': 2 }, runId: 'run-a', run: runSummary({ id: 'run-a', status: 'finished' }) },
      { index: 1, values: { 'bottleneck.units': 4 }, runId: 'run-b', run: runSummary({ id: 'run-b', status: 'running' }) },
    ],
  };
}

describe('sweeps in the window', () => {
  it('starts a sweep of the graph on screen and the chosen data, and opens its experiment with the results of the runs that ended', async () => {
    const backend = new FakeBackend();
    backend.handle('experiments:create', () => summary);
    backend.handle('experiments:detail', () => detail());
    backend.handle('runs:detail', ({ runId }) =>
      runDetail(runSummary({ id: runId }), { sampleEpochs: [1, 3], metrics: [1, 2, 3].map((epoch) => ({ t: epoch, epoch, step: epoch, key: 'val_loss', value: [0.3, 0.2, 0.25][epoch - 1]! })) }),
    );
    const grid = { height: 1, width: 1, channels: 1, originals: [[0]], reconstructions: [[9]], labels: [0] };
    backend.handle('runs:samples', () => grid);
    app = await createTestApp(backend);
    app.state.openSweep(true);
    expect(await app.state.startSweep({ rows: [{ setting: ' bottleneck.units ', values: '2,4' }], random: null })).toBeNull();
    const sent = backend.calls.find((c) => c.channel === 'experiments:create')!.request as { graph: unknown; datasetId: string; vary: unknown };
    expect(sent).toMatchObject({ graph: app.state.doc, datasetId: app.state.dataset!.id, vary: [{ setting: 'bottleneck.units', values: '2,4' }] });
    expect(app.state).toMatchObject({ sweepOpen: false, view: 'experiments', experimentId: summary.id });
    await app.idle();
    // Only the run that ended is read; its best validation loss is that of epoch 2.
    expect(backend.calls.filter((c) => c.channel === 'runs:detail').map((c) => (c.request as { runId: string }).runId)).toEqual(['run-a']);
    expect(app.state.experimentResults['run-a']).toMatchObject({ bestValLoss: 0.2, bestEpoch: 2, finalTerms: { val_loss: 0.25 } });
    // Its reconstructions are those of its last recorded epoch.
    expect(backend.calls.filter((c) => c.channel === 'runs:samples').map((c) => c.request)).toEqual([{ runId: 'run-a', epoch: 3 }]);
    expect(app.state.experimentRecons['run-a']).toEqual(grid);
  });

  it('keeps the dialog open with the refusal when the sweep cannot start', async () => {
    const backend = new FakeBackend();
    backend.handle('experiments:create', () => {
      throw new Error('bottleneck.units: 0 is out of bounds: Code size must be between 1 and 4096');
    });
    app = await createTestApp(backend);
    app.state.openSweep(true);
    expect(await app.state.startSweep({ rows: [{ setting: 'bottleneck.units', values: '0' }], random: { count: 3, seed: 1 } })).toMatch(/^bottleneck\.units: 0 is out of bounds/);
    expect(app.state).toMatchObject({ sweepOpen: true, view: 'editor' });
    expect(backend.calls.find((c) => c.channel === 'experiments:create')!.request).toMatchObject({ random: { count: 3, seed: 1 } });
  });

  it('Compare opens the Runs view on the experiment runs picked, at most six', async () => {
    app = await createTestApp();
    app.state.compareRuns(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(app.state.view).toBe('runs');
    expect(app.state.compared).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(app.state.notice?.text).toMatch(/up to 6 runs/);
  });

  it('a one-class study brings its per-class AUC table, asked for again only when another run has finished; any other experiment none', async () => {
    const backend = new FakeBackend();
    const oneClassSummary: ExperimentSummary = { ...summary, settings: [{ path: 'data.classes', label: 'Classes trained on', values: '0,1', numeric: false, logScale: false }] };
    let second: 'running' | 'finished' = 'running';
    const oneClassDetail = (): ExperimentDetail => ({
      summary: oneClassSummary,
      runs: [
        { index: 0, values: { 'data.classes': [0] }, runId: 'run-a', run: runSummary({ id: 'run-a', status: 'finished' }) },
        { index: 1, values: { 'data.classes': [1] }, runId: 'run-b', run: runSummary({ id: 'run-b', status: second }) },
      ],
    });
    backend.handle('experiments:detail', () => oneClassDetail());
    backend.handle('runs:detail', ({ runId }) => runDetail(runSummary({ id: runId })));
    const scores = () => [{ runId: 'run-a', normalClass: 0, seed: null, auc: 0.9 }, ...(second === 'finished' ? [{ runId: 'run-b', normalClass: 1, seed: null, auc: 0.7 }] : [])];
    backend.handle('experiments:one-class', ({ experimentId }) => ({ experimentId, datasetId: 'builtin:fashion-mnist', seeds: [null], rows: [], seedMeans: [], mean: null, std: null, scores: scores() }));
    app = await createTestApp(backend);
    const asked = () => backend.calls.filter((c) => c.channel === 'experiments:one-class').length;
    await app.state.openExperiment(summary.id);
    expect(asked()).toBe(1);
    expect(app.state.experimentOneClass?.scores.map((x) => x.runId)).toEqual(['run-a']);
    // Epochs of the second run: nothing new to score.
    await app.state.openExperiment(summary.id);
    expect(asked()).toBe(1);
    second = 'finished';
    await app.state.openExperiment(summary.id);
    expect(asked()).toBe(2);
    expect(app.state.experimentOneClass?.scores.map((x) => x.runId)).toEqual(['run-a', 'run-b']);
    // A sweep of the code size is no study.
    backend.handle('experiments:detail', () => ({ ...detail(), summary: { ...summary, id: '20261203T190000Z-abcd' } }));
    await app.state.openExperiment('20261203T190000Z-abcd');
    expect(asked()).toBe(2);
    expect(app.state.experimentOneClass).toBeNull();
  });
});
