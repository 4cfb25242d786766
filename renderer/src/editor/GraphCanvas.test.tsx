import { ReactFlowProvider } from '@xyflow/react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateTrainingMemory } from '../../../core/shapes/memory';
import { AppProvider } from '../store/context';
import { createTestApp, type TestApp } from '../testing/testApp';
import { GraphCanvas } from './GraphCanvas';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

function summary(test: TestApp): string {
  const html = renderToStaticMarkup(
    <AppProvider store={test.store} api={test.backend}>
      <ReactFlowProvider>
        <GraphCanvas />
      </ReactFlowProvider>
    </AppProvider>,
  );
  return /data-testid="graph-summary"[^>]*>(.*?)<\/div>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, '') ?? '';
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
