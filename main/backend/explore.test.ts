/** The Explore channels through the contract, on models trained here: a plain autoencoder and a VAE. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ImageBatch } from '../../core/api';
import { ApiError } from '../../core/apiChannels';
import { liftPoint, projectCode } from '../../core/latent/pca';
import { buildTemplate, type TemplateName } from '../../core/templates';
import { undercomplete } from '../../core/templates/undercomplete';
import { newRunId } from './runs/naming';
import { BottleneckBackend } from './service';
import { trainToEnd } from './trainToEnd';
import { traversalTooLarge } from './models';

process.env.BOTTLENECK_HOME = mkdtempSync(join(tmpdir(), 'explore-home-'));
const DATA = 'builtin:fashion-mnist?train=256&validation=1000';
const root = mkdtempSync(join(tmpdir(), 'explore-runs-'));
let backend: BottleneckBackend;
const events: ApiEvent[] = [];
let ae: string;
let vae: string;

async function train(b: BottleneckBackend, template: TemplateName, codeSize?: number): Promise<string> {
  const graph = buildTemplate(template);
  if (codeSize) graph.nodes.find((n) => n.kind === 'VariationalBottleneck' || n.kind === 'Bottleneck')!.params.latentSize = codeSize;
  graph.training = { ...graph.training, epochs: 1, batchSize: 64 };
  return trainToEnd(b, graph, DATA);
}

const pixels = (batch: ImageBatch, i: number) => {
  const size = batch.height * batch.width * batch.channels;
  return Array.from(Buffer.from(batch.pixels, 'base64').subarray(i * size, (i + 1) * size));
};

beforeAll(async () => {
  backend = new BottleneckBackend({ shell: 'cli', runsRoot: root, graphsRoot: join(root, 'graphs'), settingsPath: join(root, 'settings.json') });
  backend.on((e) => events.push(e));
  ae = await train(backend, 'undercomplete');
  vae = await train(backend, 'variational');
}, 240_000);

afterAll(() => backend.dispose());

describe('a trained model through the contract', () => {
  it('model:info names the model and its data', async () => {
    expect(await backend.invoke('model:info', { runId: ae })).toMatchObject({ runId: ae, checkpoint: 'best', epoch: 1, codeSize: 32, variational: false, height: 28, width: 28, channels: 1, count: 1000, datasetId: DATA });
    const info = await backend.invoke('model:info', { runId: vae, checkpoint: 'last' });
    expect(info).toMatchObject({ checkpoint: 'last', codeSize: 16, variational: true });
    expect(info.classNames).toHaveLength(10);
  });

  it('the PCA map: every validation image, and its plane lifts a map point to a code that projects back', async () => {
    const map = await backend.invoke('model:map', { runId: ae, method: 'pca' });
    expect([map.x.length, map.images.count, map.codes.length, map.errors.length, map.raw, map.fromCache, map.files]).toEqual([1000, 1000, 1000 * 32, 1000, false, false, null]);
    expect(map.indices.slice(0, 3)).toEqual([0, 1, 2]);
    expect(map.note).toMatch(/PCA plane .*30 components at the data’s mean/);
    const plane = map.plane!;
    for (const [x, y] of [[map.x[5]!, map.y[5]!], [1.5, -2.25], [0, 0]] as const) {
      const [px, py] = projectCode(plane, liftPoint(plane, x, y));
      expect(Math.abs(px - x)).toBeLessThan(1e-4);
      expect(Math.abs(py - y)).toBeLessThan(1e-4);
    }
    // A point's own code projects to where the map drew it.
    const [px, py] = projectCode(plane, map.codes.slice(5 * 32, 6 * 32));
    expect(Math.abs(px - map.x[5]!)).toBeLessThan(1e-4);
    expect(Math.abs(py - map.y[5]!)).toBeLessThan(1e-4);
    // The point's detail agrees with the map: its code and error.
    const point = await backend.invoke('model:point', { runId: ae, index: 5 });
    expect(point.label).toBe(map.labels[5]);
    expect(point.error).toBeCloseTo(map.errors[5]!, 6);
    point.code.forEach((v, j) => expect(Math.abs(v - map.codes[5 * 32 + j]!)).toBeLessThan(1e-5));
    expect(point.images.count).toBe(2);
    // Decoding its code gives its reconstruction, pixel for pixel.
    const decoded = await backend.invoke('model:decode', { runId: ae, codes: [point.code] });
    expect(pixels(decoded, 0)).toEqual(pixels(point.images, 1));
  });

  it('a 2-D code is its own map: raw, on the identity plane, so lifting a point gives the code at that point', async () => {
    const flat = await train(backend, 'variational', 2);
    const map = await backend.invoke('model:map', { runId: flat, method: 'pca' });
    expect([map.raw, map.plane, map.codeSize]).toEqual([true, { mean: [0, 0], axes: [[1, 0], [0, 1]] }, 2]);
    expect(map.note).toBe('The code is 2-D: the map is the code itself.');
    map.x.forEach((x, i) => expect([x, map.y[i]]).toEqual([map.codes[2 * i], map.codes[2 * i + 1]]));
    expect(Array.from(liftPoint(map.plane!, 0.25, -1.5))).toEqual([0.25, -1.5]);
  });

  it('interpolation: the ends decode the two codes, linear or spherical', async () => {
    const [a, b] = await Promise.all([backend.invoke('model:point', { runId: vae, index: 3 }), backend.invoke('model:point', { runId: vae, index: 40 })]);
    for (const path of ['linear', 'spherical'] as const) {
      const strip = await backend.invoke('model:interpolate', { runId: vae, from: { index: 3 }, to: { index: 40 }, steps: 7, path });
      expect(strip.images.count).toBe(7);
      expect(pixels(strip.images, 0)).toEqual(pixels(a.images, 1));
      expect(pixels(strip.images, 6)).toEqual(pixels(b.images, 1));
      strip.codes[6]!.forEach((v, j) => expect(Math.abs(v - b.code[j]!)).toBeLessThan(1e-5));
    }
    const byCode = await backend.invoke('model:interpolate', { runId: vae, from: { code: a.code }, to: { index: 40 }, steps: 3, path: 'spherical' });
    expect(pixels(byCode.images, 0)).toEqual(pixels(a.images, 1));
  });

  it('samples: a fixed seed gives the same pixels; a VAE draws from the prior, a plain autoencoder from a fitted Gaussian with a note', async () => {
    const one = await backend.invoke('model:sample', { runId: vae, count: 64, seed: 11, temperature: 1 });
    const two = await backend.invoke('model:sample', { runId: vae, count: 64, seed: 11, temperature: 1 });
    const other = await backend.invoke('model:sample', { runId: vae, count: 64, seed: 12, temperature: 1 });
    expect(one.images.count).toBe(64);
    expect(two.images.pixels).toBe(one.images.pixels);
    expect(other.images.pixels).not.toBe(one.images.pixels);
    expect([one.source, one.note]).toEqual(['prior', null]);
    const fitted = await backend.invoke('model:sample', { runId: ae, count: 8, seed: 11, temperature: 0.5 });
    expect(fitted.source).toBe('fitted');
    expect(fitted.note).toMatch(/only a VAE’s latent space is trained to be sampled/);
    // The fit encoded the 256 training images once, with progress.
    expect(events.filter((e) => e.type === 'job-progress' && e.job === 'sample' && e.runId === ae).at(-1)).toMatchObject({ phase: 'fitting', done: 256, total: 256 });
    expect((await backend.invoke('model:sample', { runId: ae, count: 8, seed: 11, temperature: 0.5 })).images.pixels).toBe(fitted.images.pixels);
  });

  it('traversals: the 8 widest dimensions by default, ±range·σ around the mean code', async () => {
    const t = await backend.invoke('model:traverse', { runId: ae, steps: 5, range: 3 });
    expect(t.dims).toHaveLength(8);
    expect(t.rows.map((r) => r.count)).toEqual(new Array(8).fill(5));
    for (let i = 1; i < 8; i++) expect(t.sigma[i]!).toBeLessThanOrEqual(t.sigma[i - 1]!);
    // Every row's middle image is the mean code's.
    for (const row of t.rows) expect(pixels(row, 2)).toEqual(pixels(t.rows[0]!, 2));
    const chosen = await backend.invoke('model:traverse', { runId: ae, base: { index: 0 }, dims: [3, 1], steps: 3, range: 1 });
    expect(chosen.dims).toEqual([3, 1]);
  });

  it('UMAP and t-SNE maps: computed in the background with progress, then read from the run folder', async () => {
    const started = Date.now();
    const umap = await backend.invoke('model:map', { runId: ae, method: 'umap' });
    const ms = Date.now() - started;
    console.log(`UMAP of 1,000 codes (32-d) through model:map: ${ms} ms`);
    expect([umap.x.length, umap.plane, umap.raw, umap.fromCache]).toEqual([1000, null, false, false]);
    expect(umap.note).toMatch(/UMAP has no inverse/);
    for (const v of umap.x) expect(Number.isFinite(v)).toBe(true);
    const progress = events.filter((e): e is Extract<ApiEvent, { type: 'job-progress' }> => e.type === 'job-progress' && e.job === 'map:umap' && e.runId === ae);
    expect(progress.at(-1)).toMatchObject({ phase: 'layout' });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    expect(existsSync(join(root, ae, 'explore', 'umap-e1.bin'))).toBe(true);
    const again = await backend.invoke('model:map', { runId: ae, method: 'umap' });
    expect(again.fromCache).toBe(true);
    expect(again.x).toEqual(umap.x);

    const tsne = await backend.invoke('model:map', { runId: vae, method: 'tsne' });
    expect([tsne.x.length, tsne.images.count, tsne.codes.length]).toEqual([1000, 1000, 16000]);
    expect(tsne.note).toMatch(/t-SNE has no inverse/);
  });

  it.each(['while encoding', 'while laying out'])('cancels a UMAP map %s: the request rejects with code "cancelled", nothing is cached', async (when) => {
    const laying = new Promise<void>((resolve) => backend.on((e) => e.type === 'job-progress' && e.job === 'map:umap' && e.runId === vae && e.phase === 'neighbours' && resolve()));
    const outcome = backend.invoke('model:map', { runId: vae, method: 'umap' }).then(
      () => 'finished',
      (err: ApiError) => err,
    );
    // Laying out runs in the projection worker: cancelling there terminates it.
    if (when === 'while laying out') await laying;
    expect(await backend.invoke('model:cancel-map', { runId: vae, method: 'umap' })).toEqual({ cancelled: true });
    const err = await outcome;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('cancelled');
    expect(existsSync(join(root, vae, 'explore', 'umap-e1.bin'))).toBe(false);
    expect(await backend.invoke('model:cancel-map', { runId: vae, method: 'umap' })).toEqual({ cancelled: false });
  });

  it('says in one line why a model cannot be explored', async () => {
    const fresh = newRunId();
    backend.runs.create(fresh, undercomplete(), DATA);
    backend.runs.update(fresh, { status: 'stopped' });
    const noBottleneck = newRunId(new Date(Date.now() - 60_000));
    const graph = undercomplete();
    const code = graph.nodes.find((n) => n.kind === 'Bottleneck')!;
    code.kind = 'Dense';
    backend.runs.create(noBottleneck, graph, DATA);
    const deleted = await train(backend, 'undercomplete');
    await backend.invoke('model:info', { runId: deleted });
    await backend.invoke('runs:delete', { runIds: [deleted] });
    const cases: [string, RegExp, string][] = [
      [fresh, new RegExp(`^run ${fresh} has no checkpoint yet: it has not finished an epoch$`), 'no-checkpoint'],
      [noBottleneck, new RegExp(`^the graph of run ${noBottleneck} has no bottleneck`), 'no-bottleneck'],
      [deleted, new RegExp(`^run ${deleted} was deleted: restore it from the trash to explore it$`), 'deleted'],
      ['20990101T000000Z-abcd', /^no run 20990101T000000Z-abcd$/, 'not-found'],
    ];
    for (const [runId, message, code] of cases) {
      for (const call of [backend.invoke('model:info', { runId }), backend.invoke('model:sample', { runId, count: 1, seed: 1, temperature: 1 })]) {
        const err = (await call.catch((e: Error & { code?: string }) => e)) as Error & { code?: string };
        expect(err.message).toMatch(message);
        expect(err.message).not.toContain('\n');
        expect(err.code).toBe(code);
      }
    }
    await expect(backend.invoke('model:point', { runId: ae, index: 1000 })).rejects.toThrow(`image 1000 is out of range: run ${ae} has 1000 validation images (0 to 999)`);
    await expect(backend.invoke('model:decode', { runId: ae, codes: [[1, 2]] })).rejects.toThrow(`a code has 2 values; the codes of run ${ae} have 32`);
    await expect(backend.invoke('model:traverse', { runId: ae, dims: [40], steps: 3, range: 1 })).rejects.toThrow('dimension 40 is out of range');
    // Each dimension once, and a reply under the byte cap (issue 23): checked before any work.
    await expect(backend.invoke('model:traverse', { runId: ae, dims: [3, 1, 3], steps: 3, range: 1 })).rejects.toThrow('dimension 3 is listed twice: give each dimension once');
    expect(traversalTooLarge(64, 32, { height: 128, width: 128, channels: 3 })).toBe('a traversal of 64 dimensions × 32 steps of 128×128×3 images is 96 MB; at most 80 MB: choose fewer dimensions or steps');
    expect(traversalTooLarge(8, 9, { height: 512, width: 512, channels: 4 })).toBeNull();
    // The backend still answers.
    expect((await backend.invoke('model:info', { runId: ae })).codeSize).toBe(32);
  });
});

describe('the model cache', () => {
  it('is bounded by bytes: loading a second model evicts the first when both do not fit', async () => {
    const { entries } = await backend.models.call('memory', null, {});
    const aeBytes = entries.find((e) => e.key === `${join(root, ae)}|best`)!;
    const vaeBytes = entries.find((e) => e.key === `${join(root, vae)}|best`)!;
    console.log(`memory held: undercomplete ${aeBytes.weightBytes} B weights + ${aeBytes.codeBytes} B codes; variational ${vaeBytes.weightBytes} B weights + ${vaeBytes.codeBytes} B codes; images ${entries.find((e) => e.kind === 'images')?.bytes} B`);
    expect(aeBytes.weightBytes).toBeGreaterThan(400_000); // 784·128 + 128·32 + … floats
    const small = new BottleneckBackend({ shell: 'cli', runsRoot: root, graphsRoot: join(root, 'graphs'), settingsPath: join(root, 'settings.json'), modelCacheBytes: Math.max(aeBytes.weightBytes!, vaeBytes.weightBytes!) + 1000 });
    try {
      await small.invoke('model:info', { runId: ae });
      expect((await small.models.call('memory', null, {})).entries.map((e) => e.key)).toEqual([`${join(root, ae)}|best`]);
      await small.invoke('model:info', { runId: vae });
      const after = await small.models.call('memory', null, {});
      expect(after.entries.map((e) => e.key)).toEqual([`${join(root, vae)}|best`]);
      expect(after.total).toBeLessThanOrEqual(after.limit);
      // The evicted model loads again on its next use, with the same answers.
      expect((await small.invoke('model:decode', { runId: ae, codes: [new Array(32).fill(0.5)] })).count).toBe(1);
    } finally {
      await small.dispose();
    }
  });
});
