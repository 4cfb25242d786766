/**
 * The PyTorch project export (issue 17): a trained run as a folder that continues training in
 * PyTorch, on one process or many (torchrun, DistributedDataParallel).
 *
 *   model.py            the graph as nn.Modules (Encoder, Decoder, Autoencoder), NHWC in and out as in the app
 *   bottleneck_torch.py the layers and weight conversion every model.py shares (python/, copied as it is)
 *   weights.npz         the run's weights by the app's names, in the app's layout (model.py converts)
 *   optimizer.npz       the optimizer's slots (Adam m and v, momentum, RMSprop) and its step count, when given
 *   config.json         what train.py needs: the dataset id, the training settings, the loss, where the run stands
 *   train.py            continues training with the app's loss terms, optimizer, batches and validation loss (python/)
 *   README.md, requirements.txt
 *   data/               the built-in Fashion-MNIST files, only when the run trained on them
 *
 * Pure apart from reading the built-in dataset's files and python/: it returns the files, the caller writes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BottleneckParams } from '../../../core/blocks/bottleneck';
import type { OutputParams } from '../../../core/blocks/output';
import { BOTTLENECK_KINDS, withDefaults } from '../../../core/blocks/registry';
import { product } from '../../../core/blocks/types';
import type { VariationalBottleneckParams } from '../../../core/blocks/variationalBottleneck';
import { parseDatasetId } from '../../../core/data/datasetId';
import { modelPreprocessing } from '../../../core/data/preprocessing';
import { MAX_IMAGE_PIXELS } from '../../../core/limits';
import { ExportError } from '../../../core/export/deployment';
import type { GraphDoc } from '../../../core/graph/types';
import { analyzeGraph, firstError } from '../../../core/shapes/infer';
import type { SavedTensor } from '../../../core/train/state';
import { assetsDir } from '../paths';
import type { ExportedFile } from './files';
import { npz } from './npz';
import { ModuleWriter, moduleClass, pyString, type ModelSource, type WeightEntry } from './pytorchModules';
import { pytorchReadme } from './pytorchReadme';
import { PYTHON_FILES, pythonFile } from './pythonFiles';
export interface PytorchProjectInput {
  doc: GraphDoc;
  weights: readonly SavedTensor[];
  optimizer?: readonly SavedTensor[];
  epoch: number;
  datasetId: string;
  runId: string;
  runName: string;
}

/** The built-in set's files, copied into `data/` when the run trained on it. */
export const BUILTIN_DATA_FILES = ['train-images.idx.gz', 'train-labels.idx.gz', 'test-images.idx.gz', 'test-labels.idx.gz'] as const;
/** model.py for a valid training graph. */
export function modelSource(doc: GraphDoc): ModelSource {
  const analysis = analyzeGraph(doc);
  const error = firstError(analysis);
  if (error) throw new ExportError(error);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const chain = analysis.order.map((id) => byId.get(id)!);
  const inputShape = [...analysis.inputShape!];
  const bottleneckAt = chain.findIndex((n) => BOTTLENECK_KINDS.includes(n.kind));
  const bottleneck = chain[bottleneckAt]!;
  const output = chain.find((n) => n.kind === 'Output')!;
  const variational = bottleneck.kind === 'VariationalBottleneck';
  const encoder = new ModuleWriter('encoder', inputShape.length === 3 ? 'nhwc' : 'flat');
  const decoder = new ModuleWriter('decoder', 'flat');
  let shape = inputShape;
  chain.forEach((node, i) => {
    if (node.kind === 'Input' || node.kind === 'Output') return;
    const outShape = [...analysis.nodeShapes[node.id]!];
    if (node.kind === 'VariationalBottleneck') {
      const p = withDefaults(node.kind, node.params) as unknown as VariationalBottleneckParams;
      encoder.linear(`${node.id}-mean`, 'mean', shape, p.latentSize, `${pyString(node.id)}: VariationalBottleneck, the mean μ`);
      encoder.linear(`${node.id}-logvar`, 'logvar', shape, p.latentSize, `${pyString(node.id)}: the log-variance log σ²`);
      encoder.forward.push('return self.mean(x), self.logvar(x)');
    } else {
      (i < bottleneckAt || i === bottleneckAt ? encoder : decoder).block(node, shape, outShape);
      if (i === bottleneckAt) encoder.forward.push('return x');
    }
    shape = outShape;
  });
  decoder.to('nhwc');
  decoder.forward.push('return x');
  const spec = (() => {
    const reconstruction = (withDefaults('Output', output.params) as unknown as OutputParams).loss;
    const inputSize = product(inputShape);
    if (variational) {
      const p = withDefaults(bottleneck.kind, bottleneck.params) as unknown as VariationalBottleneckParams;
      return { reconstruction, sparsity: null, variational: { beta: p.beta, warmupEpochs: p.klWarmupEpochs }, inputSize };
    }
    const p = withDefaults(bottleneck.kind, bottleneck.params) as unknown as BottleneckParams;
    const sparsity = p.sparsity === 'l1' ? { kind: 'l1', weight: p.l1Weight } : p.sparsity === 'kl' ? { kind: 'kl', rho: p.rho, weight: p.klWeight } : null;
    return { reconstruction, sparsity, variational: null, inputSize };
  })();
  const weights = [...encoder.weights, ...decoder.weights];
  const table = weights.map((w) => `    (${pyString(w.name)}, ${pyString(w.path)}, ${pyString(w.kind)}, (${w.shape.join(', ')}${w.shape.length === 1 ? ',' : ''}), ${w.trainable ? 'True' : 'False'}),`);
  const encoderDoc = variational ? 'Image (N, H, W, C) → (μ, log σ²), each (N, code size).' : 'Image (N, H, W, C) → code (N, code size).';
  const source = `"""
${doc.name.replace(/\\/g, '\\\\').replace(/"""/g, "'''")}: the autoencoder exported from Bottleneck, as PyTorch modules.

Images go in and come out as the app holds them: float32 (N, H, W, C) with values in [0, 1].
Convolutions run in PyTorch's NCHW inside; Flatten and Reshape work in NHWC order, as the app's
do, so the app's Dense weights fit unchanged. weights.npz holds the app's weights by its names, in
its layout (Dense kernels [in, out], Conv2D kernels [kh, kw, in, out], Conv2DTranspose kernels
[kh, kw, out, in]); load_app_weights converts them. The layers every exported model shares are in
bottleneck_torch.py.
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bottleneck_torch import (  # noqa: E402, F401
    AutoencoderBase,
    GaussianNoise,
    RandomMask,
    TFConv2d,
    TFConvTranspose2d,
    TFMaxPool2d,
    load_weights,
    tensor_at,
    to_app,
    to_torch,
    weights_of,
)

INPUT_SHAPE = (${inputShape.join(', ')}${inputShape.length === 1 ? ',' : ''})  # H, W, C
CODE_SIZE = ${analysis.codeSize}
VARIATIONAL = ${variational ? 'True' : 'False'}


${moduleClass('Encoder', encoderDoc, encoder)}

${moduleClass('Decoder', 'Code (N, code size) → image (N, H, W, C).', decoder)}

class Autoencoder(AutoencoderBase):
    """Image (N, H, W, C) → reconstruction (N, H, W, C). Training-only blocks act in train() mode only."""

    def __init__(self):
        super().__init__(Encoder(), Decoder(), VARIATIONAL)


# The app's weights: (its name, the module's parameter or buffer, how its layout converts, its shape in the app, trained).
APP_WEIGHTS = [
${table.join('\n')}
]


def load_app_weights(model, weights="weights.npz"):
    """Puts the app's weights (an .npz path, or a mapping name → array) into an Autoencoder."""
    return load_weights(model, APP_WEIGHTS, weights)


def app_weights(model):
    """The model's weights by the app's names, in the app's layout (np.savez(path, **app_weights(model)) writes them)."""
    return weights_of(model, APP_WEIGHTS)
`;
  return { source, weights, inputShape, codeSize: analysis.codeSize!, variational, loss: spec };
}

