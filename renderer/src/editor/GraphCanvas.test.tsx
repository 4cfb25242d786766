import { ReactFlowProvider } from '@xyflow/react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateTrainingMemory } from '../../../core/shapes/memory';
import { AppProvider } from '../store/context';
import { wideGraph } from '../../../core/shapes/wideGraph';
import { command } from '../commands';
import { createTestApp, FakeBackend, TEST_INFO, type TestApp } from '../testing/testApp';
import { GraphCanvas } from './GraphCanvas';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

function canvasMarkup(test: TestApp): string {
  return renderToStaticMarkup(
    <AppProvider store={test.store} api={test.backend}>
      <ReactFlowProvider>
        <GraphCanvas />
      </ReactFlowProvider>
    </AppProvider>,
  );
}

function summary(test: TestApp): string {
  return /data-testid="graph-summary"[^>]*>(.*?)<\/div>/s.exec(canvasMarkup(test))?.[1]?.replace(/<[^>]+>/g, '') ?? '';
}

describe('the summary bar', () => {
  it('shows the memory training the graph needs, and nothing while the graph has errors', async () => {
    app = await createTestApp();
    const { doc, analysis } = app.store.getState();
    const mb = Math.round(estimateTrainingMemory(doc, analysis)!.bytes / 1024 ** 2);
    expect(summary(app)).toContain(`≈ ${mb} MB to train`);
    const input = doc.nodes.find((n) => n.kind === 'Input')!;
    app.store.getState().removeElements([input.id], []);
    expect(summary(app)).toContain('parameters');
    expect(summary(app)).not.toContain('to train');
  });
});

describe('a graph too big to train', () => {
  it('shows its estimate marked as over the limit, and Train is disabled saying why, before any click', async () => {
    app = await createTestApp(new FakeBackend().handle('app:info', () => ({ ...TEST_INFO, totalMemory: 16 * 1024 ** 3 })));
    expect(command('train').enabled(app.state)).toBe(true);
    app.state.commit(wideGraph(128, 3, 12_950));
    expect(canvasMarkup(app)).toMatch(/class="summary__memory--over"[^>]*data-testid="train-memory"/);
    expect(summary(app)).toMatch(/≈ \d+ GB to train, over the 8\.0 GB limit/);
    expect(command('train').enabled(app.state)).toBe(false);
    expect(command('train').whyDisabled?.(app.state)).toMatch(/^Too big to train: training this graph needs about \d+ GB .* more than the 8\.0 GB a run may use on cpu \(half of this machine.s memory\)/);
  });
});
