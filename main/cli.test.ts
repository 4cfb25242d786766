import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { serializeGraph } from '../core/graph/schema';
import { buildTemplate } from '../core/templates';
import { undercomplete } from '../core/templates/undercomplete';
import { newRunId } from './backend/runs/naming';
import { RunStore } from './backend/runs/store';

const root = join(import.meta.dirname, '..');

function cli(args: string[], home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-'))) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, BOTTLENECK_HOME: home },
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { ...result, home };
}

function graphFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'graph-')), 'model.bottleneck.json');
  writeFileSync(file, text);
  return file;
}

describe('bottleneck CLI', () => {
  it.each([
    ['not JSON', '{"format": "bottleneck.graph", ', /model\.bottleneck\.json: not valid JSON/],
    ['an unknown block kind', serializeGraph({ ...undercomplete(), nodes: [{ id: 'n1', kind: 'Attention' as never, params: {}, position: { x: 0, y: 0 } }], edges: [] }), /node "n1": unknown block kind "Attention"/],
    ['a cycle', serializeGraph({ ...undercomplete(), edges: [...undercomplete().edges, { id: 'loop', source: 'output-8', target: 'input-1' }] }), /the graph has a cycle: /],
  ])('rejects a graph file with %s in one line, creating no run', (_what, text, message) => {
    const r = cli(['train', '--graph', graphFile(text)]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(r.home, 'runs')) ? readdirSync(join(r.home, 'runs')) : []).toEqual([]);
  });

  it('rejects bad arguments with a one-line error', () => {
    for (const args of [['train', '--epochs', '0'], ['train', '--learning-rate', 'fast'], ['train', '--bogus'], ['train', '--template', 'gan'], ['fly']]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('checks training options against the bounds the graph schema holds, in the same words', () => {
    for (const [args, message] of [
      [['--batch-size', '70000'], '--batch-size must be a whole number from 1 to 65,536, got "70000"'],
      [['--epochs', '20000'], '--epochs must be a whole number from 1 to 10,000, got "20000"'],
      [['--learning-rate', '0'], '--learning-rate must be a number above 0 and at most 1,000, got "0"'],
      [['--seed=-4'], '--seed must be a whole number from 0 to 2,147,483,647, got "-4"'],
      [['--patience', '1.5'], '--patience must be a whole number from 0 to 1,000, got "1.5"'],
      [['--weight-decay', '2'], '--weight-decay must be a number from 0 to 1, got "2"'],
      [['--warmup=-1'], '--warmup must be a number from 0 to 1,000, got "-1"'],
      [['--schedule', 'linear'], '--schedule must be one of constant, step, cosine, got "linear"'],
    ] as const) {
      const r = cli(['train', ...args]);
      expect([r.status, r.stderr.trim()]).toEqual([2, `bottleneck: ${message}`]);
    }
  });

  it('trains with --json, ending on run-finished with loss and val_loss, and stores the run', () => {
    const r = cli(['train', '--template', 'undercomplete', '--epochs', '1', '--batch-size', '256', '--seed', '5', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: 'dataset-ready', dataset: { trainCount: 10000, validationCount: 1000 } });
    expect(events[1].type).toBe('run-started');
    const last = events.at(-1);
    expect(last.type).toBe('run-finished');
    expect(last.loss).toBeGreaterThan(0);
    expect(last.val_loss).toBeLessThan(0.6);
    const runDir = join(r.home, 'runs', last.runId);
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ format: 'bottleneck.run', status: 'finished', epochsDone: 1, config: { batchSize: 256, seed: 5 } });
    expect(run.backend.name).toBe(events[1].backend);
    expect(JSON.parse(readFileSync(join(runDir, 'graph.json'), 'utf8')).format).toBe('bottleneck.graph');
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.find((m) => m.key === 'val_loss').value).toBeCloseTo(last.val_loss, 6);

    const list = cli(['runs', '--json'], r.home);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id: last.runId, status: 'finished', topology: 'undercomplete', codeSize: 32, damaged: null });
    const show = cli(['runs', 'show', last.runId], r.home);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^epoch +loss +val_loss/m);
    expect(show.stdout).toMatch(new RegExp(`^ +1 +${last.loss.toFixed(4)} +${last.val_loss.toFixed(4)} `, 'm'));
  });

  it('says when the batch is larger than the training images, and shows the batch used', () => {
    const r = cli(['train', '--data', 'builtin:fashion-mnist?train=40&validation=16', '--epochs', '1', '--batch-size', '128']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\nnote: batch size 128 is larger than the 40 training images: using 40\n');
    const [run] = JSON.parse(cli(['runs', '--json'], r.home).stdout);
    expect(cli(['runs', 'show', run.id], r.home).stdout).toMatch(/^settings +epochs 1, batchSize 128 \(40 used\), /m);
  });

  it('trains on an image folder given as --data, its subfolders naming the classes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-folder-'));
    for (const [name, value] of [['light', 220], ['dark', 30]] as const) {
      mkdirSync(join(dir, name));
      for (let i = 0; i < 12; i++) {
        await sharp(Buffer.alloc(12 * 12, value + (i % 5)), { raw: { width: 12, height: 12, channels: 1 } }).png().toFile(join(dir, name, `${i}.png`));
      }
    }
    const r = cli(['train', '--data', dir, '--epochs', '1', '--batch-size', '8', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ classNames: ['dark', 'light'], trainCount: 22, validationCount: 2 });
    expect(events.find((e) => e.type === 'dataset-ready').dataset).toMatchObject({ path: dir, counts: { dark: 12, light: 12 } });
    expect(events.at(-1).type).toBe('run-finished');
    expect(readdirSync(join(dir, 'light'))).toHaveLength(12); // the folder is only read
    const resized = cli(['train', '--data', dir, '--size', '8x6', '--channels', '3', '--fit', 'contain', '--validation-split', '0.25', '--epochs', '1', '--batch-size', '8', '--json']);
    expect(resized.status, resized.stderr).toBe(0);
    const ready = resized.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((e) => e.type === 'dataset-ready');
    expect(ready.dataset).toMatchObject({ height: 8, width: 6, channels: 3, trainCount: 18, validationCount: 6, preprocessing: { fit: 'contain' } });
    const bad = cli(['train', '--data', dir, '--size', '8by6']);
    expect([bad.status, bad.stderr.trim()]).toEqual([2, 'bottleneck: --size must be HEIGHTxWIDTH from 1x1 to 512x512, got "8by6"']);
  });

  it('lists, shows and exports stored runs; a damaged folder is listed with its reason', () => {
    const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-runs-'));
    const store = new RunStore(join(home, 'runs'));
    const id = newRunId(new Date('2026-03-04T05:06:07Z'));
    store.create(id, buildTemplate('convolutional'), 'builtin:fashion-mnist');
    for (const epoch of [1, 2]) {
      store.record({ type: 'batch-end', runId: id, epoch, batch: 1, step: epoch * 10, loss: 0.9, samplesPerSec: 100, elapsedMs: 1 });
      store.record({ type: 'epoch-end', runId: id, epoch, step: epoch * 10, loss: 0.5 / epoch, val_loss: 0.6 / epoch, metrics: { recon_loss: 0.4 / epoch, val_kl_loss: 0.01 }, samplesPerSec: 2000, elapsedMs: epoch * 1000, best_val_loss: 0.6 / epoch, improved: true, latent: { method: 'raw', x: [0], y: [1], labels: [0] }, recon: { height: 1, width: 1, channels: 1, originals: [[0]], reconstructions: [[1]], labels: [0] } });
    }
    store.record({ type: 'run-stopped', runId: id, epochs: 2, loss: 0.25, val_loss: 0.3, elapsedMs: 2000 });
    store.rename(id, { name: 'wide, "quoted"', starred: true });
    const damaged = newRunId(new Date('2026-01-01T00:00:00Z'));
    mkdirSync(join(home, 'runs', damaged));

    const list = cli(['runs'], home);
    expect(list.status, list.stderr).toBe(0);
    const [header, first, second] = list.stdout.trim().split('\n');
    expect(header).toMatch(/ID +STATUS +EPOCHS +TIME +TOPOLOGY +CODE +PARAMS +DATASET +BEST VAL +BACKEND +NAME/);
    expect(first).toMatch(new RegExp(`^★ +${id} +stopped +2/5 +\\S+ +convolutional +32 +121k +Fashion-MNIST +0\\.3000 +- +wide, "quoted"$`));
    expect(second).toMatch(new RegExp(`^! +${damaged} +damaged .* run\\.json is missing$`));
    const json = JSON.parse(cli(['runs', '--json'], home).stdout);
    expect(json.map((r: { id: string; damaged: string | null }) => [r.id, r.damaged])).toEqual([[id, null], [damaged, 'run.json is missing']]);

    const show = cli(['runs', 'show', id], home);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run ${id} ★  wide, "quoted"`);
    expect(show.stdout).toMatch(/^graph +convolutional, code 32, 120,769 parameters$/m);
    const table = show.stdout.slice(show.stdout.indexOf('epoch ')).trim().split('\n');
    expect(table.map((l) => l.trim().split(/ +/))).toEqual([
      ['epoch', 'loss', 'val_loss', 'recon_loss', 'val_kl_loss', 'samples_per_sec'],
      ['1', '0.5000', '0.6000', '0.4000', '0.0100', '2000'],
      ['2', '0.2500', '0.3000', '0.2000', '0.0100', '2000'],
    ]);
    const detail = JSON.parse(cli(['runs', 'show', id, '--json'], home).stdout);
    expect(detail).toMatchObject({ summary: { id, status: 'stopped' }, skippedMetricLines: 0, latentEpochs: [1, 2], sampleEpochs: [1, 2] });

    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'run');
    const exp = cli(['runs', 'export', id, '--out', out], home);
    expect(exp.status, exp.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['graph.json', 'latent', 'metrics.csv', 'metrics.jsonl', 'run.json', 'samples']);
    expect(readdirSync(join(out, 'latent'))).toEqual(['epoch-0001.bin', 'epoch-0002.bin']);
    expect(readdirSync(join(out, 'samples'))).toEqual(['epoch-0001.json', 'epoch-0002.json']);
    expect(readFileSync(join(out, 'run.json'), 'utf8')).toBe(readFileSync(join(home, 'runs', id, 'run.json'), 'utf8'));
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,step,key,value,t');
    expect(csv.slice(1, 4).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['1,10,loss,0.9', '1,10,epoch_loss,0.5', '1,10,val_loss,0.6']);
    expect(csv).toHaveLength(1 + readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length);

    // Never overwrites: a non-empty folder is refused in one line, and left as it was.
    writeFileSync(join(out, 'metrics.csv'), 'mine');
    const again = cli(['runs', 'export', id, '--out', out], home);
    expect([again.status, again.stderr.trim()]).toEqual([2, `bottleneck: ${out} is not empty: export into a new or empty folder`]);
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8')).toBe('mine');

    for (const [args, message] of [
      [['runs', 'show', '20990101T000000Z-none'], `bottleneck: no run 20990101T000000Z-none in ${join(home, 'runs')}`],
      [['runs', 'show', damaged], `bottleneck: run ${damaged}: run.json is missing`],
      [['runs', 'export', id], 'bottleneck: runs export needs --out DIR'],
      [['runs', 'show'], 'bottleneck: runs show needs a run id (see "bottleneck runs")'],
      [['runs', 'delete', id], `bottleneck: unknown runs command "delete": use runs, runs show RUN_ID or runs export RUN_ID --out DIR`],
    ] as const) {
      const r = cli([...args], home);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([2, message]);
    }
  });

  it("lists a run's tags and shows its note, and exports them with the run", () => {
    const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-notes-'));
    const store = new RunStore(join(home, 'runs'));
    const [tagged, plain] = [newRunId(new Date('2026-03-05T00:00:00Z')), newRunId(new Date('2026-03-04T00:00:00Z'))];
    for (const id of [tagged, plain]) store.create(id, buildTemplate('undercomplete'), 'builtin:fashion-mnist');
    store.annotate(tagged, { note: 'Lower learning rate.\nThe curve is smoother.', tags: ['baseline', 'lr sweep'] });

    const [header, first, second] = cli(['runs'], home).stdout.trim().split('\n');
    expect(header).toMatch(/ BACKEND +TAGS +NAME$/);
    expect(first).toMatch(new RegExp(`^ +${tagged} .* baseline, lr sweep +Undercomplete autoencoder$`));
    expect(second).toMatch(new RegExp(`^ +${plain} .* - +Undercomplete autoencoder \\(2\\)$`));
    const show = cli(['runs', 'show', tagged], home).stdout;
    expect(show).toMatch(/^tags +baseline, lr sweep$/m);
    expect(show).toContain('note      Lower learning rate.\n          The curve is smoother.\n');
    expect(cli(['runs', 'show', plain], home).stdout).not.toMatch(/^(tags|note) /m);
    expect(JSON.parse(cli(['runs', '--json'], home).stdout)[0]).toMatchObject({ id: tagged, tags: ['baseline', 'lr sweep'], note: 'Lower learning rate.\nThe curve is smoother.' });
    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'run');
    expect(cli(['runs', 'export', tagged, '--out', out], home).status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'notes.json'), 'utf8'))).toMatchObject({ tags: ['baseline', 'lr sweep'] });
  });

  it('refuses targets it cannot make in one line, at once (Node\'s recursive mkdir spins under /proc)', () => {
    const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-targets-'));
    const store = new RunStore(join(home, 'runs'));
    const id = newRunId();
    store.create(id, buildTemplate('undercomplete'), 'builtin:fashion-mnist');
    const quick = (args: string[], env: string) => {
      const started = Date.now();
      const r = cli(args, env);
      expect(Date.now() - started, args.join(' ')).toBeLessThan(30_000);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      return r;
    };
    if (process.platform === 'linux') {
      const proc = quick(['runs'], '/proc/bottleneck-home');
      expect([proc.status, proc.stderr.trim()]).toEqual([1, "bottleneck: cannot make the runs folder /proc/bottleneck-home/runs: ENOENT: no such file or directory, mkdir '/proc/bottleneck-home'"]);
      const out = quick(['runs', 'export', id, '--out', '/proc/bottleneck-export'], home);
      expect([out.status, out.stderr.trim()]).toEqual([2, "bottleneck: cannot make /proc/bottleneck-export: ENOENT: no such file or directory, mkdir '/proc/bottleneck-export'"]);
    }
    const long = quick(['runs', 'export', id, '--out', join(home, 'x'.repeat(300))], home);
    expect(long.status).toBe(2);
    expect(long.stderr).toMatch(/^bottleneck: cannot make .*: ENAMETOOLONG: name too long/);
    const file = join(home, 'a-file');
    writeFileSync(file, '');
    expect(quick(['runs'], file).stderr.trim()).toBe(`bottleneck: cannot make the runs folder ${file}/runs: ENOTDIR: not a directory, stat '${file}/runs'`);
  });

  it('a metrics file that cannot be read is named in one line, not a stack', () => {
    const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-unreadable-'));
    const store = new RunStore(join(home, 'runs'));
    const id = newRunId();
    store.create(id, buildTemplate('undercomplete'), 'builtin:fashion-mnist');
    // Unreadable for root too: a folder where the file should be (EISDIR, as EACCES is for a user).
    rmSync(join(home, 'runs', id, 'metrics.jsonl'));
    mkdirSync(join(home, 'runs', id, 'metrics.jsonl'));
    for (const args of [['runs', 'show', id], ['runs', 'export', id, '--out', join(home, 'out')]]) {
      const r = cli(args, home);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim(), args.join(' ')).toBe(`bottleneck: run ${id}: metrics.jsonl: not a regular file (a directory)`);
    }
  });
});
