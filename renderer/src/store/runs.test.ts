import { afterEach, describe, expect, it } from 'vitest';
import type { RunSummary, TrashUsage } from '../../../core/api';
import { createTestApp, FakeBackend, runDetail, runSummary, type TestApp } from '../testing/testApp';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

describe("a run's note and tags", () => {
  it('are saved through the contract and shown at once in the list and the comparison', async () => {
    const backend = new FakeBackend();
    let stored: RunSummary = runSummary({ id: 'a' });
    backend.handle('runs:list', () => [stored, runSummary({ id: 'b' })]);
    backend.handle('runs:detail', ({ runId }) => runDetail(runId === 'a' ? stored : runSummary({ id: runId })));
    backend.handle('runs:annotate', ({ runId, note, tags }) => (stored = { ...stored, id: runId, note: note ?? stored.note, tags: tags ?? stored.tags }));
    app = await createTestApp(backend);
    app.state.setView('runs');
    await app.idle();
    app.state.toggleCompared('a');
    app.state.toggleCompared('b');
    await app.idle();
    app.state.openNotes('a');
    expect(app.state.notesFor).toBe('a');

    expect(await app.state.annotateRun('a', { note: 'Smoother curve.', tags: ['baseline', 'lr sweep'] })).toBeNull();
    expect(backend.callsTo('runs:annotate')).toEqual([{ runId: 'a', note: 'Smoother curve.', tags: ['baseline', 'lr sweep'] }]);
    expect(app.state.notesFor).toBeNull();
    expect(app.state.runs.find((r) => r.id === 'a')).toMatchObject({ note: 'Smoother curve.', tags: ['baseline', 'lr sweep'] });
    expect(app.state.details.a!.summary).toMatchObject({ tags: ['baseline', 'lr sweep'] });
  });

  it('keeps the dialog open with the reason when they cannot be saved', async () => {
    const backend = new FakeBackend();
    backend.handle('runs:annotate', () => Promise.reject(new Error('run a: run.json is missing')));
    app = await createTestApp(backend);
    app.state.openNotes('a');
    // The contract refuses a tag with a comma before any handler sees it, naming the field.
    expect(await app.state.annotateRun('a', { note: '', tags: ['a,b'] })).toBe('runs:annotate: tags.0: a tag cannot hold a comma or a line break ("a,b")');
    expect(await app.state.annotateRun('a', { note: 'x', tags: [] })).toBe('run a: run.json is missing');
    expect(app.state.notesFor).toBe('a');
  });
});

describe('workspace commands', () => {
  it("show a place to copy in browser mode (the Runs view's workspace folder, the Help menu's guide), and open it in the desktop app", async () => {
    const browser = new FakeBackend();
    browser.handle('app:show-place', ({ place }) => ({ path: place === 'guide' ? '/opt/bottleneck/README.md' : '/tmp/workspace', opened: false }));
    app = await createTestApp(browser);
    app.state.runCommand('workspace-folder');
    await app.idle();
    expect(app.state.shownPlace).toEqual({ place: 'workspace', path: '/tmp/workspace' });
    app.state.closePlace();
    expect(app.state.shownPlace).toBeNull();
    app.state.runCommand('guide');
    await app.idle();
    expect(app.state.shownPlace).toEqual({ place: 'guide', path: '/opt/bottleneck/README.md' });
    expect(app.state.notice).toBeNull();
    app.dispose();

    const desktop = new FakeBackend();
    desktop.handle('app:show-place', () => ({ path: '/home/me/.config/Bottleneck', opened: true }));
    app = await createTestApp(desktop);
    app.state.runCommand('workspace-folder');
    await app.idle();
    expect(desktop.callsTo('app:show-place')).toEqual([{ place: 'workspace' }]);
    expect(app.state.shownPlace).toBeNull();
    app.dispose();

    const failing = new FakeBackend();
    failing.handle('app:show-place', () => Promise.reject(new Error('cannot open /opt/bottleneck/docs: no such folder')));
    app = await createTestApp(failing);
    app.state.runCommand('docs-folder');
    await app.idle();
    expect(app.state.notice).toMatchObject({ kind: 'error', text: 'Could not open the documentation folder: cannot open /opt/bottleneck/docs: no such folder' });
    expect(app.state.shownPlace).toBeNull();
  });

  it('say what the trash holds before emptying it, and empty it only once confirmed', async () => {
    const backend = new FakeBackend();
    let trash: TrashUsage = { path: '/tmp/workspace/runs/.trash', runs: 2, bytes: 3 * 1024 ** 2 };
    backend.handle('runs:delete', ({ runIds }) => ({ deleted: runIds }));
    backend.handle('workspace:trash', () => trash);
    backend.handle('workspace:empty-trash', () => {
      const removed = trash;
      trash = { ...trash, runs: 0, bytes: 0 };
      return removed;
    });
    app = await createTestApp(backend);
    app.state.setView('runs');
    await app.idle();
    expect(app.state.trash).toMatchObject({ runs: 2 });
    await app.state.deleteRuns(['a']);
    expect(app.state.notice?.action?.label).toBe('Undo');

    app.state.runCommand('empty-trash');
    await app.idle();
    expect(app.state.pendingConfirm?.message).toBe('The trash holds 2 runs, 3 MB (/tmp/workspace/runs/.trash). Emptying it deletes them for good: they can no longer be restored.');
    app.state.resolveConfirm(false);
    expect(backend.callsTo('workspace:empty-trash')).toHaveLength(0);

    app.state.runCommand('empty-trash');
    await app.idle();
    app.state.resolveConfirm(true);
    await app.idle();
    expect(backend.callsTo('workspace:empty-trash')).toHaveLength(1);
    // The Undo of the delete is void now: the notice says what was deleted for good instead.
    expect(app.state.notice).toEqual({ kind: 'info', text: 'Emptied the trash: 2 runs, 3 MB deleted for good.', raisedIn: 'runs' });
    expect(app.state.trash).toMatchObject({ runs: 0, bytes: 0 });
    // Nothing left: the command is off, and asked anyway it says so without asking.
    expect(app.state.pendingConfirm).toBeNull();
    await app.state.emptyTrash();
    expect(app.state.pendingConfirm).toBeNull();
    expect(app.state.notice?.text).toMatch(/^The trash is empty/);
  });
});