/** Maps the optimizer's slots to the weights they belong to: by name (tfjs may add "_1" to a variable's name), else by order. */
function optimizerArrays(optimizer: readonly SavedTensor[], weights: WeightEntry[]): { arrays: { name: string; shape: number[]; data: Float32Array }[]; kind: string; iterations: number } {
  const iter = optimizer.find((s) => s.name === 'iter');
  const slots = optimizer.filter((s) => s.name !== 'iter');
  const suffixes = [...new Set(slots.map((s) => s.name.slice(s.name.lastIndexOf('/') + 1)))];
  const trainable = weights.filter((w) => w.trainable);
  const names = new Set(trainable.map((w) => w.name));
  const arrays: { name: string; shape: number[]; data: Float32Array }[] = [];
  for (const suffix of suffixes) {
    const ofSuffix = slots.filter((s) => s.name.endsWith(`/${suffix}`));
    ofSuffix.forEach((s, i) => {
      const variable = s.name.slice(0, -suffix.length - 1);
      let name = names.has(variable) ? variable : variable.replace(/_\d+$/, '');
      if (!names.has(name)) name = trainable[i]?.name ?? '';
      const weight = trainable.find((w) => w.name === name);
      if (!weight || weight.shape.join('x') !== s.shape.join('x')) throw new ExportError(`the optimizer state ${s.name} fits no weight of the graph`);
      arrays.push({ name: `${name}/${suffix}`, shape: s.shape, data: s.data });
    });
  }
  const iterations = iter ? Math.round(iter.data[0] ?? 0) : 0;
  arrays.push({ name: 'iter', shape: [], data: Float32Array.of(iterations) });
  return { arrays, kind: suffixes.join(','), iterations };
}

