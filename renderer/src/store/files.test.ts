/** Opening and saving graph files: nothing unsaved is replaced without asking (issue 21). */
import { afterEach, describe, expect, it } from 'vitest';
import { serializeGraph } from '../../../core/graph/schema';
import { buildTemplate } from '../../../core/templates';
import { createTestApp, FakeBackend, TEST_INFO, type TestApp } from '../testing/testApp';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const other = { ...buildTemplate('sparse'), name: 'Other graph' };

/** A backend with one graph file, as the desktop app's dialog or browser mode's graphs folder gives it. */
function withFile(shell: 'electron' | 'browser') {
  return new FakeBackend()
    .handle('app:info', () => ({ ...TEST_INFO, shell }))
    .handle('dialog:open-graph', () => ({ path: '/home/me/other.bottleneck.json' }))
    .handle('graphs:read', ({ path }) => ({ path, text: serializeGraph(other) }));
}

/** Unsaved work: a block dragged in, as the title's dot shows. */
function makeUnsavedChange(test: TestApp) {
  test.state.addBlock('Dense', { x: 400, y: 400 });
  expect(test.state.doc).not.toBe(test.state.savedDoc);
}

describe('File ▸ Open over unsaved changes', () => {
  it('in the desktop app asks before the dialog; Cancel keeps the work and opens no dialog', async () => {
    app = await createTestApp(withFile('electron'));
    makeUnsavedChange(app);
    const work = app.state.doc;
    app.state.runCommand('open');
    await app.idle();
    expect(app.state.pendingConfirm?.message).toMatch(/has changes that are not saved/);
    expect(app.backend.callsTo('dialog:open-graph')).toHaveLength(0);
    app.state.resolveConfirm(false);
    await app.idle();
    expect(app.state.doc).toBe(work);
    expect(app.backend.callsTo('dialog:open-graph')).toHaveLength(0);
  });

  it('in the desktop app opens the picked file once the user agrees to discard', async () => {
    app = await createTestApp(withFile('electron'));
    makeUnsavedChange(app);
    app.state.runCommand('open');
    await app.idle();
    app.state.resolveConfirm(true);
    await app.idle();
    expect(app.state.doc.name).toBe('Other graph');
    expect(app.state.filePath).toBe('/home/me/other.bottleneck.json');
  });

  it('in browser mode asks before showing the graphs list (from which a file or an import opens)', async () => {
    app = await createTestApp(withFile('browser'));
    makeUnsavedChange(app);
    const work = app.state.doc;
    app.state.runCommand('open');
    expect(app.state.fileDialog).toBeNull();
    expect(app.state.pendingConfirm?.confirmLabel).toBe('Discard changes');
    app.state.resolveConfirm(false);
    expect(app.state.fileDialog).toBeNull();
    expect(app.state.doc).toBe(work);
    app.state.runCommand('open');
    app.state.resolveConfirm(true);
    expect(app.state.fileDialog).toBe('open');
  });

  it('with nothing unsaved opens at once', async () => {
    app = await createTestApp(withFile('electron'));
    app.state.runCommand('open');
    await app.idle();
    expect(app.state.pendingConfirm).toBeNull();
    expect(app.state.doc.name).toBe('Other graph');
  });
});
