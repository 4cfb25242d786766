/** Notices time out (info) or go with what they are about (issue 21). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, FakeBackend, type TestApp } from '../testing/testApp';
import { INFO_NOTICE_MS } from './notices';

let app: TestApp | null = null;
afterEach(() => {
  vi.useRealTimers();
  app?.dispose();
  app = null;
});

describe('a notice', () => {
  it('of information times out, unless the pointer holds it; an error stays until dismissed', async () => {
    app = await createTestApp();
    vi.useFakeTimers();
    app.state.setNotice({ kind: 'info', text: 'Saved x.bottleneck.json' });
    vi.advanceTimersByTime(INFO_NOTICE_MS - 1);
    expect(app.state.notice?.text).toBe('Saved x.bottleneck.json');
    vi.advanceTimersByTime(1);
    expect(app.state.notice).toBeNull();

    app.state.setNotice({ kind: 'info', text: 'Decoder rebuilt', view: 'editor' });
    app.state.holdNotice(true);
    vi.advanceTimersByTime(INFO_NOTICE_MS * 3);
    expect(app.state.notice?.text).toBe('Decoder rebuilt');
    app.state.holdNotice(false);
    vi.advanceTimersByTime(INFO_NOTICE_MS);
    expect(app.state.notice).toBeNull();

    app.state.setNotice({ kind: 'error', text: 'Could not save: disk full' });
    vi.advanceTimersByTime(INFO_NOTICE_MS * 10);
    expect(app.state.notice?.text).toBe('Could not save: disk full');
  });

  it('raised in a view goes when the user leaves it; one about the graph waits for the Design view', async () => {
    app = await createTestApp();
    app.state.setView('runs');
    app.state.setNotice({ kind: 'error', text: 'Could not delete: gone' });
    app.state.setView('editor');
    expect(app.state.notice).toBeNull();

    app.state.setNotice({ kind: 'error', text: 'the graph no longer fits', view: 'editor', untilGraphValid: true });
    app.state.setView('runs');
    app.state.setView('editor');
    expect(app.state.notice?.text).toBe('the graph no longer fits');
    // Another graph on the canvas: a warning about the one it replaced no longer applies.
    app.state.loadTemplate('sparse');
    app.state.resolveConfirm(true);
    expect(app.state.notice).toBeNull();
  });

  it('refusing a connection goes with the next edit', async () => {
    app = await createTestApp();
    app.state.connect('output-8', 'dense-3');
    expect(app.state.notice?.text).toMatch(/^Cannot connect/);
    app.state.setParam('dense-3', 'units', 64);
    expect(app.state.notice).toBeNull();
  });

  it('about a run goes when the dashboard turns to another run', async () => {
    const backend = new FakeBackend();
    app = await createTestApp(backend);
    await app.state.startTraining();
    const runId = app.state.training.runId!;
    backend.train({ type: 'run-failed', runId, message: 'the GPU was lost' });
    expect(app.state.notice?.text).toMatch(/Training failed/);
    await app.state.startTraining();
    expect(app.state.training.runId).not.toBe(runId);
    expect(app.state.notice).toBeNull();
  });
});
