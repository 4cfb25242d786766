import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { command } from '../commands';
import { AppProvider } from '../store/context';
import type { TrainingStatus } from '../store/trainingReducer';
import { createTestApp, FakeBackend, type TestApp } from '../testing/testApp';
import { Toolbar } from './Toolbar';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

/** The toolbar's buttons as rendered: test id -> disabled. */
function buttons(test: TestApp): Map<string, boolean> {
  const html = renderToStaticMarkup(
    <AppProvider store={test.store} api={test.backend}>
      <Toolbar />
    </AppProvider>,
  );
  const found = new Map<string, boolean>();
  for (const m of html.matchAll(/<button([^>]*)>/g)) {
    const attrs = m[1]!;
    const id = /data-testid="([^"]+)"/.exec(attrs)?.[1];
    if (id) found.set(id, /\sdisabled=""/.test(attrs));
  }
  return found;
}

const RUN_BUTTONS: [string, string][] = [
  ['train-start', 'train'],
  ['train-pause', 'pause'],
  ['train-resume', 'resume'],
  ['train-stop', 'stop'],
  ['cmd-undo', 'undo'],
  ['cmd-redo', 'redo'],
  ['dataset-button', 'dataset'],
];

describe('the toolbar and the commands (keyboard, menus) agree', () => {
  const statuses: TrainingStatus[] = ['idle', 'starting', 'queued', 'running', 'paused', 'stopping', 'finished', 'stopped', 'failed'];
  for (const status of statuses) {
    it(`while ${status}: every button shown is enabled exactly when its command is`, async () => {
      app = await createTestApp();
      app.state.setParam('bottleneck-4', 'latentSize', 16);
      app.store.setState({ training: { ...app.state.training, status, runId: status === 'idle' ? null : 'run-1' } });
      const shown = buttons(app);
      let checked = 0;
      for (const [testId, id] of RUN_BUTTONS) {
        if (!shown.has(testId)) continue;
        checked++;
        expect(shown.get(testId), `${testId} while ${status}`).toBe(!command(id).enabled(app.state));
      }
      expect(checked).toBeGreaterThanOrEqual(3);
    });
  }

  it('Stop is offered for a queued run, and Escape (its command) is enabled for it too', async () => {
    app = await createTestApp();
    app.store.setState({ training: { ...app.state.training, status: 'queued', runId: 'run-1' } });
    expect(buttons(app).get('train-stop')).toBe(false);
    expect(command('stop').enabled(app.state)).toBe(true);
  });

  it('a graph with errors disables Train and says why', async () => {
    app = await createTestApp();
    app.state.setParam('dense-6', 'units', 780);
    const html = renderToStaticMarkup(
      <AppProvider store={app.store} api={app.backend}>
        <Toolbar />
      </AppProvider>,
    );
    expect(buttons(app).get('train-start')).toBe(true);
    expect(html).toMatch(/title="Fix the graph first: [^"]*cannot reshape 780/);
  });
});

describe('the backend badge', () => {
  const toolbar = (test: TestApp) =>
    renderToStaticMarkup(
      <AppProvider store={test.store} api={test.backend}>
        <Toolbar />
      </AppProvider>,
    );
  const cpuOnly = { name: 'cpu', skipped: [{ name: 'webgpu', reason: 'no GPU adapter' }] };

  it('says a GPU choice fell back to the CPU, and why; choosing it says so at once', async () => {
    app = await createTestApp(new FakeBackend().handle('app:set-backend-preference', () => cpuOnly));
    app.store.setState({ backend: cpuOnly });
    const badge = (html: string) => /data-testid="backend-badge"[^>]*>([^<]*)</.exec(html)?.[1];
    expect(badge(toolbar(app))).toBe('cpu');
    await app.state.setBackendPreference('gpu');
    const html = toolbar(app);
    expect(badge(html)).toBe('cpu · no GPU');
    expect(html).toMatch(/badge--warn/);
    expect(html).toMatch(/title="GPU chosen, but no GPU could be used, so it trains on cpu \(the CPU\)\. webgpu: no GPU adapter/);
    expect(app.state.notice?.text).toBe('GPU chosen, but no GPU could be used, so it trains on cpu (the CPU). webgpu: no GPU adapter');
  });
});
