import { afterEach, describe, expect, it } from 'vitest';
import type { ImageBatch, ModelInfo } from '../../../core/api';
import { MAX_IMAGE_FILE_BYTES } from '../../../core/limits';
import { createTestApp, FakeBackend, runSummary, type TestApp } from '../testing/testApp';
import { fromBatch } from '../use/labImage';

let app: TestApp | null = null;
afterEach(() => {
  app?.dispose();
  app = null;
});

const info = (runId: string, count = 3): ModelInfo => ({
  runId,
  runName: runId,
  checkpoint: 'best',
  epoch: 2,
  codeSize: 2,
  variational: false,
  height: 2,
  width: 2,
  channels: 1,
  classNames: ['a', 'b'],
  datasetId: 'builtin:fashion-mnist',
  datasetName: 'Fashion-MNIST',
  count,
});

/** `count` 2×2 grey images of byte value `value`. */
const grey = (value: number, count = 1): ImageBatch => ({ count, height: 2, width: 2, channels: 1, pixels: btoa(String.fromCharCode(...new Array(count * 4).fill(value))) });

/** The pixel values (0–255) of a float32 batch the app sent to the model. */
function sentValues(batch: ImageBatch): number[] {
  const bytes = Uint8Array.from(atob(batch.pixels), (ch) => ch.charCodeAt(0));
  return [...new Float32Array(bytes.buffer)].map((v) => Math.round(v * 255));
}

/** Validation image i is grey 10·(i + 1); the model's output of anything is grey 200 (one per image sent). */
function labBackend(): FakeBackend {
  const b = new FakeBackend();
  b.handle('runs:list', () => [runSummary({ id: 'r1', epochsDone: 2 }), runSummary({ id: 'r0', epochsDone: 2 })]);
  b.handle('model:info', ({ runId }) => info(runId));
  b.handle('model:point', ({ index }) => ({ index, label: 0, file: null, error: 0, images: grey(10 * (index + 1), 2), code: [0, 0] }));
  b.handle('model:reconstruct', ({ images }) => grey(200, images.count));
  return b;
}

/** The app with the Lab open on run r1's validation image 0, its output in. */
async function openLab(b = labBackend()): Promise<TestApp> {
  app = await createTestApp(b);
  await app.state.openModelView('lab', 'r1');
  app.state.syncLab();
  await app.idle();
  return app;
}

const pixels = (im: { data: Float32Array } | null) => (im ? [...im.data].map((v) => Math.round(v * 255)) : null);

