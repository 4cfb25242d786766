/**
 * What the CLI says when the user's files or disk fail it: one line naming the file and the cause,
 * exit 1, no stack unless BOTTLENECK_DEBUG=1, and nothing half-written left where the user asked.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { smallDisks, SMALL_DISK_SKIP } from './backend/testDisk';
import { runCli } from './testCli';

const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-faults-'));
const out = mkdtempSync(join(tmpdir(), 'cli-faults-out-'));
const cli = (args: string[], options?: Parameters<typeof runCli>[3]) => runCli(home, args, 110_000, options);

let runId: string;
beforeAll(() => {
  const r = cli(['train', '--template', 'undercomplete', '--data', 'builtin:fashion-mnist?train=256&validation=64', '--epochs', '2', '--json']);
  expect(r.status, r.stderr).toBe(0);
  runId = JSON.parse(r.stdout.trim().split('\n').at(-1)!).runId;
}, 120_000);

/** A copy of the trained run under a new id (same date, another suffix), to damage; `edit` changes its run.json. */
function copyRun(suffix: string, edit: (run: Record<string, unknown>) => void = () => {}): string {
  const id = runId.replace(/-[a-z0-9]+$/, `-${suffix}`);
  const dir = join(home, 'runs', id);
  cpSync(join(home, 'runs', runId), dir, { recursive: true });
  const record = join(dir, 'run.json');
  const run = JSON.parse(readFileSync(record, 'utf8').replaceAll(runId, id));
  edit(run);
  writeFileSync(record, JSON.stringify(run));
  return id;
}

const readRun = (id: string) => JSON.parse(readFileSync(join(home, 'runs', id, 'run.json'), 'utf8'));

/** The state a kill leaves between writing epoch 2's checkpoint and updating run.json. */
const killedAfterCheckpoint = (status: string) => (run: Record<string, unknown>) => Object.assign(run, { status, epochsDone: 1, endedAt: null, loss: 0.9, val_loss: 0.9 });

/** The one line on stderr and the exit code; a stack ("    at …") would be more lines. */
function failure(r: ReturnType<typeof cli>): [number | null, string[]] {
  return [r.status, r.stderr.trim().split('\n')];
}

describe('bottleneck on damaged runs and refused paths', () => {
  it('export of a run whose checkpoint is truncated, empty or garbage: one line naming the file, exit 1', () => {
    const cases = [
      ['trnc', 'tensors.bin', (file: string) => truncateSync(file, 1000), /tensors\.bin: 1,000 bytes, but checkpoint\.json lists [\d,]+ \([\d,]+ floats\): the file is truncated$/],
      ['empt', 'tensors.bin', (file: string) => truncateSync(file, 0), /tensors\.bin: 0 bytes, but checkpoint\.json lists [\d,]+ \([\d,]+ floats\): the file is truncated$/],
      ['garb', 'checkpoint.json', (file: string) => writeFileSync(file, 'garbage{\n'), /checkpoint\.json: not valid JSON \(Unexpected token .*\)$/],
    ] as const;
    for (const [suffix, name, damage, message] of cases) {
      const id = copyRun(suffix);
      const file = join(home, 'runs', id, 'checkpoints', 'best', name);
      damage(file);
      const target = join(out, `export-${suffix}`);
      const [status, lines] = failure(cli(['export', id, '--format', 'onnx', '--out', target]));
      expect([status, lines.length], lines.join('\n')).toEqual([1, 1]);
      expect(lines[0]).toContain(`bottleneck: the best checkpoint of run ${id} cannot be read: ${file}: `);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).not.toContain('cannot continue');
      expect(existsSync(target)).toBe(false);
    }
  }, 90_000);

  it('export into /proc: one line naming the folder, exit 2 (a --out that cannot be made)', () => {
    expect(failure(cli(['export', runId, '--format', 'onnx', '--out', '/proc/x']))).toEqual([2, ["bottleneck: cannot make /proc/x: ENOENT: no such file or directory, mkdir '/proc/x'"]]);
  }, 30_000);

  it('sample into a missing folder, onto a folder or into /proc: one line naming the file, exit 1', () => {
    const folder = join(out, 'g.png');
    mkdirSync(folder);
    const missing = join(out, 'no-such-folder', 'g.png');
    for (const [args, line] of [
      [['sample', runId, '--out', missing], `bottleneck: cannot write ${missing}: the folder ${join(out, 'no-such-folder')} does not exist`],
      [['sample', runId, '--out', folder], `bottleneck: cannot write ${folder}: a folder has that name`],
      [['sample', runId, '--out', '/proc/g.png'], 'bottleneck: cannot write /proc/g.png: /proc does not take new files'],
    ] as const) {
      expect(failure(cli([...args])), args.join(' ')).toEqual([1, [line]]);
    }
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(out).filter((name) => name.includes('.tmp') || name.startsWith('.bottleneck-export'))).toEqual([]);
  }, 90_000);

  it('prints the stack under the line with BOTTLENECK_DEBUG=1, and the cause’s', () => {
    const r = cli(['sample', runId, '--out', '/proc/g.png'], { env: { BOTTLENECK_DEBUG: '1' } });
    const [status, lines] = failure(r);
    expect(status).toBe(1);
    expect(lines[0]).toBe('bottleneck: cannot write /proc/g.png: /proc does not take new files');
    expect(lines.some((l) => /^ +at /.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('caused by: Error: ENOENT'))).toBe(true);
  }, 60_000);

  it('export --out ./folder resolves against the folder the command runs in', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-faults-cwd-'));
    const r = cli(['export', runId, '--format', 'onnx', '--out', './my-model-onnx'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain(` as ONNX to ${join(cwd, 'my-model-onnx')}:`);
    expect(readdirSync(join(cwd, 'my-model-onnx')).sort()).toEqual(['README.md', 'autoencoder.onnx', 'decoder.onnx', 'encoder.onnx']);
  }, 60_000);

  it('export --format tfjs prints only what it wrote (no TensorFlow.js banner)', () => {
    const target = join(out, 'tfjs');
    const r = cli(['export', runId, '--format', 'tfjs', '--out', target]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    // TF.js printed "Hi, looks like you are running TensorFlow.js in Node.js … install our node backend".
    expect(r.stdout).not.toMatch(/looks like you are running|node backend/i);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^exported run .* as TensorFlow\.js to /), ...['README.md', 'autoencoder/model.json', 'autoencoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin'].map((f) => `  ${f}`)]);
  }, 60_000);
});

