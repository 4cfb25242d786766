import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../core/api';
import { AppProvider } from '../store/context';
import { createTestApp, runSummary, type TestApp } from '../testing/testApp';
import { RunPicker } from './RunPicker';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const options = (test: TestApp) =>
  [...renderToStaticMarkup(
    <AppProvider store={test.store} api={test.backend}>
      <RunPicker view="explore" />
    </AppProvider>,
  ).matchAll(/<option value="([^"]*)"[^>]*>(.*?)<\/option>/g)].filter((m) => m[1] !== 'best' && m[1] !== 'last').map((m) => [m[1], m[2]!.replace(/<!-- -->/g, '')]);

describe('the run picker', () => {
  it('names every run, the one just opened from the dashboard too before the list has caught up with it', async () => {
    app = await createTestApp();
    app.store.setState({ runs: [runSummary({ id: 'r-1', name: 'Undercomplete' })], runsLoaded: true });
    const info = { runId: 'r-2', runName: 'Variational autoencoder (VAE)' } as ModelInfo;
    app.store.setState({ explore: { ...app.state.explore, runId: 'r-2', info } });
    expect(options(app)).toEqual([
      ['r-2', 'Variational autoencoder (VAE)'],
      ['r-1', 'Undercomplete · undercomplete · 2/2 epochs'],
    ]);
  });
});