describe('the Lab in the store', () => {
  it('shows validation image 0 of the model in use, corrupted, and the model’s output; the arrows choose another, within the set', async () => {
    const a = await openLab();
    expect(a.backend.callsTo('model:point')).toEqual([{ runId: 'r1', checkpoint: 'best', index: 0 }]);
    expect(pixels(a.state.lab.clean)).toEqual([10, 10, 10, 10]);
    expect(a.state.lab.corrupted).not.toBeNull();
    expect(pixels(a.state.lab.output)).toEqual([200, 200, 200, 200]);
    a.state.showLabImage(2);
    await a.idle();
    expect(pixels(a.state.lab.clean)).toEqual([30, 30, 30, 30]);
    a.state.showLabImage(7);
    await a.idle();
    expect(a.state.lab.index).toBe(2);
    expect(a.backend.callsTo('model:point').map((r) => r.index)).toEqual([0, 2]);
  });

  it('corrupts as asked: no noise gives the clean image; a mask hides its pixels; the model is given the newest image', async () => {
    const a = await openLab();
    a.state.setLabCorruption({ sigma: 0 });
    expect(pixels(a.state.lab.corrupted)).toEqual([10, 10, 10, 10]);
    a.state.updateLabMask((m) => Uint8Array.from(m, (_, i) => (i === 0 ? 1 : 0)));
    expect(pixels(a.state.lab.corrupted)).toEqual([0, 10, 10, 10]);
    await a.idle();
    expect(sentValues(a.backend.callsTo('model:reconstruct').at(-1)!.images)).toEqual([0, 10, 10, 10]);
    a.state.clearLabMask();
    expect(pixels(a.state.lab.corrupted)).toEqual([10, 10, 10, 10]);
    a.state.setLabCorruption({ sigma: 0.5 });
    expect(pixels(a.state.lab.corrupted)).not.toEqual([10, 10, 10, 10]);
  });

  it('restores with the weights in use: a reply for weights no longer in use is dropped, and other weights clear the output', async () => {
    const b = labBackend();
    const a = await openLab(b);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    b.handle('model:reconstruct', async ({ images }) => (await held, grey(99, images.count)));
    a.state.setLabCorruption({ sigma: 0 });
    await expect.poll(() => b.callsTo('model:reconstruct').length).toBe(2);
    const shown: (number[] | null)[] = [];
    a.store.subscribe((st, before) => st.lab.output !== before.lab.output && shown.push(pixels(st.lab.output)));
    await a.state.setExploreCheckpoint('last');
    a.state.syncLab();
    expect(a.state.lab.output).toBeNull();
    b.handle('model:reconstruct', ({ images }) => grey(55, images.count));
    release();
    await a.idle();
    // The held reply (best weights) never showed; the last weights' own reply did.
    expect(b.callsTo('model:reconstruct').at(-1)).toMatchObject({ checkpoint: 'last' });
    expect(shown).toEqual([null, [55, 55, 55, 55]]);
  });

  it('a σ walk gives the input’s and the output’s error for σ 0 to 1 in tenths', async () => {
    const a = await openLab();
    await a.state.walkLabSigma();
    const walk = a.state.lab.walk;
    expect(walk.map((w) => w.sigma)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(walk[0]!.input).toBe(0);
    expect(walk[10]!.input).toBeGreaterThan(walk[1]!.input);
    // Grey 200 against grey 10: the output's error is the same at every σ.
    expect(walk.every((w) => Math.abs(w.output - (190 / 255) ** 2) < 1e-6)).toBe(true);
  });

  it('opens an image file as the clean image, with what was changed to fit; a file too large is refused naming it', async () => {
    const b = labBackend();
    b.handle('model:prepare-image', () => ({ image: grey(77), note: 'resized from 640×480 RGB to 2×2 grayscale' }));
    const a = await openLab(b);
    await a.state.openLabFile({ name: 'huge.png', size: MAX_IMAGE_FILE_BYTES + 1, arrayBuffer: async () => new ArrayBuffer(0) });
    expect(a.state.lab.error).toMatch(/^huge\.png: the file is \d+ MB; images up to 32 MB can be used$/);
    expect(b.callsTo('model:prepare-image')).toEqual([]);
    await a.state.openLabFile({ name: 'cat.png', size: 3, arrayBuffer: async () => Uint8Array.of(1, 2, 3).buffer });
    await a.idle();
    expect(b.callsTo('model:prepare-image')).toEqual([{ runId: 'r1', checkpoint: 'best', bytes: btoa('\x01\x02\x03'), name: 'cat.png' }]);
    expect(a.state.lab).toMatchObject({ fileName: 'cat.png', note: 'cat.png: resized from 640×480 RGB to 2×2 grayscale', error: null });
    expect(pixels(a.state.lab.clean)).toEqual(pixels(fromBatch(grey(77))));
    // Back to the validation images at the index shown before.
    a.state.showLabImage(0);
    await a.idle();
    expect(a.state.lab.fileName).toBeNull();
    expect(pixels(a.state.lab.clean)).toEqual([10, 10, 10, 10]);
  });

  it('shows a failed call’s message, and clears it when the next call succeeds', async () => {
    const b = labBackend();
    const a = await openLab(b);
    b.handle('model:point', () => {
      throw new Error('run r1 has no checkpoint');
    });
    a.state.showLabImage(1);
    await a.idle();
    expect(a.state.lab.error).toBe('run r1 has no checkpoint');
    b.handle('model:reconstruct', () => {
      throw new Error('the model worker stopped');
    });
    a.state.setLabCorruption({ sigma: 0.1 });
    await a.idle();
    expect(a.state.lab.error).toBe('the model worker stopped');
    b.handle('model:reconstruct', ({ images }) => grey(200, images.count));
    a.state.setLabCorruption({ sigma: 0.2 });
    await a.idle();
    expect(a.state.lab.error).toBeNull();
  });

  it('another run drops the images of the old one and shows its own', async () => {
    const b = labBackend();
    const a = await openLab(b);
    a.state.showLabImage(1);
    await a.idle();
    await a.state.openModelView('lab', 'r0');
    a.state.syncLab();
    await a.idle();
    expect(b.callsTo('model:point').at(-1)).toEqual({ runId: 'r0', checkpoint: 'best', index: 1 });
    expect(a.state.lab.fileName).toBeNull();
    expect(pixels(a.state.lab.clean)).toEqual([20, 20, 20, 20]);
  });
});