describe('a finished 2-epoch run whose run.json says running at epoch 1', () => {
  it('at start-up (any command) becomes finished 2/2 with epoch 2’s losses, and --resume says it is finished', () => {
    const finished = readRun(runId);
    const id = copyRun('rcst', killedAfterCheckpoint('running'));
    const list = cli(['runs', '--json']);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).find((r: { id: string }) => r.id === id)).toMatchObject({ status: 'finished', epochsDone: 2, epochs: 2, val_loss: finished.val_loss, best_val_loss: finished.best_val_loss });
    expect(readRun(id)).toMatchObject({ status: 'finished', epochsDone: 2, loss: finished.loss, val_loss: finished.val_loss });
    expect(failure(cli(['train', '--resume', id]))).toEqual([2, [`bottleneck: run ${id} already finished all 2 epochs: give a new total of epochs above 2 to train more`]]);
  }, 60_000);

  it('on --resume of the record marked interrupted: finished, never "loss NaN"', () => {
    const id = copyRun('rcrs', killedAfterCheckpoint('interrupted'));
    const r = cli(['train', '--resume', id]);
    expect(r.stdout).not.toContain('NaN');
    expect(failure(r)).toEqual([2, [`bottleneck: run ${id} already finished all 2 epochs: give a new total of epochs above 2 to train more`]]);
    expect(readRun(id)).toMatchObject({ status: 'finished', epochsDone: 2 });
  }, 60_000);

  it('with a third epoch to go, --resume continues after epoch 2 and ends 3/3', () => {
    const id = copyRun('rc3e', (run) => {
      killedAfterCheckpoint('running')(run);
      Object.assign(run.config as object, { epochs: 3 });
    });
    const graphFile = join(home, 'runs', id, 'graph.json');
    const graph = JSON.parse(readFileSync(graphFile, 'utf8'));
    writeFileSync(graphFile, JSON.stringify({ ...graph, training: { ...graph.training, epochs: 3 } }));
    const r = cli(['train', '--resume', id, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ startEpoch: 2 });
    expect(events.filter((e) => e.type === 'epoch-end').map((e) => e.epoch)).toEqual([3]);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'run-finished', epochs: 3 });
    expect(Number.isFinite(last.loss) && Number.isFinite(last.val_loss)).toBe(true);
    expect(readRun(id)).toMatchObject({ status: 'finished', epochsDone: 3, loss: last.loss, val_loss: last.val_loss });
  }, 60_000);
});

const smallDisk = smallDisks();

describe.skipIf(SMALL_DISK_SKIP)('bottleneck onto a full disk', () => {
  it('export, runs export, sample, score and encode: one line saying the disk is full, exit 1, nothing half-written', () => {
    const disk = smallDisk(1024 * 1024);
    disk.fill(0);
    for (const [args, target] of [
      [['export', runId, '--format', 'onnx', '--out', join(disk.dir, 'model')], 'the export to ' + join(disk.dir, 'model')],
      [['runs', 'export', runId, '--out', join(disk.dir, 'run')], 'the export to ' + join(disk.dir, 'run')],
      [['sample', runId, '--out', join(disk.dir, 'g.png')], join(disk.dir, 'g.png')],
      [['score', runId, '--out', join(disk.dir, 'scores.csv')], join(disk.dir, 'scores.csv')],
      [['encode', runId, '--out', join(disk.dir, 'codes.npy')], join(disk.dir, 'codes.npy')],
    ] as const) {
      const [status, lines] = failure(cli([...args]));
      expect([status, lines.length], `${args.join(' ')}\n${lines.join('\n')}`).toEqual([1, 1]);
      expect(lines[0]).toMatch(new RegExp(`^bottleneck: cannot write ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the disk is full \\(ENOSPC`));
      expect(readdirSync(disk.dir), args.join(' ')).toEqual(['filler']);
    }
  }, 120_000);
});
