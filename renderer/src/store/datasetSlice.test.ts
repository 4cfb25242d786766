/** The Data dialog's choices through the store: the built-in set's classes and first images, the folder browser's last folder. */
import { afterEach, describe, expect, it } from 'vitest';
import { builtinChoice, builtinDataset, subsetOf } from './datasetSlice';
import { createTestApp, memoryStorage, TEST_INFO, type TestApp } from '../testing/testApp';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const FULL = { train: 10_000, validation: 1_000 };

describe('the built-in set, chosen in the Data dialog', () => {
  it('some classes and the first images: one id, a name that says so, read back by the dialog', () => {
    const base = builtinDataset(TEST_INFO)!;
    const chosen = builtinChoice(base, FULL, [0], { train: 2_000, validation: 500 });
    expect(chosen.id).toBe('builtin:fashion-mnist?train=2000&validation=500&classes=0');
    expect(chosen.name).toBe('Fashion-MNIST · first 2,000 + 500 · 1 of 2 classes');
    expect(subsetOf(chosen.id, FULL)).toEqual({ train: 2_000, validation: 500 });
    // All of it: the plain id and name.
    expect(builtinChoice(base, FULL, null, FULL)).toMatchObject({ id: 'builtin:fashion-mnist', name: 'Fashion-MNIST' });
    expect(subsetOf('builtin:fashion-mnist', FULL)).toEqual(FULL);
    expect(subsetOf('folder:%2Fx', FULL)).toEqual(FULL);
  });

  it('a chosen subset is remembered across a reload, not replaced by the whole set', async () => {
    const storage = memoryStorage();
    app = await createTestApp(undefined, storage);
    const chosen = builtinChoice(builtinDataset(TEST_INFO)!, FULL, null, { train: 2_000, validation: 1_000 });
    app.state.chooseDataset(chosen);
    app.dispose();
    app = await createTestApp(undefined, storage);
    expect(app.state.dataset?.id).toBe('builtin:fashion-mnist?train=2000');
  });
});

describe('the folder browser', () => {
  it('remembers the last folder it showed, across a reload', async () => {
    const storage = memoryStorage();
    app = await createTestApp(undefined, storage);
    expect(app.state.lastFolder).toBeNull();
    app.state.rememberFolder('/data/icons');
    expect(app.state.lastFolder).toBe('/data/icons');
    app.dispose();
    app = await createTestApp(undefined, storage);
    expect(app.state.lastFolder).toBe('/data/icons');
  });
});
