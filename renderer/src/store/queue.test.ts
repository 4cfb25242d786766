/** Editing while a run trains, and queueing the next run from the editor (issue 21). */
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../../../core/graph/types';
import type { TrainEvent } from '../../../core/train/events';
import { command } from '../commands';
import { createTestApp, FakeBackend, type TestApp } from '../testing/testApp';
import { selectCanvasVersusRun } from './trainingSlice';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const started = (runId: string): TrainEvent => ({ type: 'run-started', runId, startEpoch: 0, backend: 'cpu', threads: 2, epochs: 3, stepsPerEpoch: 1, trainCount: 40, validationCount: 10, classNames: ['a', 'b'], totalParams: 100, codeSize: 2 });
const finished = (runId: string): TrainEvent => ({ type: 'run-finished', runId, epochs: 3, loss: 0.5, val_loss: 0.6, best_val_loss: 0.6, elapsedMs: 1000, stoppedEarly: false });

/** A backend that queues every run after the first, as the real one does while one trains. */
function queueingBackend() {
  const backend = new FakeBackend();
  let n = 0;
  const graphs: GraphDoc[] = [];
  backend.handle('train:start', ({ graph }) => {
    graphs.push(graph);
    n++;
    return { runId: `run-${n}`, name: `Run ${n}`, queuePosition: n - 1 };
  });
  return { backend, graphs };
}

describe('while a run trains', () => {
  it('the graph can be edited, and Train queues the edited graph as the next run', async () => {
    const { backend, graphs } = queueingBackend();
    app = await createTestApp(backend);
    app.state.runCommand('train');
    await app.idle();
    backend.train(started('run-1'));
    expect(app.state.training).toMatchObject({ runId: 'run-1', status: 'running' });
    expect(selectCanvasVersusRun(app.state)).toBe('training');

    for (const id of ['new', 'open', 'dataset', 'template-sparse', 'layout', 'mirror']) expect(command(id).enabled(app.state), id).toBe(true);
    app.state.setSelection({ nodes: ['dense-3'], edges: [] });
    expect(command('delete').enabled(app.state)).toBe(true);
    app.state.setParam('bottleneck-4', 'latentSize', 8);
    expect(app.state.doc.nodes.find((n) => n.id === 'bottleneck-4')!.params.latentSize).toBe(8);
    expect(selectCanvasVersusRun(app.state)).toBe('edited');

    expect(command('train').enabled(app.state)).toBe(true);
    app.state.runCommand('train');
    await app.idle();
    expect(graphs[1]!.nodes.find((n) => n.id === 'bottleneck-4')!.params.latentSize).toBe(8);
    // The dashboard stays on the run that trains; the queued one is listed and said.
    expect(app.state.training.runId).toBe('run-1');
    expect(app.state.queued.map((r) => r.runId)).toEqual(['run-2']);
    expect(app.state.notice?.text).toBe('Queued "Run 2": it trains when "Run 1" ends.');
    expect(selectCanvasVersusRun(app.state)).toBe('queued');

    // The first ends: the dashboard turns to the queued run, which then starts.
    backend.train(finished('run-1'));
    expect(app.state.training).toMatchObject({ runId: 'run-2', runName: 'Run 2', status: 'queued' });
    expect(app.state.queued).toEqual([]);
    backend.train(started('run-2'));
    expect(app.state.training.status).toBe('running');
  });

  it('a queued run can be taken out of the queue', async () => {
    const { backend } = queueingBackend();
    app = await createTestApp(backend);
    await app.state.startTraining();
    await app.state.startTraining();
    expect(app.state.queued.map((r) => r.runId)).toEqual(['run-2']);
    await app.state.unqueue('run-2');
    expect(backend.callsTo('train:stop')).toEqual([{ runId: 'run-2' }]);
    expect(app.state.queued).toEqual([]);
    expect(app.state.training.runId).toBe('run-1');
  });
});
