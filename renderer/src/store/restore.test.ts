/** A reload (or the next start) comes back to the last graph, unsaved changes and all, and the last dataset (issue 21). */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, FakeBackend, memoryStorage, type TestApp } from '../testing/testApp';

const apps: TestApp[] = [];
afterEach(() => {
  for (const app of apps.splice(0)) app.dispose();
});
async function open(storage: ReturnType<typeof memoryStorage>, backend = new FakeBackend()) {
  const app = await createTestApp(backend, storage);
  apps.push(app);
  return app;
}

describe('after a reload', () => {
  it('the last graph is back with its unsaved changes, still marked unsaved, with its file', async () => {
    const storage = memoryStorage();
    const writing = () => new FakeBackend().handle('graphs:write', ({ path }) => ({ path: path.endsWith('.json') ? path : `${path}.bottleneck.json` }));
    const first = await open(storage, writing());
    first.state.loadTemplate('variational');
    await first.state.saveAs('my vae');
    const code = first.state.doc.nodes.find((n) => n.kind === 'VariationalBottleneck')!.id;
    first.state.setParam(code, 'latentSize', 5);
    const edited = first.state.doc;

    const second = await open(storage, writing());
    expect(second.state.doc).toEqual(edited);
    expect(second.state.doc).not.toBe(second.state.savedDoc);
    expect(second.state.savedDoc.nodes.find((n) => n.id === code)!.params.latentSize).not.toBe(5);
    expect(second.state.filePath).toBe('my vae.bottleneck.json');
    // Saved work comes back saved.
    second.state.setParam(code, 'latentSize', 7);
    await second.state.save();
    const third = await open(storage);
    expect(third.state.doc.nodes.find((n) => n.id === code)!.params.latentSize).toBe(7);
    expect(third.state.doc).toBe(third.state.savedDoc);
  });

  it('the last dataset chosen is back, a folder too', async () => {
    const storage = memoryStorage();
    const first = await open(storage);
    const folder = { id: 'folder:/data/icons?size=32x32&channels=3', name: 'icons', height: 32, width: 32, channels: 3, classNames: ['a', 'b'], counts: { a: 3, b: 4 }, path: '/data/icons' };
    first.state.chooseDataset(folder);
    const second = await open(storage);
    expect(second.state.dataset).toEqual(folder);
    expect(second.state.doc.nodes.find((n) => n.kind === 'Input')!.params).toMatchObject({ height: 32, width: 32, channels: 3 });
  });

  it('with no graph kept but a folder chosen before, the first template is sized for its images', async () => {
    const storage = memoryStorage();
    const folder = { id: 'folder:/data/icons?size=32x32&channels=3', name: 'icons', height: 32, width: 32, channels: 3, classNames: ['a', 'b'], counts: null, path: '/data/icons' };
    storage.setItem('bottleneck.dataset', JSON.stringify(folder));
    const app = await open(storage);
    expect(app.state.doc.nodes.find((n) => n.kind === 'Input')!.params).toMatchObject({ height: 32, width: 32, channels: 3 });
    expect(app.state.doc).toBe(app.state.savedDoc);
    expect(app.state.canUndo).toBe(false);
  });

  it('a stored graph that cannot be read leaves the template, and says nothing is lost', async () => {
    const storage = memoryStorage();
    storage.setItem('bottleneck.graph', '{"doc": "{ not json');
    const app = await open(storage);
    expect(app.state.doc.name).toBe('Undercomplete autoencoder');
  });
});
