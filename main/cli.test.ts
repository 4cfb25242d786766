import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { serializeGraph } from '../core/graph/schema';
import { undercomplete } from '../core/templates/undercomplete';

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
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ id: last.runId, status: 'finished' });
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
});
