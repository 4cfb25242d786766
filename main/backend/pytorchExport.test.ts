/**
 * The PyTorch project export (issue 17) checked against PyTorch itself: the exported model.py with
 * weights.npz computes what the app computes, and train.py under torchrun (2 processes, Gloo on the
 * CPU) continues a run as the app's own continuation does. Skipped when /usr/bin/python3 has no torch.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinDatasetId } from '../../core/data/datasetId';
import type { GraphDoc } from '../../core/graph/types';
import { buildTemplate } from '../../core/templates';
import { chainGraph } from '../../core/templates/undercomplete';
import type { EpochEndEvent, TrainEvent } from '../../core/train/events';
import { learningRateAt } from '../../core/train/schedule';
import { trainAutoencoder } from '../../core/train/train';
import { readCheckpoint, writeCheckpoint } from './checkpoints';
import { npyArray } from './codesFile';
import { BUILTIN_FASHION_MNIST, loadDataset } from './datasets';
import type { ExportedFile } from './export/files';
import { pytorchProject } from './export/pytorch';
import { exportOnnx, ONNX_NAMES } from '../../core/export/onnx';
import { onnxEngine } from './engine/onnxRunner';
import { cpuProvider } from './engine/providers';
import { croppedImages, runOnnx, testCheckpoint, type Batch } from './engine/testModels';

// One thread: the app's continuation repeats bit for bit.
const engine = onnxEngine(cpuProvider(1));

const PYTHON = '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const skipReason = torchCheck.status === 0 ? null : `${PYTHON} cannot import torch (${(torchCheck.stderr || torchCheck.error?.message || '').trim().split('\n').pop()}): the PyTorch export tests are skipped`;
if (skipReason) console.log(skipReason);

function writeProject(files: ExportedFile[], dir: string): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.data);
  }
}

function python(args: string[], cwd: string, timeout = 120_000) {
  const out = spawnSync(PYTHON, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });
  if (out.status !== 0) throw new Error(`python ${args.join(' ')} failed (${out.status ?? out.signal}):\n${out.stdout}\n${out.stderr}`);
  return out.stdout;
}

/**
 * torch 1.13's torchrun cannot read its default "--redirects 0 --tee 0" on Python ≥ 3.11 (IntFlag no
 * longer iterates its 0 member): asking for stdout's tee works around it.
 */
const TORCHRUN_FIX = ['--redirects', '1', '--tee', '1'];

/**
 * Every kind of layer with TF's awkward cases: strided 'same' convolutions and pooling that pad
 * one pixel more after than before, a 'valid' transposed convolution whose kernel is smaller than
 * its stride, BatchNorm, UpSampling, elu, selu and tanh, a training-only Dropout.
 */
function everyLayer(): GraphDoc {
  return chainGraph('Every layer', [
    { kind: 'Input', params: { height: 28, width: 28, channels: 1 } },
    { kind: 'Conv2D', params: { filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' } },
    { kind: 'BatchNorm' },
    { kind: 'MaxPool2D', params: { poolSize: 3, strides: 2, padding: 'same' } },
    { kind: 'Conv2D', params: { filters: 8, kernelSize: 2, strides: 1, padding: 'valid', activation: 'selu' } },
    { kind: 'Flatten' },
    { kind: 'Dropout', params: { rate: 0.1 } },
    { kind: 'Bottleneck', params: { latentSize: 16, activation: 'tanh' } },
    { kind: 'Dense', params: { units: 196, activation: 'relu' } },
    { kind: 'Reshape', params: { targetShape: [7, 7, 4] } },
    { kind: 'UpSampling2D', params: { size: 2 } },
    { kind: 'Conv2DTranspose', params: { filters: 4, kernelSize: 1, strides: 2, padding: 'valid', activation: 'linear' } },
    { kind: 'Conv2DTranspose', params: { filters: 4, kernelSize: 4, strides: 1, padding: 'same', activation: 'relu' } },
    { kind: 'Activation', params: { activation: 'tanh' } },
    { kind: 'Conv2D', params: { filters: 1, kernelSize: 3, strides: 1, padding: 'same', activation: 'sigmoid' } },
    { kind: 'Output', params: { loss: 'mse' } },
  ]);
}

const COMPARE = String.raw`
import json, sys
import numpy as np, torch
torch.set_num_threads(1)
import model
ae = model.load_app_weights(model.Autoencoder(), "weights.npz").eval()
x = torch.from_numpy(np.load("x.npy"))
with torch.no_grad():
    recon = ae(x).numpy()
    enc = ae.encoder(x)
    code = (enc[0] if model.VARIATIONAL else enc).numpy()
    decoded = ae.decoder(torch.from_numpy(np.load("app_code.npy"))).numpy()
diff = lambda a, b: float(np.max(np.abs(a - np.load(b))))
print(json.dumps({"autoencoder": diff(recon, "app_recon.npy"), "encoder": diff(code, "app_code.npy"), "decoder": diff(decoded, "app_decoded.npy"), "shape": list(recon.shape)}))
`;

/**
 * A VAE whose name has backslashes and triple quotes and whose blocks are called like Python
 * keywords and nn.Module methods: model.py must still load.
 */
function awkwardNames(): GraphDoc {
  const graph = buildTemplate('variational');
  graph.name = 'C:\\Users\\x """ \\N{bad} model';
  const ids = ['class', 'eval', 'mean', 'to', '2d', 'forward'];
  const renames = new Map(graph.nodes.filter((n) => n.kind !== 'Input' && n.kind !== 'Output').map((n, i) => [n.id, ids[i % ids.length]! + (i >= ids.length ? String(i) : '')]));
  const id = (old: string) => renames.get(old) ?? old;
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, id: id(n.id) })), edges: graph.edges.map((e) => ({ ...e, source: id(e.source), target: id(e.target) })) };
}

