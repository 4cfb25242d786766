import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageBatch } from '../../../core/api';
import { AppProvider } from '../store/context';
import { createTestApp, type TestApp } from '../testing/testApp';
import { ExploreTabs } from './ExploreTabs';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const row = (count: number): ImageBatch => ({ count, height: 1, width: 1, channels: 1, pixels: btoa('\0'.repeat(count)) });

/** The text of each element with the test id, as rendered. */
function texts(test: TestApp, testId: string): string[] {
  const html = renderToStaticMarkup(
    <AppProvider store={test.store} api={test.backend}>
      <ExploreTabs />
    </AppProvider>,
  );
  return [...html.matchAll(new RegExp(`data-testid="${testId}"[^>]*>(.*?)</span></span>`, 'g'))].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}

describe('Traverse', () => {
  it('labels each row with its own unit and that unit’s σ (the backend sends σ row by row)', async () => {
    app = await createTestApp();
    // The 3 widest units of 8, widest first: z4, z1, z7; σ in the order of the rows.
    const traverse = { dims: [3, 0, 6], rows: [row(9), row(9), row(9)], sigma: [1.2, 0.85, 0.4] };
    app.store.setState({ explore: { ...app.state.explore, runId: 'r', tab: 'traverse', traverse } });
    expect(texts(app, 'traverse-label')).toEqual(['z4 σ 1.20', 'z1 σ 0.85', 'z7 σ 0.40']);
  });
});
