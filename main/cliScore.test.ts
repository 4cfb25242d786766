/** `bottleneck train --exclude` and `bottleneck score` on a model the CLI trained here (2 epochs on 2,048 built-in images). */
import { runCli } from './testCli';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { undercomplete } from '../core/templates/undercomplete';
import { newRunId } from './backend/runs/naming';
import { RunStore } from './backend/runs/store';
import { blackPng, writePngFolder } from './backend/testImages';

const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-score-'));
const out = mkdtempSync(join(tmpdir(), 'cli-score-out-'));
const DATA = 'builtin:fashion-mnist?train=2048&validation=300';

const cli = (args: string[]) => runCli(home, args);

const csvRows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((line) => line.split(','));

let runId: string;
beforeAll(() => {
  const r = cli(['train', '--template', 'undercomplete', '--data', DATA, '--exclude', 'trouser', '--epochs', '2', '--seed', '2', '--json']);
  expect(r.status, r.stderr).toBe(0);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  expect(last.type).toBe('run-finished');
  runId = last.runId;
}, 120_000);

describe('bottleneck score', () => {
  it('writes the ranking as CSV and prints each class’s mean error, the held-out class’s AUC and the count over the threshold', () => {
    const run = JSON.parse(readFileSync(join(home, 'runs', runId, 'run.json'), 'utf8'));
    expect(run.dataset).toMatchObject({ id: `${DATA}&classes=0,2,3,4,5,6,7,8,9`, trainedClasses: [0, 2, 3, 4, 5, 6, 7, 8, 9] });
    const file = join(out, 'scores.csv');
    const r = cli(['score', runId, '--threshold', '0.03', '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`scored 300 images of Fashion-MNIST (built-in subset) with run ${runId} (best checkpoint, epoch 2); wrote the ranking to ${file}`);
    expect(lines[1]).toMatch(/^label +class +images +mean error +median +not trained on$/);
    expect(lines[3]).toMatch(/^ +1 +Trouser +\d+ +0\.\d{5} +0\.\d{5} +held out$/);
    expect(lines).toHaveLength(1 + 11 + 2);
    const auc = /^ROC AUC (0\.\d{4}|1\.0000): Trouser \(held out of training\) against the classes it trained on$/.exec(lines[12]!);
    expect(auc, lines[12]).not.toBeNull();
    console.log(`bottleneck score, Trouser held out (2 epochs, 2,048 images): ${lines[12]}`);
    const [header, ...rows] = csvRows(file);
    expect(header).toEqual(['index', 'label', 'class', 'error', 'held_out', 'new_class', 'anomalous']);
    expect(rows).toHaveLength(300);
    const errors = rows.map((row) => Number(row[3]));
    for (let i = 1; i < errors.length; i++) expect(errors[i]).toBeLessThanOrEqual(errors[i - 1]!);
    expect(new Set(rows.map((row) => row[0])).size).toBe(300);
    for (const row of rows) expect([row[4], row[5], row[6]]).toEqual([row[2] === 'Trouser' ? '1' : '0', '0', Number(row[3]) > 0.03 ? '1' : '0']);
    const over = rows.filter((row) => row[6] === '1').length;
    expect(lines[13]).toBe(`${over} of 300 images over the threshold 0.03 (${((100 * over) / 300).toFixed(1)} %)`);
  });

  it('scores a folder whole, each row naming its file, and lists the files it skipped with the reason', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-score-folder-'));
    await writePngFolder(folder, { bright: new Uint8Array(3 * 784).fill(240), dark: new Uint8Array(2 * 784).fill(10) }, 28, 28, 1);
    writeFileSync(join(folder, 'dark', 'notes.txt'), 'not an image');
    writeFileSync(join(folder, 'dark', 'broken.png'), 'not a PNG either');
    writeFileSync(join(folder, 'bright', 'bomb.png'), blackPng(16000, 16000));
    const file = join(out, 'folder.csv');
    const r = cli(['score', runId, '--data', folder, '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const listed = lines.indexOf('3 files skipped:');
    expect(listed, r.stdout).toBeGreaterThan(0);
    const skipped = lines.slice(listed + 1, listed + 4);
    expect(skipped).toEqual(
      expect.arrayContaining([
        `  ${join(folder, 'bright', 'bomb.png')}: too large: 16000×16000 is 256 megapixels; images up to 200 megapixels are read`,
        expect.stringMatching(new RegExp(`^  ${join(folder, 'dark', 'broken.png')}: cannot decode: `)),
        `  ${join(folder, 'dark', 'notes.txt')}: not an image file (.txt)`,
      ]),
    );
    const [header, ...rows] = csvRows(file);
    expect(header).toEqual(['index', 'file', 'label', 'class', 'error', 'held_out', 'new_class']);
    // A folder the model never saw: its classes are new to it, not held out (the run held out Trouser).
    for (const row of rows) expect([row[5], row[6]]).toEqual(['0', '1']);
    expect(r.stdout).toMatch(/ bright .* new\n/);
    expect(rows.map((row) => row[1]).sort()).toEqual(['bright/0000.png', 'bright/0001.png', 'bright/0002.png', 'dark/0000.png', 'dark/0001.png']);
    // Near-white squares are far from any garment the model learned; near-black ones close to the background.
    expect(rows.slice(0, 3).map((row) => row[3])).toEqual(['bright', 'bright', 'bright']);
    expect(r.stdout).not.toMatch(/ROC AUC/);
  });

  it('refuses in one line: bad options, classes that do not exist, a run with no checkpoint', () => {
    const store = new RunStore(join(home, 'runs'));
    const fresh = newRunId(new Date('2026-01-02T00:00:00Z'));
    store.create(fresh, undercomplete(), DATA);
    const csv = join(out, 'x.csv');
    for (const [args, status, message] of [
      [['score', runId, '--threshold=-1', '--out', csv], 2, '--threshold must be a number ≥ 0 (a mean squared error per pixel, pixels in [0, 1]), got "-1"'],
      [['score', runId, '--threshold', 'high', '--out', csv], 2, '--threshold must be a number ≥ 0 (a mean squared error per pixel, pixels in [0, 1]), got "high"'],
      [['score', runId, '--out', join(out, 'x.txt')], 2, `--out must name a .csv file, got "${join(out, 'x.txt')}"`],
      [['score', fresh, '--out', csv], 1, `run ${fresh} has no checkpoint yet: it has not finished an epoch`],
      [['score', runId, '--data', 'builtin:cifar-10', '--out', csv], 2, 'unknown dataset "builtin:cifar-10"'],
      [['train', '--data', DATA, '--classes', '1', '--exclude', '2'], 2, 'give either --classes or --exclude, not both'],
      [['train', '--data', DATA, '--exclude', '12'], 2, '--exclude: class 12 is out of range (the classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot)'],
      [['train', '--data', DATA, '--classes', 'shoes'], 2, '--classes: no class "shoes" (the classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot)'],
      [['train', '--resume', runId, '--exclude', '2'], 2, '--resume continues a run with its own settings: drop --exclude'],
    ] as const) {
      const r = cli([...args]);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([status, `bottleneck: ${message}`]);
    }
    expect(cli(['score', '--help']).stdout).toContain('  bottleneck score RUN_ID [--data DIR|builtin:...] [--threshold X] [--checkpoint best|last] --out scores.csv');
  });
});