describe.skipIf(skipReason !== null)('PyTorch project export', () => {
  it.each(['undercomplete', 'convolutional', 'variational', 'every layer', 'awkward names'] as const)('%s: model.py with weights.npz computes the app\'s autoencoder, encoder and decoder within 1e-4', async (template) => {
    const graph = template === 'every layer' ? everyLayer() : template === 'awkward names' ? awkwardNames() : buildTemplate(template);
    // Non-zero biases and BatchNorm statistics, so one in the wrong place shows.
    const weights = testCheckpoint(graph, 7);
    const data = loadDataset(BUILTIN_FASHION_MNIST);
    const x = croppedImages(data, 16, [data.height, data.width, data.channels]);
    // The app's own models: its ONNX export of the same weights, as Explore and the Lab run them.
    const models = exportOnnx(graph, weights);
    const recon = await runOnnx(models.autoencoder, { [ONNX_NAMES.image]: x });
    const code = await runOnnx(models.encoder, { [ONNX_NAMES.image]: x });
    const decoded = await runOnnx(models.decoder, { [ONNX_NAMES.code]: code });
    const dir = mkdtempSync(join(tmpdir(), `pytorch-${template}-`));
    writeProject(pytorchProject({ doc: graph, weights, epoch: 0, datasetId: BUILTIN_FASHION_MNIST, runId: 'test-run', runName: 'test run' }), dir);
    const save = (name: string, t: Batch) => writeFileSync(join(dir, name), npyArray(t.data, t.dims));
    save('x.npy', x);
    save('app_recon.npy', recon);
    save('app_code.npy', code);
    save('app_decoded.npy', decoded);
    const result = JSON.parse(python(['-c', COMPARE], dir).trim().split('\n').pop()!) as { autoencoder: number; encoder: number; decoder: number; shape: number[] };
    rmSync(dir, { recursive: true, force: true });
    console.log(`${template}: max |torch − app| on 16 validation images: autoencoder ${result.autoencoder.toExponential(2)}, encoder ${result.encoder.toExponential(2)}, decoder ${result.decoder.toExponential(2)}`);
    expect(result.shape).toEqual([16, 28, 28, 1]);
    expect(result.autoencoder).toBeLessThan(1e-4);
    expect(result.encoder).toBeLessThan(1e-4);
    expect(result.decoder).toBeLessThan(1e-4);
  });

  it("train.py follows the app's learning-rate schedule step by step, and decays the weights decoupled (lr × weight decay before the step)", () => {
    const graph = buildTemplate('undercomplete');
    const schedules = [
      { kind: 'constant' as const, warmupEpochs: 2 },
      { kind: 'step' as const, stepEvery: 3, stepFactor: 0.3, warmupEpochs: 0.5 },
      { kind: 'cosine' as const, floor: 0.05, warmupEpochs: 1 },
      { kind: 'cosine' as const, floor: 0.2, length: 4 },
    ];
    const stepsPerEpoch = 7;
    const dir = mkdtempSync(join(tmpdir(), 'pytorch-schedule-'));
    writeProject(pytorchProject({ doc: graph, weights: testCheckpoint(graph, 1), epoch: 0, datasetId: BUILTIN_FASHION_MNIST, runId: 'test-run', runName: 'test run' }), dir);
    const cases = schedules.map((schedule) => ({ ...graph.training, epochs: 10, learningRate: 0.01, weightDecay: 0.1, schedule: { ...graph.training.schedule, ...schedule } }));
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases, stepsPerEpoch, steps: 80 }));
    const script = `
import json, torch, train
spec = json.load(open("cases.json"))
rates = [[train.learning_rate_at(s, step, spec["stepsPerEpoch"]) for step in range(1, spec["steps"] + 1)] for s in spec["cases"]]
# One SGD step on w = 2 with gradient 0.5: w − lr·wd·w − lr·g.
w = torch.nn.Parameter(torch.tensor([2.0], dtype=torch.float64))
w.grad = torch.tensor([0.5], dtype=torch.float64)
train.apply_step(torch.optim.SGD([w], lr=1.0), spec["cases"][0], 0.01)
print(json.dumps({"rates": rates, "w": w.item()}))
`;
    const out = JSON.parse(python(['-c', script], dir).trim().split('\n').pop()!) as { rates: number[][]; w: number };
    rmSync(dir, { recursive: true, force: true });
    cases.forEach((training, i) => {
      const app = Array.from({ length: 80 }, (_, s) => learningRateAt({ learningRate: training.learningRate, schedule: training.schedule, epochs: training.epochs, stepsPerEpoch }, s + 1));
      out.rates[i]!.forEach((r, s) => expect(Math.abs(r - app[s]!), `${training.schedule.kind} step ${s + 1}`).toBeLessThan(1e-15));
    });
    expect(out.w).toBeCloseTo(2 - 0.01 * 0.1 * 2 - 0.01 * 0.5, 12);
  });

  /**
   * Trains `datasetId` 1 epoch in the app, then continues it for `more` epochs twice: in the app, and
   * exported under torchrun with 2 processes. Returns both validation-loss curves.
   */
  async function continueBoth(datasetId: string, more: number, torchTimeout = 300_000): Promise<{ app: { epoch: number; val: number }[]; torch: { epoch: number; val: number }[]; seconds: number }> {
    const data = loadDataset(datasetId);
    const graph = buildTemplate('undercomplete');
    graph.training = { ...graph.training, epochs: 1, seed: 3 };
    const runDir = mkdtempSync(join(tmpdir(), 'pytorch-run-'));
    const first = await trainAutoencoder({
      runId: 'first',
      graph,
      dataset: data,
      engine,
      emit: () => {},
      onEpochEnd: async (c) => writeCheckpoint(runDir, 'last', await c.state()),
    });
    expect(first.type).toBe('run-finished');
    const state = readCheckpoint(runDir, 'last');
    expect(state.epoch).toBe(1);

    // The app's own continuation from the checkpoint.
    const events: TrainEvent[] = [];
    const continued = { ...graph, training: { ...graph.training, epochs: 1 + more } };
    const last = await trainAutoencoder({ runId: 'first', graph: continued, dataset: data, engine, emit: (e) => events.push(e), resumeFrom: state });
    expect(last.type).toBe('run-finished');
    const app = events.filter((e): e is EpochEndEvent => e.type === 'epoch-end').map((e) => ({ epoch: e.epoch, val: e.val_loss }));

    const dir = mkdtempSync(join(tmpdir(), 'pytorch-project-'));
    writeProject(pytorchProject({ doc: graph, weights: state.weights, optimizer: state.optimizer, epoch: state.epoch, datasetId, runId: 'first', runName: 'first' }), dir);
    const started = Date.now();
    python(['-m', 'torch.distributed.run', ...TORCHRUN_FIX, '--nproc_per_node=2', `--master_port=${29500 + (process.pid % 500)}`, 'train.py', '--data', 'builtin', '--epochs', String(more), '--device', 'cpu'], dir, torchTimeout);
    const seconds = (Date.now() - started) / 1000;
    const rows = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
    const header = rows[0]!.split(',');
    const torch = rows.slice(1).map((r) => {
      const v = r.split(',').map(Number);
      return { epoch: v[0]!, val: v[header.indexOf('val_loss')]! };
    });
    rmSync(dir, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
    return { app, torch, seconds };
  }

  it('train.py under torchrun (2 processes, Gloo) continues a 1-epoch run as the app continues it: val loss within 3 % after 2 more epochs', async () => {
    const { app, torch, seconds } = await continueBoth(builtinDatasetId('fashion-mnist'), 2);
    console.log(`continuing epoch 1 of the undercomplete template (10,000 images, batch 128, Adam) for 2 epochs (torchrun: ${seconds.toFixed(1)} s):`);
    for (let i = 0; i < app.length; i++) {
      console.log(`  epoch ${app[i]!.epoch}: app val_loss ${app[i]!.val.toFixed(5)}, torch val_loss ${torch[i]?.val.toFixed(5)} (${((100 * (torch[i]!.val - app[i]!.val)) / app[i]!.val).toFixed(2)} %)`);
    }
    expect(torch.map((t) => t.epoch)).toEqual([2, 3]);
    expect(app.map((a) => a.epoch)).toEqual([2, 3]);
    for (let i = 0; i < 2; i++) expect(Math.abs(torch[i]!.val - app[i]!.val) / app[i]!.val).toBeLessThan(0.03);
  }, 400_000);

  it('a last batch with fewer images than processes (257 images, batch 128: one image) trains on every rank, no hang', async () => {
    const { app, torch } = await continueBoth(builtinDatasetId('fashion-mnist', { train: 257, validation: 200 }), 1, 90_000);
    expect(torch.map((t) => t.epoch)).toEqual([2]);
    expect(Math.abs(torch[0]!.val - app[0]!.val) / app[0]!.val).toBeLessThan(0.03);
  }, 200_000);
});
