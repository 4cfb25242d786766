/** `bottleneck export` on a model the CLI trained here (1 epoch on 512 built-in images). */
import { runCli } from './testCli';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-export-'));
const out = mkdtempSync(join(tmpdir(), 'cli-export-out-'));

const cli = (args: string[]) => runCli(home, args);

let runId: string;
beforeAll(() => {
  const r = cli(['train', '--template', 'undercomplete', '--data', 'builtin:fashion-mnist?train=512&validation=64', '--epochs', '1', '--json']);
  expect(r.status, r.stderr).toBe(0);
  runId = JSON.parse(r.stdout.trim().split('\n').at(-1)!).runId;
}, 120_000);

describe('bottleneck export', () => {
  it('writes the model in the format asked for and lists the files', () => {
    const dir = join(out, 'onnx');
    const r = cli(['export', runId, '--format', 'onnx', '--out', dir, '--checkpoint', 'last']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`exported run ${runId} (last checkpoint, epoch 1) as ONNX to ${dir}:`);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'autoencoder.onnx', 'decoder.onnx', 'encoder.onnx']);
  }, 60_000);

  it('refuses in one line, exit 2: bad options, a folder that holds files', () => {
    const full = join(out, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    for (const [args, message] of [
      [['export', runId, '--out', join(out, 'x')], '--format must be onnx, tfjs, pytorch'],
      [['export', runId, '--format', 'keras', '--out', join(out, 'x')], '--format must be onnx, tfjs, pytorch, got "keras"'],
      [['export', runId, '--format', 'tfjs'], 'export needs --out DIR (a new or empty folder)'],
      [['export', '--format', 'tfjs', '--out', join(out, 'x')], 'export needs a run id (see "bottleneck runs")'],
      [['export', runId, '--format', 'tfjs', '--out', join(out, 'x'), '--checkpoint', 'first'], '--checkpoint must be best or last, got "first"'],
      [['export', runId, '--format', 'tfjs', '--out', full], `${full} is not empty: export into a new or empty folder`],
    ] as const) {
      const r = cli([...args]);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([2, `bottleneck: ${message}`]);
    }
    expect(readdirSync(full)).toEqual(['keep.txt']);
    expect(cli(['export', '--help']).stdout).toContain('bottleneck export RUN_ID --format onnx|tfjs|pytorch --out DIR [--checkpoint best|last]');
  }, 90_000);
});
