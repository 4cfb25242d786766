/**
 * The exported PyTorch project reads image folders as the app does (issue 21): the same files (a
 * 50-megapixel image read, one over the limit skipped, a broken one skipped), transparency onto
 * the same background; a run of the built-in set takes a folder of images too, and a folder of
 * neither is refused in one line. The project's README shows the dataset readable.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initialParams } from '../../core/compile/init';
import { planModel } from '../../core/compile/plan';
import { folderDatasetId } from '../../core/data/datasetId';
import type { Preprocessing } from '../../core/data/preprocessing';
import { buildTemplate } from '../../core/templates';
import type { SavedTensor } from '../../core/train/state';
import { BUILTIN_FASHION_MNIST } from './datasets';
import { pytorchProject, type PytorchProjectInput } from './export/pytorch';
import { decodeFolder } from './datasetCache';
import { scanFolder } from './folderScan';
import { blackPng, symbolicIcon } from './testImages';

const PYTHON = '/usr/bin/python3';
const check = spawnSync(PYTHON, ['-c', 'import torch, numpy, PIL'], { encoding: 'utf8' });
const skipReason = check.status === 0 ? null : `${PYTHON} cannot import torch, numpy and PIL: the PyTorch folder tests are skipped`;
if (skipReason) console.log(skipReason);

const SETTINGS: Preprocessing = { height: 8, width: 8, channels: 1, fit: 'fill', validationSplit: 0.25, seed: 5, background: 'white' };

function project(input: Omit<PytorchProjectInput, 'runId' | 'runName' | 'epoch'>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pytorch-folder-'));
  for (const f of pytorchProject({ ...input, runId: 'r1', runName: 'r1', epoch: 1 })) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.data);
  }
  return dir;
}

async function weightsOf(image: { height: number; width: number; channels: number }): Promise<{ graph: ReturnType<typeof buildTemplate>; weights: SavedTensor[] }> {
  const graph = buildTemplate('undercomplete', image);
  graph.training = { ...graph.training, batchSize: 4 };
  return { graph, weights: initialParams(planModel(graph).params, graph.training.seed) };
}

const python = (args: string[], cwd: string) => spawnSync(PYTHON, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });

/** train.py's own reader on `data`: counts, pixels (as .npy) and what it said on stderr. */
const READ = String.raw`
import json, sys
import numpy as np
import train
config = json.load(open("config.json"))
(tx, ty), (vx, vy) = train.load_data(sys.argv[1], config)
np.save("tx.npy", tx)
np.save("vx.npy", vx)
print(json.dumps({"train": len(tx), "validation": len(vx), "shape": list(tx.shape[1:])}))
`;

function npyBytes(file: string): Uint8Array {
  const raw = readFileSync(file);
  const headerLength = raw.readUInt16LE(8);
  return new Uint8Array(raw.subarray(10 + headerLength));
}

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pytorch-icons-'));
  mkdirSync(join(root, 'symbolic'));
  mkdirSync(join(root, 'photos'));
  for (let i = 0; i < 6; i++) await symbolicIcon(join(root, 'symbolic', `icon-${i}.png`), 16 + 4 * i);
  for (let i = 0; i < 5; i++) await sharp(Buffer.alloc(20 * 20 * 3, 40 * i), { raw: { width: 20, height: 20, channels: 3 } }).jpeg({ quality: 95 }).toFile(join(root, 'photos', `photo-${i}.jpg`));
  writeFileSync(join(root, 'photos', 'large.png'), blackPng(8200, 6200)); // 50.8 megapixels: read
  writeFileSync(join(root, 'photos', 'bomb.png'), blackPng(16000, 16000)); // 256 megapixels: skipped
  writeFileSync(join(root, 'photos', 'broken.jpg'), 'not a JPEG');
}, 60_000);

describe('the PyTorch project’s README', () => {
  it('names the dataset readably: the folder path and its settings, not the URL-encoded id', async () => {
    const { graph, weights } = await weightsOf({ height: 8, width: 8, channels: 1 });
    const dir = project({ doc: graph, weights, datasetId: folderDatasetId('/home/me/my icons', SETTINGS) });
    const text = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(text).toContain('trained on the image folder /home/me/my icons (8×8 grayscale, fill, 25 % held out for validation, seed 5, transparent pixels composited onto white)');
    expect(text).toContain("python train.py --data '/home/me/my icons' --epochs 5");
    expect(text).not.toMatch(/%2F/);
  });
});

describe.skipIf(skipReason !== null)('train.py reads image folders as the app does', () => {
  it('a folder run: the same images (50 MP read, the bomb and the broken file skipped), transparency onto white, pixels close to the app’s', async () => {
    const { graph, weights } = await weightsOf({ height: 8, width: 8, channels: 1 });
    const datasetId = folderDatasetId(root, SETTINGS);
    const dir = project({ doc: graph, weights, datasetId });
    const out = python(['-c', READ, 'builtin'], dir);
    expect(out.status, out.stderr).toBe(0);
    const torch = JSON.parse(out.stdout.trim().split('\n').pop()!) as { train: number; validation: number; shape: number[] };
    const app = await decodeFolder(await scanFolder(root), SETTINGS, { cacheDir: mkdtempSync(join(tmpdir(), 'pytorch-cache-')), id: datasetId });
    expect(torch).toEqual({ train: app.dataset.train.count, validation: app.dataset.validation.count, shape: [8, 8, 1] });
    expect(app.dataset.train.count + app.dataset.validation.count).toBe(12);
    // The same files skipped, for the same reasons.
    const skippedByTorch = out.stderr.split('\n').filter((l) => l.startsWith('skipped ')).map((l) => l.slice('skipped '.length).split(': ')[0]).sort();
    expect(skippedByTorch).toEqual(app.skipped.map((s) => s.path).sort());
    expect(out.stderr).toContain(`skipped ${join(root, 'photos', 'bomb.png')}: too large: 16000×16000 is 256 megapixels; images up to 200 megapixels are read`);
    // Transparent corners white in both; pixels within PIL's and sharp's resampling differences.
    const ours = app.dataset.train.images;
    const theirs = npyBytes(join(dir, 'tx.npy'));
    expect(theirs.length).toBe(ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    console.log(`train.py against the app, ${app.dataset.train.count} training images 8×8: largest pixel difference ${worst}`);
    expect(worst).toBeLessThanOrEqual(24);
    const icons = app.dataset.classNames.indexOf('symbolic');
    const firstIcon = Array.from(app.dataset.train.labels).indexOf(icons);
    expect([ours[firstIcon * 64], theirs[firstIcon * 64]]).toEqual([255, 255]);
  }, 120_000);

  it('a run of the built-in set continues on a folder of images (read at its 28×28 grayscale input); a folder of neither is one line', async () => {
    const { graph, weights } = await weightsOf({ height: 28, width: 28, channels: 1 });
    const dir = project({ doc: graph, weights, datasetId: BUILTIN_FASHION_MNIST });
    const train = python(['train.py', '--data', root, '--epochs', '1', '--device', 'cpu'], dir);
    expect(train.status, train.stderr).toBe(0);
    expect(train.stderr).toContain(`read 12 images from ${root}, 2 skipped`);
    expect(readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    const empty = mkdtempSync(join(tmpdir(), 'pytorch-empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'hello');
    const refused = python(['train.py', '--data', empty, '--epochs', '1', '--device', 'cpu'], dir);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.trim()).toBe(`--data ${empty}: no image could be read (looked for .png .jpg .jpeg .webp .gif .bmp .tif .tiff; 0 files skipped)`);
  }, 120_000);
});
