/**
 * Exporting a run's model through the contract: the files land in a new folder whole or not at all,
 * a folder with files is never written into, and a run with nothing to export says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDatasetId } from '../../../core/data/datasetId';
import { buildTemplate } from '../../../core/templates';
import { undercomplete } from '../../../core/templates/undercomplete';
import { BUILTIN_FASHION_MNIST } from '../datasets';
import { newRunId } from '../runs/naming';
import { BottleneckBackend } from '../service';
import { trainToEnd } from '../trainToEnd';

process.env.BOTTLENECK_HOME = mkdtempSync(join(tmpdir(), 'export-home-'));
const root = mkdtempSync(join(tmpdir(), 'export-runs-'));
const out = mkdtempSync(join(tmpdir(), 'export-out-'));
let backend: BottleneckBackend;
let runId: string;

const errorOf = (message: Promise<unknown>) => message.then(() => 'no error', (err: Error) => err.message);

beforeAll(async () => {
  backend = new BottleneckBackend({ shell: 'cli', runsRoot: root, graphsRoot: join(root, 'graphs'), settingsPath: join(root, 'settings.json') });
  const graph = buildTemplate('undercomplete');
  graph.training = { ...graph.training, epochs: 1, seed: 1 };
  runId = await trainToEnd(backend, graph, builtinDatasetId('fashion-mnist', { train: 1024, validation: 64 }));
}, 120_000);

afterAll(() => backend.dispose());

describe('model:export', () => {
  it('an export cancelled while its files are made (jobs:cancel) writes nothing and says so', async () => {
    const dir = join(out, 'cancelled');
    const exporting = backend.invoke('model:export', { runId, format: 'onnx', path: dir, jobId: 'export-1' }).then(
      () => null,
      (err: Error & { code?: string }) => err,
    );
    expect(await backend.invoke('jobs:cancel', { jobId: 'export-1' })).toEqual({ cancelled: true });
    const err = await exporting;
    expect(err?.code).toBe('cancelled');
    expect(err?.message).toContain('nothing was written');
    expect(existsSync(dir)).toBe(false);
    expect(await backend.invoke('jobs:cancel', { jobId: 'export-1' })).toEqual({ cancelled: false });
    // The next export runs to its end.
    expect((await backend.invoke('model:export', { runId, format: 'onnx', path: dir })).dir).toBe(dir);
  });

  it('writes the three tfjs models and a README into a new folder, leaving nothing else behind', async () => {
    const dir = join(out, 'tfjs');
    const result = await backend.invoke('model:export', { runId, format: 'tfjs', path: dir });
    expect(result.dir).toBe(dir);
    expect(result.epoch).toBe(1);
    expect(result.files).toEqual(['README.md', 'autoencoder/model.json', 'autoencoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']);
    for (const f of result.files) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('`image` [N, 28, 28, 1]');
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('the tfjs README’s Node code loads and runs the model as written (with @tensorflow/tfjs alone, no tfjs-node), and shows the browser’s ways', async () => {
    const dir = join(out, 'tfjs-readme');
    await backend.invoke('model:export', { runId, format: 'tfjs', path: dir });
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const node = /## In Node[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(node, readme).toBeDefined();
    // @tensorflow/tfjs is tfjs-core, tfjs-layers and the CPU backend (and more) in one package: the same code here.
    const tfjs = "import * as tfc from '@tensorflow/tfjs-core';\nimport * as tfl from '@tensorflow/tfjs-layers';\nimport '@tensorflow/tfjs-backend-cpu';\nconst tf = { ...tfc, ...tfl };";
    expect(node).toContain("import * as tf from '@tensorflow/tfjs';");
    const script = `${node!.replace("import * as tf from '@tensorflow/tfjs';", tfjs)}`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `process.chdir(${JSON.stringify(dir)});\n${script}`], { cwd: join(import.meta.dirname, '..', '..', '..'), encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('[ 1, 28, 28, 1 ]');
    // file:// needs tfjs-node: said where it is shown; the browser loads over http or from chosen files.
    expect(readme).toMatch(/`file:\/\/` URLs need `@tensorflow\/tfjs-node`/);
    expect(readme).toContain("tf.loadLayersModel('models/autoencoder/model.json')");
    expect(readme).toContain('tf.io.browserFiles([modelJson, weightsBin])');
  });

  it('writes the three ONNX models, which onnxruntime loads and runs on a batch of any size', async () => {
    const dir = join(out, 'onnx');
    const result = await backend.invoke('model:export', { runId, format: 'onnx', path: dir, checkpoint: 'last' });
    expect(result.files).toEqual(['README.md', 'autoencoder.onnx', 'decoder.onnx', 'encoder.onnx']);
    const session = await ort.InferenceSession.create(join(dir, 'autoencoder.onnx'));
    expect(session.inputNames).toEqual(['image']);
    expect(session.outputNames).toEqual(['reconstruction']);
    const images = new ort.Tensor('float32', new Float32Array(3 * 28 * 28).fill(0.5), [3, 28, 28, 1]);
    const { reconstruction } = await session.run({ image: images });
    expect(reconstruction!.dims).toEqual([3, 28, 28, 1]);
  });

  it('never writes into a folder that holds files, nor over a file; an empty folder is used', async () => {
    const full = join(out, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'mine.txt'), 'keep me');
    expect(await errorOf(backend.invoke('model:export', { runId, format: 'tfjs', path: full }))).toBe(`${full} is not empty: export into a new or empty folder`);
    expect(readdirSync(full)).toEqual(['mine.txt']);
    const file = join(out, 'a-file');
    writeFileSync(file, 'x');
    expect(await errorOf(backend.invoke('model:export', { runId, format: 'tfjs', path: file }))).toBe(`${file} exists and is not a folder`);
    const empty = join(out, 'empty');
    mkdirSync(empty);
    const inode = statSync(empty).ino;
    expect((await backend.invoke('model:export', { runId, format: 'tfjs', path: empty })).files).toHaveLength(7);
    // The user's folder itself is kept (a shell inside it still sees the files), with nothing hidden left in it.
    expect(statSync(empty).ino).toBe(inode);
    expect(readdirSync(empty).sort()).toEqual(['README.md', 'autoencoder', 'decoder', 'encoder']);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    // A relative path, or one whose parent is missing: refused, nothing made.
    expect(await errorOf(backend.invoke('model:export', { runId, format: 'tfjs', path: 'relative/x' }))).toBe('the export folder must be a full path (from / or a drive), got "relative/x"');
    expect(await errorOf(backend.invoke('model:export', { runId, format: 'tfjs', path: join(out, 'no', 'such', 'x') }))).toBe(`${join(out, 'no', 'such')} does not exist: choose a folder inside one that does`);
    expect(existsSync(join(out, 'no'))).toBe(false);
  });

  it('with no folder given, writes a new one under the workspace’s exports/ each time', async () => {
    const first = await backend.invoke('model:export', { runId, format: 'tfjs' });
    const second = await backend.invoke('model:export', { runId, format: 'tfjs' });
    expect(first.dir.startsWith(join(process.env.BOTTLENECK_HOME!, 'exports'))).toBe(true);
    expect(second.dir).toBe(`${first.dir}-2`);
  });

  it('a run with no checkpoint, or an unknown run: one line saying so', async () => {
    const fresh = newRunId();
    backend.runs.create(fresh, undercomplete(), BUILTIN_FASHION_MNIST);
    backend.runs.update(fresh, { status: 'stopped' });
    expect(await errorOf(backend.invoke('model:export', { runId: fresh, format: 'tfjs', path: join(out, 'none') }))).toBe(`run ${fresh} has no checkpoint yet: it has not finished an epoch`);
    expect(existsSync(join(out, 'none'))).toBe(false);
    expect(await errorOf(backend.invoke('model:export', { runId: 'nope', format: 'tfjs', path: join(out, 'none') }))).toBe('not a run id: "nope"');
  });
});
