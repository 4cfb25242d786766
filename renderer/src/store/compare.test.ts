import { afterEach, describe, expect, it } from 'vitest';
import type { LatentProjection, ReconstructionGrid } from '../../../core/api';
import { createTestApp, FakeBackend, runDetail, runSummary, type TestApp } from '../testing/testApp';
import { compareEpochData, DRAWING_PNG } from './compareSlice';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const latent = (runId: string, epoch: number) => ({ runId, epoch }) as unknown as LatentProjection;
const grid = (runId: string, epoch: number) => ({ runId, epoch }) as unknown as ReconstructionGrid;

/** Runs a (latent epochs 1, 2, 3) and b (1 and 3 only; no reconstructions). */
function compareBackend(): FakeBackend {
  const b = new FakeBackend();
  const a = runSummary({ id: 'run-a', epochsDone: 3 });
  const bb = runSummary({ id: 'run-b', epochsDone: 3 });
  b.handle('runs:list', () => [a, bb]);
  b.handle('runs:detail', ({ runId }) => (runId === 'run-a' ? runDetail(a, { latentEpochs: [1, 2, 3], sampleEpochs: [1, 2, 3] }) : runDetail(bb, { latentEpochs: [1, 3], sampleEpochs: [] })));
  b.handle('runs:latent', ({ runId, epoch }) => latent(runId, epoch));
  b.handle('runs:samples', ({ runId, epoch }) => grid(runId, epoch));
  return b;
}

async function comparing(b = compareBackend()): Promise<TestApp> {
  app = await createTestApp(b);
  await app.state.loadRuns();
  app.state.toggleCompared('run-a');
  app.state.toggleCompared('run-b');
  await app.idle();
  return app;
}

const details = (a: TestApp) => a.state.compared.map((id) => a.state.details[id]!);

describe('Compare in the store', () => {
  it('reads each run’s latent space and reconstructions at its nearest stored epoch, once each', async () => {
    const a = await comparing();
    a.state.loadCompareEpoch(2);
    a.state.loadCompareEpoch(2); // asked again while in flight: not read twice
    await a.idle();
    expect(a.backend.callsTo('runs:latent')).toEqual([
      { runId: 'run-a', epoch: 2 },
      { runId: 'run-b', epoch: 1 },
    ]);
    expect(a.backend.callsTo('runs:samples')).toEqual([{ runId: 'run-a', epoch: 2 }]);
    expect(compareEpochData(a.state.compare, details(a), 2, 'latent')).toEqual([
      { epoch: 2, data: latent('run-a', 2) },
      { epoch: 1, data: latent('run-b', 1) },
    ]);
    expect(compareEpochData(a.state.compare, details(a), 2, 'samples')).toEqual([{ epoch: 2, data: grid('run-a', 2) }, null]);
    a.state.loadCompareEpoch(2);
    await a.idle();
    expect(a.backend.callsTo('runs:latent')).toHaveLength(2);
  });

  it('a failed read shows nothing for that run and is tried again later', async () => {
    const b = compareBackend();
    b.handle('runs:latent', () => {
      throw new Error('latent/epoch-3.json is torn');
    });
    const a = await comparing(b);
    a.state.loadCompareEpoch(3);
    await a.idle();
    expect(compareEpochData(a.state.compare, details(a), 3, 'latent')).toEqual([
      { epoch: 3, data: null },
      { epoch: 3, data: null },
    ]);
    b.handle('runs:latent', ({ runId, epoch }) => latent(runId, epoch));
    a.state.loadCompareEpoch(3);
    await a.idle();
    expect(compareEpochData(a.state.compare, details(a), 3, 'latent').map((e) => e?.data)).toEqual([latent('run-a', 3), latent('run-b', 3)]);
  });

  it('the PNG export shows that it draws, then clears, or says why it failed; one at a time', async () => {
    const a = await comparing();
    let finish!: () => void;
    let draws = 0;
    const drawing = a.state.exportComparePng(() => (draws++, new Promise<void>((resolve) => (finish = resolve))));
    expect(a.state.compare.exporting).toBe(DRAWING_PNG);
    await a.state.exportComparePng(async () => void draws++);
    expect(draws).toBe(1);
    finish();
    await drawing;
    expect(a.state.compare.exporting).toBeNull();
    await a.state.exportComparePng(async () => {
      throw new Error('the canvas is tainted');
    });
    expect(a.state.compare.exporting).toBe('Could not export the PNG: the canvas is tainted');
  });
});