/** The PyTorch project of a run, as files to write into an empty folder. */
export function pytorchProject(input: PytorchProjectInput): ExportedFile[] {
  const { doc } = input;
  const model = modelSource(doc);
  const ref = parseDatasetId(input.datasetId);
  const byName = new Map(input.weights.map((w) => [w.name, w]));
  const weightArrays = model.weights.map((w) => {
    const saved = byName.get(w.name);
    if (!saved) throw new ExportError(`the checkpoint has no weights for ${w.name}: was the graph changed?`);
    if (saved.shape.join('x') !== w.shape.join('x')) throw new ExportError(`checkpoint weights ${w.name} are ${saved.shape.join('×')}, the graph needs ${w.shape.join('×')}`);
    return { name: w.name, shape: saved.shape, data: saved.data };
  });
  const files: ExportedFile[] = [
    { path: 'model.py', data: model.source },
    { path: 'weights.npz', data: npz(weightArrays) },
  ];
  const opt = input.optimizer?.length ? optimizerArrays(input.optimizer, model.weights) : null;
  if (opt) files.push({ path: 'optimizer.npz', data: npz(opt.arrays) });
  const builtin = ref.kind === 'builtin';
  const [height, width, channels] = model.inputShape as [number, number, number];
  const folderRead = modelPreprocessing({ height, width, channels }, ref.kind === 'folder' ? ref.preprocessing : null);
  const config = {
    format: 'bottleneck.pytorch-export',
    version: 1,
    graph: doc.name,
    runId: input.runId,
    runName: input.runName,
    datasetId: input.datasetId,
    dataset: ref,
    epoch: input.epoch,
    training: doc.training,
    loss: model.loss,
    inputShape: model.inputShape,
    codeSize: model.codeSize,
    optimizerState: opt ? { file: 'optimizer.npz', iterations: opt.iterations } : null,
    builtinDataIncluded: builtin,
    // How train.py reads a folder of images given to a run of the built-in set: at the model's input, as the app reads folders.
    folderPreprocessing: folderRead,
    // The app's limit (core/limits.ts): train.py skips larger images, as the app does.
    maxImagePixels: MAX_IMAGE_PIXELS,
  };
  files.push({ path: 'config.json', data: `${JSON.stringify(config, null, 2)}\n` });
  for (const name of PYTHON_FILES) files.push({ path: name, data: pythonFile(name) });
  files.push({ path: 'requirements.txt', data: 'torch>=1.13\nnumpy\npillow\n' });
  files.push({ path: 'README.md', data: pytorchReadme(input, model, folderRead, opt !== null) });
  if (builtin) {
    const dir = join(assetsDir(), 'datasets', 'fashion-mnist');
    for (const file of BUILTIN_DATA_FILES) files.push({ path: `data/${file}`, data: new Uint8Array(readFileSync(join(dir, file))) });
  }
  return files;
}
