/** `bottleneck encode`, `sample` and `interpolate` on models the CLI trained here. */
import { runCli } from './testCli';
import { mkdirSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { subsetDataset } from '../core/data/dataset';
import { parseGraphText } from '../core/graph/schema';
import { undercomplete } from '../core/templates/undercomplete';
import { readCheckpoint } from './backend/checkpoints';
import { BUILTIN_FASHION_MNIST, loadDataset } from './backend/datasets';
import { decodeOne } from './backend/imageDecode';
import { newRunId } from './backend/runs/naming';
import { RunStore } from './backend/runs/store';
import { BottleneckBackend } from './backend/service';
import { engineEvaluation } from './backend/engine/testModels';

const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-explore-'));
const out = mkdtempSync(join(tmpdir(), 'cli-explore-out-'));
const DATA = 'builtin:fashion-mnist?train=256&validation=64';

const cli = (args: string[]) => runCli(home, args);

function trained(args: string[]): string {
  const r = cli(['train', ...args, '--epochs', '1', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  expect(last.type).toBe('run-finished');
  return last.runId as string;
}

/** The CSV's rows as arrays of fields (no quoted commas in these files). */
const csvRows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((line) => line.split(','));

let runId: string;
beforeAll(() => {
  runId = trained(['--template', 'undercomplete', '--data', DATA, '--seed', '3']);
}, 120_000);

describe('bottleneck encode', () => {
  it('writes one row per image with its label, and codes equal to the encoder output within 1e-5', async () => {
    const r = cli(['encode', runId, '--out', join(out, 'codes.csv')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`wrote 320 codes of 32 values to ${join(out, 'codes.csv')}`);
    const [header, ...rows] = csvRows(join(out, 'codes.csv'));
    expect(header!.slice(0, 5)).toEqual(['index', 'split', 'label', 'class', 'z0']);
    expect(header).toHaveLength(4 + 32);
    expect(rows).toHaveLength(320);
    const data = subsetDataset(loadDataset(BUILTIN_FASHION_MNIST), 256, 64);
    rows.forEach((row, i) => {
      const split = i < 256 ? data.train : data.validation;
      const index = i < 256 ? i : i - 256;
      expect(row.slice(0, 4)).toEqual([String(index), i < 256 ? 'train' : 'validation', String(split.labels[index]), data.classNames[split.labels[index]!]]);
    });

    // The codes of the training engine's own evaluation, from the run's best checkpoint, on the same images.
    const dir = join(home, 'runs', runId);
    const graph = parseGraphText(readFileSync(join(dir, 'graph.json'), 'utf8'));
    const images = new Float32Array([...data.train.images, ...data.validation.images].map((v) => v / 255));
    const expected = (await engineEvaluation(graph, readCheckpoint(dir, 'best').weights, { data: images, dims: [320, 28, 28, 1] })).code.data;
    let worst = 0;
    rows.forEach((row, i) => row.slice(4).forEach((v, j) => (worst = Math.max(worst, Math.abs(Number(v) - expected[i * 32 + j]!)))));
    expect(worst).toBeLessThan(1e-5);

    // .npy: the same codes as float32, the rows' labels beside it.
    const npy = cli(['encode', runId, '--split', 'validation', '--out', join(out, 'codes.npy')]);
    expect(npy.status, npy.stderr).toBe(0);
    const bytes = readFileSync(join(out, 'codes.npy'));
    const headerLength = bytes.readUInt16LE(8);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect(bytes.subarray(10, 10 + headerLength).toString()).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(64, 32\), \} *\n$/);
    expect((10 + headerLength) % 64).toBe(0);
    const codes = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length));
    expect(codes).toHaveLength(64 * 32);
    rows.slice(256).forEach((row, i) => row.slice(4).forEach((v, j) => expect(codes[i * 32 + j]).toBe(Math.fround(Number(v)))));
    const labels = csvRows(join(out, 'codes.labels.csv'));
    expect(labels[0]).toEqual(['index', 'split', 'label', 'class']);
    expect(labels.slice(1).map((row) => row[2])).toEqual(Array.from(data.validation.labels, String));
  });

  it('names each image of a folder by its file, and the Explore channels name the same files', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-explore-folder-'));
    for (const [name, value] of [['light', 220], ['dark', 30]] as const) {
      mkdirSync(join(folder, name));
      for (let i = 0; i < 10; i++) {
        await sharp(Buffer.alloc(12 * 12, value + i * 2), { raw: { width: 12, height: 12, channels: 1 } }).toColourspace('b-w').png().toFile(join(folder, name, `${i}.png`));
      }
    }
    const folderRun = trained(['--data', folder, '--batch-size', '8']);
    const r = cli(['encode', folderRun, '--data', folder, '--out', join(out, 'folder.csv')]);
    expect(r.status, r.stderr).toBe(0);
    const [header, ...rows] = csvRows(join(out, 'folder.csv'));
    expect(header!.slice(0, 5)).toEqual(['index', 'split', 'file', 'label', 'class']);
    expect(rows).toHaveLength(20);
    expect(rows.map((row) => row[2]).sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `dark/${i}.png`), ...Array.from({ length: 10 }, (_, i) => `light/${i}.png`)].sort());
    for (const row of rows) expect(row[4]).toBe(row[2]!.split('/')[0]);

    // Each validation point's file holds the image the map shows for it.
    const backend = new BottleneckBackend({ shell: 'cli', runsRoot: join(home, 'runs'), graphsRoot: join(home, 'graphs'), settingsPath: join(home, 'settings.json') });
    try {
      const map = await backend.invoke('model:map', { runId: folderRun, method: 'pca' });
      expect(map.files).toEqual(rows.filter((row) => row[1] === 'validation').map((row) => row[2]));
      for (let i = 0; i < map.files!.length; i++) {
        const point = await backend.invoke('model:point', { runId: folderRun, index: map.indices[i]! });
        expect(point.file).toBe(map.files![i]);
        const fromFile = await decodeOne(join(folder, point.file!), { height: 12, width: 12, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'white' });
        expect(Array.from(Buffer.from(point.images.pixels, 'base64').subarray(0, 144))).toEqual(Array.from(fromFile));
      }
    } finally {
      await backend.dispose();
    }
  });
});

describe('bottleneck sample and interpolate', () => {
  it('sample writes a grid PNG; the same seed gives the same pixels', async () => {
    const paths = ['a.png', 'b.png', 'c.png'].map((f) => join(out, f));
    for (const [file, seed] of [[paths[0]!, '5'], [paths[1]!, '5'], [paths[2]!, '6']] as const) {
      const r = cli(['sample', runId, '--n', '16', '--seed', seed, '--temperature', '0.8', '--out', file]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^wrote 16 samples of run .* \(a Gaussian fitted to the training codes, seed \d, temperature 0\.8\)/);
      expect(r.stdout).toMatch(/\nnote: .*only a VAE’s latent space is trained to be sampled/);
    }
    const [a, b, c] = await Promise.all(paths.map((p) => sharp(p).raw().toBuffer({ resolveWithObject: true })));
    expect([a!.info.width, a!.info.height]).toEqual([4 * 28 + 3 * 2, 4 * 28 + 3 * 2]);
    expect(a!.data.equals(b!.data)).toBe(true);
    expect(a!.data.equals(c!.data)).toBe(false);
  });

  it('interpolate writes a strip from a validation image to an image file resized to the model', async () => {
    const file = join(out, 'big.png');
    await sharp(Buffer.alloc(64 * 64 * 3, 200), { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(file);
    const r = cli(['interpolate', runId, '--from', '3', '--to', file, '--steps', '5', '--out', join(out, 'strip.png')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`wrote 5 images of run ${runId} along the linear path to ${join(out, 'strip.png')}`);
    const meta = await sharp(join(out, 'strip.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([5 * 28 + 4 * 2, 28, 1]);
  });
});

describe('bigger pictures: --scale', () => {
  it('sample and interpolate draw each image N times its size, every pixel a crisp N×N block, found by the end of the run id', async () => {
    const plain = join(out, 'scale-1.png');
    const big = join(out, 'scale-4.png');
    const suffix = runId.slice(-4);
    for (const [file, scale] of [[plain, '1'], [big, '4']] as const) {
      const r = cli(['sample', suffix, '--n', '4', '--seed', '2', '--scale', scale, '--out', file]);
      expect(r.status, r.stderr).toBe(0);
    }
    const [small, large] = await Promise.all([plain, big].map((p) => sharp(p).raw().toBuffer({ resolveWithObject: true })));
    const side = 2 * 28 + 2;
    expect([small!.info.width, small!.info.height]).toEqual([side, side]);
    expect([large!.info.width, large!.info.height]).toEqual([4 * side, 4 * side]);
    const c = small!.info.channels;
    for (const [x, y] of [[0, 0], [10, 13], [40, 30], [57, 57]] as const) {
      const value = small!.data[(y * side + x) * c]!;
      for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) expect(large!.data[((y * 4 + dy) * 4 * side + x * 4 + dx) * c]).toBe(value);
    }
    const strip = join(out, 'strip-3.png');
    const r = cli(['interpolate', suffix, '--from', '0', '--to', '1', '--steps', '3', '--scale', '3', '--out', strip]);
    expect(r.status, r.stderr).toBe(0);
    const meta = await sharp(strip).metadata();
    expect([meta.width, meta.height]).toEqual([3 * (3 * 28 + 2 * 2), 3 * 28]);
  });
});

describe('the explore commands refuse in one line', () => {
  it('a run without checkpoints, a deleted run, a graph with no bottleneck, bad arguments', () => {
    const store = new RunStore(join(home, 'runs'));
    const fresh = newRunId(new Date('2026-01-02T00:00:00Z'));
    store.create(fresh, undercomplete(), DATA);
    const noCode = newRunId(new Date('2026-01-03T00:00:00Z'));
    const graph = undercomplete();
    graph.nodes.find((n) => n.kind === 'Bottleneck')!.kind = 'Dense';
    store.create(noCode, graph, DATA);
    const gone = newRunId(new Date('2026-01-04T00:00:00Z'));
    store.create(gone, undercomplete(), DATA);
    mkdirSync(store.trashDir, { recursive: true });
    renameSync(store.dir(gone), join(store.trashDir, gone));
    const png = join(out, 'x.png');
    for (const [args, status, message] of [
      [['sample', fresh, '--out', png], 1, `run ${fresh} has no checkpoint yet: it has not finished an epoch`],
      [['encode', noCode, '--out', join(out, 'x.csv')], 1, `the graph of run ${noCode} has no bottleneck: there is no latent space to explore`],
      [['interpolate', gone, '--from', '0', '--to', '1', '--out', png], 1, `run ${gone} was deleted: restore it from the trash to explore it`],
      [['sample', runId, '--n', '0', '--out', png], 2, '--n must be a whole number from 1 to 256, got "0"'],
      [['sample', runId], 2, 'sample needs --out a .png file'],
      [['encode', runId, '--out', join(out, 'codes.txt')], 2, `--out must name a .csv or .npy file, got "${join(out, 'codes.txt')}"`],
      [['interpolate', runId, '--from', '0', '--to', '1', '--path', 'curvy', '--out', png], 2, '--path must be linear or spherical, got "curvy"'],
      [['interpolate', runId, '--from', '0', '--to', join(out, 'missing.png'), '--out', png], 2, `--to must be a validation image's index or an image file, got "${join(out, 'missing.png')}" (no such file)`],
      // An index out of range is a bad argument, as the README says: exit 2.
      [['interpolate', runId, '--from', '0', '--to', '64', '--out', png], 2, `image 64 is out of range: run ${runId} has 64 validation images (0 to 63)`],
    ] as const) {
      const r = cli([...args]);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([status, `bottleneck: ${message}`]);
    }
  });
});
