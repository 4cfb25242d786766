/**
 * The PyTorch project export (issue 17): a trained run as a folder that continues training in
 * PyTorch, on one process or many (torchrun, DistributedDataParallel).
 *
 *   model.py          the graph as nn.Modules (Encoder, Decoder, Autoencoder), NHWC in and out as in the app
 *   weights.npz       the run's weights by the app's names, in the app's layout (model.py converts)
 *   optimizer.npz     the optimizer's slots (Adam m and v, momentum, RMSprop) and its step count, when given
 *   config.json       what train.py needs: the dataset id, the training settings, the loss, where the run stands
 *   train.py          continues training with the app's loss terms, optimizer, batches and validation loss
 *   README.md, requirements.txt
 *   data/             the built-in Fashion-MNIST files, only when the run trained on them
 *
 * Pure apart from reading the built-in dataset's files: it returns the files, the caller writes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BottleneckParams } from '../../../core/blocks/bottleneck';
import type { ConvParams } from '../../../core/blocks/conv2d';
import type { DenseParams } from '../../../core/blocks/dense';
import type { OutputParams } from '../../../core/blocks/output';
import type { MaxPoolParams, UpSamplingParams } from '../../../core/blocks/pooling';
import type { RandomMaskParams } from '../../../core/blocks/randomMask';
import { BOTTLENECK_KINDS, withDefaults } from '../../../core/blocks/registry';
import type { ActivationParams, DropoutParams, GaussianNoiseParams } from '../../../core/blocks/regularizers';
import type { ReshapeParams } from '../../../core/blocks/reshape';
import { product } from '../../../core/blocks/types';
import type { VariationalBottleneckParams } from '../../../core/blocks/variationalBottleneck';
import { describeDatasetId, parseDatasetId } from '../../../core/data/datasetId';
import { backgroundNote, colourName, decodedChannels, modelPreprocessing, type Preprocessing } from '../../../core/data/preprocessing';
import { MAX_IMAGE_PIXELS } from '../../../core/limits';
import { ExportError } from '../../../core/export/deployment';
import type { GraphDoc, GraphNode } from '../../../core/graph/types';
import { analyzeGraph, firstError } from '../../../core/shapes/infer';
import { describeAugmentation, isAugmenting } from '../../../core/train/augment';
import type { SavedTensor } from '../../../core/train/state';
import { assetsDir } from '../paths';
import type { ExportedFile } from './files';
import { npz } from './npz';

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

/** How a weight is turned from the app's layout into PyTorch's (model.py does it on load). */
type WeightKind = 'linear' | 'conv' | 'conv_transpose' | 'plain';

interface WeightEntry {
  /** The app's name, `<layer>/<weight>`. */
  name: string;
  /** The PyTorch parameter or buffer, from the Autoencoder. */
  path: string;
  kind: WeightKind;
  shape: number[];
  trainable: boolean;
}

type Layout = 'nhwc' | 'nchw' | 'flat';

/**
 * Names a block id may not take as a module attribute: Python's keywords, and what nn.Module and
 * these modules already use (a block called "eval" or "to" would hide the method).
 */
const RESERVED = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield ' +
    'forward training train eval to cpu cuda float double half type apply modules children parameters named_parameters buffers named_buffers named_modules named_children state_dict load_state_dict zero_grad requires_grad_ register_buffer register_parameter add_module get_submodule extra_repr share_memory dump_patches ' +
    'mean logvar encoder decoder encode decode forward_terms x torch nn F math'
  ).split(' '),
);

/** A Python identifier for a block id: "dense-3" → "dense_3"; a reserved or non-letter start gets "b_". */
function pyName(id: string, taken: Set<string>): string {
  let name = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name) || RESERVED.has(name)) name = `b_${name}`;
  let unique = name;
  for (let i = 2; taken.has(unique); i++) unique = `${name}_${i}`;
  taken.add(unique);
  return unique;
}

const pyString = (s: string) => JSON.stringify(s);

/** tfjs' activations as PyTorch expressions (selu's constants are the same in both). */
function activate(activation: string, expr: string): string {
  switch (activation) {
    case 'linear':
      return expr;
    case 'relu':
      return `torch.relu(${expr})`;
    case 'sigmoid':
      return `torch.sigmoid(${expr})`;
    case 'tanh':
      return `torch.tanh(${expr})`;
    case 'elu':
      return `F.elu(${expr})`;
    case 'selu':
      return `F.selu(${expr})`;
    default:
      throw new ExportError(`activation "${activation}" has no PyTorch equivalent here`);
  }
}

/** One half of the model (Encoder or Decoder) as Python: its layers, its forward lines, its weights. */
class ModuleWriter {
  readonly init: string[] = [];
  readonly forward: string[] = [];
  readonly weights: WeightEntry[] = [];
  layout: Layout;
  private readonly taken = new Set<string>(['forward', 'training']);

  constructor(
    readonly attr: 'encoder' | 'decoder',
    layout: Layout,
  ) {
    this.layout = layout;
  }

  name(id: string): string {
    return pyName(id, this.taken);
  }

  to(layout: 'nhwc' | 'nchw'): void {
    if (this.layout === layout || this.layout === 'flat') return;
    this.forward.push(layout === 'nchw' ? 'x = x.permute(0, 3, 1, 2)  # NHWC → NCHW' : 'x = x.permute(0, 2, 3, 1)  # NCHW → NHWC');
    this.layout = layout;
  }

  weight(name: string, module: string, param: string, kind: WeightKind, shape: number[], trainable = true): void {
    this.weights.push({ name, path: `${this.attr}.${module}.${param}`, kind, shape, trainable });
  }

  /** A Dense-like layer (nn.Linear) named by the app's layer name. */
  linear(layer: string, module: string, inShape: number[], units: number, comment: string): void {
    if (inShape.length !== 1) this.to('nhwc');
    const inUnits = inShape[inShape.length - 1]!;
    this.init.push(`self.${module} = nn.Linear(${inUnits}, ${units})  # ${comment}`);
    this.weight(`${layer}/kernel`, module, 'weight', 'linear', [inUnits, units]);
    this.weight(`${layer}/bias`, module, 'bias', 'plain', [units]);
  }

  block(node: GraphNode, inShape: number[], outShape: number[]): void {
    const p = withDefaults(node.kind, node.params);
    const id = node.id;
    const comment = `${pyString(id)}: ${node.kind}`;
    switch (node.kind) {
      case 'Flatten':
        this.to('nhwc');
        this.forward.push(`x = x.flatten(1)  # ${comment}, in NHWC order as the app flattens`);
        this.layout = 'flat';
        return;
      case 'Reshape': {
        const target = (p as unknown as ReshapeParams).targetShape;
        this.to('nhwc');
        this.forward.push(`x = x.reshape(x.shape[0], ${target.join(', ')})  # ${comment} to ${target.join('×')} (NHWC)`);
        this.layout = target.length === 3 ? 'nhwc' : 'flat';
        return;
      }
      case 'Dense':
      case 'Bottleneck': {
        const q = p as unknown as DenseParams & BottleneckParams;
        const units = node.kind === 'Dense' ? q.units : q.latentSize;
        const module = this.name(id);
        this.linear(id, module, inShape, units, `${comment}, ${units} units, ${q.activation}`);
        this.forward.push(`x = ${activate(q.activation, `self.${module}(x)`)}`);
        return;
      }
      case 'Conv2D':
      case 'Conv2DTranspose': {
        const q = p as unknown as ConvParams;
        const module = this.name(id);
        const inC = inShape[2]!;
        this.to('nchw');
        if (node.kind === 'Conv2D') {
          this.init.push(`self.${module} = TFConv2d(${inC}, ${q.filters}, ${q.kernelSize}, ${q.strides}, ${pyString(q.padding)})  # ${comment}, ${q.activation}`);
          this.weight(`${id}/kernel`, module, 'weight', 'conv', [q.kernelSize, q.kernelSize, inC, q.filters]);
        } else {
          this.init.push(
            `self.${module} = TFConvTranspose2d(${inC}, ${q.filters}, ${q.kernelSize}, ${q.strides}, ${pyString(q.padding)}, (${outShape[0]}, ${outShape[1]}))  # ${comment}, ${q.activation}`,
          );
          this.weight(`${id}/kernel`, module, 'weight', 'conv_transpose', [q.kernelSize, q.kernelSize, q.filters, inC]);
        }
        this.weight(`${id}/bias`, module, 'bias', 'plain', [q.filters]);
        this.forward.push(`x = ${activate(q.activation, `self.${module}(x)`)}`);
        return;
      }
      case 'MaxPool2D': {
        const q = p as unknown as MaxPoolParams;
        const module = this.name(id);
        this.to('nchw');
        this.init.push(`self.${module} = TFMaxPool2d(${q.poolSize}, ${q.strides}, ${pyString(q.padding)})  # ${comment}`);
        this.forward.push(`x = self.${module}(x)`);
        return;
      }
      case 'UpSampling2D': {
        const size = (p as unknown as UpSamplingParams).size;
        this.to('nchw');
        this.forward.push(`x = F.interpolate(x, scale_factor=${size}, mode="nearest")  # ${comment}`);
        return;
      }
      case 'BatchNorm': {
        const module = this.name(id);
        const image = inShape.length === 3;
        if (image) this.to('nchw');
        const channels = inShape[inShape.length - 1]!;
        // tfjs-layers: epsilon 1e-3, moving averages with momentum 0.99 (PyTorch counts the other way: 0.01).
        this.init.push(`self.${module} = nn.BatchNorm${image ? '2d' : '1d'}(${channels}, eps=1e-3, momentum=0.01)  # ${comment}`);
        this.forward.push(`x = self.${module}(x)`);
        this.weight(`${id}/gamma`, module, 'weight', 'plain', [channels]);
        this.weight(`${id}/beta`, module, 'bias', 'plain', [channels]);
        this.weight(`${id}/moving_mean`, module, 'running_mean', 'plain', [channels], false);
        this.weight(`${id}/moving_variance`, module, 'running_var', 'plain', [channels], false);
        return;
      }
      case 'Activation':
        this.forward.push(`x = ${activate((p as unknown as ActivationParams).activation, 'x')}  # ${comment}`);
        return;
      case 'Dropout': {
        const module = this.name(id);
        this.init.push(`self.${module} = nn.Dropout(${(p as unknown as DropoutParams).rate})  # ${comment}: training only`);
        this.forward.push(`x = self.${module}(x)`);
        return;
      }
      case 'GaussianNoise': {
        const module = this.name(id);
        this.init.push(`self.${module} = GaussianNoise(${(p as unknown as GaussianNoiseParams).stddev})  # ${comment}: training only`);
        this.forward.push(`x = self.${module}(x)`);
        return;
      }
      case 'RandomMask': {
        const q = p as unknown as RandomMaskParams;
        const module = this.name(id);
        this.to('nhwc');
        this.init.push(`self.${module} = RandomMask(${pyString(q.shape)}, ${q.count}, ${q.size}, ${pyString(q.fill)})  # ${comment}: training only`);
        this.forward.push(`x = self.${module}(x)`);
        return;
      }
      default:
        throw new ExportError(`block "${id}" (${node.kind}) cannot be exported to PyTorch`);
    }
  }
}

interface ModelSource {
  source: string;
  weights: WeightEntry[];
  inputShape: number[];
  codeSize: number;
  variational: boolean;
  loss: { reconstruction: string; sparsity: unknown; variational: unknown; inputSize: number };
}

function indent(lines: string[], spaces: number): string {
  return lines.map((l) => ' '.repeat(spaces) + l).join('\n');
}

/** An nn.Module class from one half's layers and forward lines. */
function moduleClass(name: string, doc: string, m: ModuleWriter): string {
  return `class ${name}(nn.Module):
    \"\"\"${doc}\"\"\"

    def __init__(self):
        super().__init__()
${m.init.length ? indent(m.init, 8) : '        pass'}

    def forward(self, x):
${indent(m.forward, 8)}
`;
}

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
[kh, kw, out, in]); load_app_weights converts them.
"""
import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

INPUT_SHAPE = (${inputShape.join(', ')}${inputShape.length === 1 ? ',' : ''})  # H, W, C
CODE_SIZE = ${analysis.codeSize}
VARIATIONAL = ${variational ? 'True' : 'False'}

${MODEL_HELPERS}

${moduleClass('Encoder', encoderDoc, encoder)}

${moduleClass('Decoder', 'Code (N, code size) → image (N, H, W, C).', decoder)}

class Autoencoder(nn.Module):
    """Image (N, H, W, C) → reconstruction (N, H, W, C). Training-only blocks act in train() mode only."""

    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    def encode(self, x):
        """The code; for a VAE, its mean μ (what the app's encoder gives)."""
        out = self.encoder(x)
        return out[0] if VARIATIONAL else out

    def forward_terms(self, x):
        """(reconstruction, code, μ, log σ²) as the app's loss needs them; μ and log σ² are None unless a VAE.

        A VAE's code is z = μ + exp(½ log σ²)·ε while training, z = μ in eval mode.
        """
        if VARIATIONAL:
            mean, logvar = self.encoder(x)
            code = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean) if self.training else mean
            return self.decoder(code), code, mean, logvar
        code = self.encoder(x)
        return self.decoder(code), code, None, None

    def forward(self, x, terms=False):
        """The reconstruction; with terms=True, forward_terms' tuple (what train.py calls through DDP)."""
        return self.forward_terms(x) if terms else self.forward_terms(x)[0]


# The app's weights: (its name, the module's parameter or buffer, how its layout converts, its shape in the app, trained).
APP_WEIGHTS = [
${table.join('\n')}
]


def to_torch(kind, array):
    """An app-layout array as the PyTorch tensor of its parameter."""
    t = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    if kind == "linear":  # [in, out] → [out, in]
        return t.t().contiguous()
    if kind in ("conv", "conv_transpose"):  # [kh, kw, in, out] → [out, in, kh, kw]; [kh, kw, out, in] → [in, out, kh, kw]
        return t.permute(3, 2, 0, 1).contiguous()
    return t


def to_app(kind, tensor):
    """A PyTorch parameter as the app lays it out (the inverse of to_torch)."""
    t = tensor.detach().cpu()
    if kind == "linear":
        t = t.t()
    elif kind in ("conv", "conv_transpose"):
        t = t.permute(2, 3, 1, 0)
    return t.contiguous().numpy().astype(np.float32)


def tensor_at(model, path):
    """The parameter or buffer at a dotted path ("encoder.dense_3.weight")."""
    obj = model
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def load_app_weights(model, weights="weights.npz"):
    """Puts the app's weights (an .npz path, or a mapping name → array) into an Autoencoder."""
    arrays = np.load(weights) if isinstance(weights, str) else weights
    with torch.no_grad():
        for name, path, kind, shape, _ in APP_WEIGHTS:
            array = np.asarray(arrays[name])
            if tuple(array.shape) != tuple(shape):
                raise ValueError(f"{name} is {array.shape}, the model needs {shape}")
            tensor_at(model, path).copy_(to_torch(kind, array))
    return model


def app_weights(model):
    """The model's weights by the app's names, in the app's layout (np.savez(path, **app_weights(model)) writes them)."""
    return {name: to_app(kind, tensor_at(model, path)) for name, path, kind, _, _ in APP_WEIGHTS}
`;
  return { source, weights, inputShape, codeSize: analysis.codeSize!, variational, loss: spec };
}

/** The layer helpers model.py defines before its modules: TF's padding, tfjs' training-only blocks. */
const MODEL_HELPERS = String.raw`
def same_padding(length, kernel, stride):
    """TensorFlow's 'same' padding along one axis: (before, after); the odd pixel goes after."""
    out = -(-length // stride)
    total = max((out - 1) * stride + kernel - length, 0)
    return total // 2, total - total // 2


class TFConv2d(nn.Conv2d):
    """nn.Conv2d with TensorFlow's 'same' padding (asymmetric when the total is odd), NCHW."""

    def __init__(self, in_channels, out_channels, kernel, stride, padding):
        super().__init__(in_channels, out_channels, kernel, stride, padding=0)
        self.tf_padding = padding

    def forward(self, x):
        if self.tf_padding == "same":
            k, s = self.kernel_size[0], self.stride[0]
            top, bottom = same_padding(x.shape[2], k, s)
            left, right = same_padding(x.shape[3], k, s)
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


class TFConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d giving TensorFlow's output size (H·s for 'same', H·s + max(k − s, 0) for 'valid').

    The full transposed convolution is cropped where TF's forward convolution would have padded
    (or padded with zeros when it is shorter), and the bias added after.
    """

    def __init__(self, in_channels, out_channels, kernel, stride, padding, out_size):
        super().__init__(in_channels, out_channels, kernel, stride, padding=0)
        self.tf_padding = padding
        self.out_size = out_size

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        y = F.conv_transpose2d(x, self.weight, None, self.stride)
        (oh, ow), pads = self.out_size, []
        for axis, out in ((3, ow), (2, oh)):
            before = same_padding(out, k, s)[0] if self.tf_padding == "same" else 0
            pads += [-before, out + before - y.shape[axis]]
        return F.pad(y, pads) + self.bias.view(1, -1, 1, 1)


class TFMaxPool2d(nn.Module):
    """Max pooling with TensorFlow's 'same' padding (padded with −∞), NCHW."""

    def __init__(self, pool, stride, padding):
        super().__init__()
        self.pool, self.stride, self.tf_padding = pool, stride, padding

    def forward(self, x):
        if self.tf_padding == "same":
            top, bottom = same_padding(x.shape[2], self.pool, self.stride)
            left, right = same_padding(x.shape[3], self.pool, self.stride)
            x = F.pad(x, (left, right, top, bottom), value=-math.inf)
        return F.max_pool2d(x, self.pool, self.stride)


class GaussianNoise(nn.Module):
    """Adds N(0, stddev²) noise while training (not clipped, as in the app); identity in eval mode."""

    def __init__(self, stddev):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        return x + self.stddev * torch.randn_like(x) if self.training else x


class RandomMask(nn.Module):
    """Hides random holes of each image while training (every channel of a hidden pixel), as the app's
    RandomMask: rectangles 60–100 % of size·side on each side, or blotches (a short random walk of five
    discs about size·side across); filled with zeros or uniform noise. NHWC. Identity in eval mode.
    The holes are drawn from Python's random module, not the app's stream."""

    def __init__(self, shape, count, size, fill):
        super().__init__()
        self.shape, self.count, self.size, self.fill = shape, count, size, fill
        self.random = random.Random()

    def seed(self, seed):
        self.random.seed(seed)

    def holes(self, height, width):
        r, hidden = self.random.random, np.zeros((height, width), dtype=bool)
        ys, xs = np.mgrid[0:height, 0:width]
        for _ in range(self.count):
            if self.shape == "rectangles":
                h = min(height, max(1, round(self.size * height * (0.6 + 0.4 * r()))))
                w = min(width, max(1, round(self.size * width * (0.6 + 0.4 * r()))))
                top, left = math.floor(r() * (height - h + 1)), math.floor(r() * (width - w + 1))
                hidden[top:top + h, left:left + w] = True
                continue
            r0 = max(0.75, self.size * min(height, width) / 5)
            cx, cy, heading = r() * width, r() * height, r() * 2 * math.pi
            for _ in range(5):
                radius = r0 * (0.6 + 0.4 * r())
                hidden |= (xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2 <= radius * radius
                heading += (r() - 0.5) * 1.5
                cx = min(width, max(0.0, cx + math.cos(heading) * r0 * 0.8))
                cy = min(height, max(0.0, cy + math.sin(heading) * r0 * 0.8))
        return hidden

    def forward(self, x):
        if not self.training:
            return x
        n, height, width, channels = x.shape
        hidden = torch.from_numpy(np.stack([self.holes(height, width) for _ in range(n)])).to(x.device)
        hidden = hidden.unsqueeze(-1).expand(n, height, width, channels)
        fill = torch.rand_like(x) if self.fill == "noise" else torch.zeros_like(x)
        return torch.where(hidden, fill, x)
`;

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
  };
  files.push({ path: 'config.json', data: `${JSON.stringify(config, null, 2)}\n` });
  files.push({ path: 'train.py', data: TRAIN_PY });
  files.push({ path: 'requirements.txt', data: 'torch>=1.13\nnumpy\npillow\n' });
  files.push({ path: 'README.md', data: readme(input, model, folderRead, opt !== null) });
  if (builtin) {
    const dir = join(assetsDir(), 'datasets', 'fashion-mnist');
    for (const file of BUILTIN_DATA_FILES) files.push({ path: `data/${file}`, data: new Uint8Array(readFileSync(join(dir, file))) });
  }
  return files;
}

/** The project's README; `folderRead` is how train.py reads a folder of images given to it. */
function readme(input: PytorchProjectInput, model: ModelSource, folderRead: Preprocessing, withOptimizer: boolean): string {
  const t = input.doc.training;
  const ref = parseDatasetId(input.datasetId);
  const builtin = ref.kind === 'builtin';
  const data = builtin ? 'builtin' : shellQuote(ref.path);
  const [height, width] = model.inputShape as [number, number, number];
  return `# ${input.doc.name}: PyTorch project

Exported by Bottleneck from run **${input.runName}** (\`${input.runId}\`) after epoch ${input.epoch}, trained on ${describeDatasetId(input.datasetId)}
(its id is in \`config.json\`).

| file | what |
| --- | --- |
| \`model.py\` | the graph as \`nn.Module\`s: \`Encoder\`, \`Decoder\`, \`Autoencoder\`; \`load_app_weights\`, \`app_weights\` |
| \`weights.npz\` | the run's weights by the app's names, in the app's layout |
${withOptimizer ? '| `optimizer.npz` | the optimizer\'s state (slots by weight name, and `iter`), loaded by train.py |\n' : ''}| \`config.json\` | the dataset id, training settings (${t.optimizer}, learning rate ${t.learningRate}, batch ${t.batchSize}, seed ${t.seed}), loss, epoch reached |
| \`train.py\` | continues training, on one process or many |
${builtin ? '| `data/` | the built-in Fashion-MNIST (10,000 training and 1,000 validation images, IDX gzip) |\n' : ''}
\`\`\`sh
pip install -r requirements.txt
\`\`\`

## Use the model

\`\`\`python
import torch, model
ae = model.load_app_weights(model.Autoencoder()).eval()
x = torch.rand(16, ${model.inputShape.join(', ')})   # images (N, H, W, C), float32 in [0, 1], as the app reads them (bytes / 255)
reconstruction = ae(x)           # (N, ${model.inputShape.join(', ')})
code = ae.encode(x)              # (N, ${model.codeSize})${model.variational ? ': the mean μ; ae.encoder(x) gives (μ, log σ²)' : ''}
images = ae.decoder(code)
\`\`\`

Inputs and outputs are NHWC like the app's; the convolutions run in NCHW inside, and Flatten and
Reshape work in NHWC order so the app's Dense weights fit as they are. \`model.app_weights(ae)\`
gives the weights back in the app's names and layout.

## Continue training

One process:

\`\`\`sh
python train.py --data ${data} --epochs 5
\`\`\`

Several processes on one machine (DistributedDataParallel; NCCL when CUDA is available, else Gloo):

\`\`\`sh
torchrun --nproc_per_node=4 train.py --data ${data} --epochs 5
\`\`\`

Several machines (run on each, with its own \`--node_rank\` where the rendezvous needs it):

\`\`\`sh
torchrun --nnodes=2 --nproc_per_node=4 --rdzv-backend=c10d --rdzv-endpoint=HOST:29500 train.py --data ${data} --epochs 5
\`\`\`

With PyTorch 1.13 on Python 3.11 or later, torchrun fails at start (\`'NoneType' object has no attribute 'get'\`):
add \`--redirects 1 --tee 1\` before \`train.py\` (later PyTorch releases have no such trouble).

\`--epochs\` counts the epochs to train from here (default: the rest of the run's ${t.epochs}, or ${t.epochs} more when it had finished).
${
  builtin
    ? `\`--data builtin\` reads \`data/\`; a folder holding the four Fashion-MNIST \`*.idx.gz\` files works too, and so does a folder of
images (subfolders are the classes), read as the app reads one for this model: ${height}×${width} ${colourName(decodedChannels(folderRead))}, cover,
${backgroundNote(folderRead.background)}, 10 % of each class held out for validation.`
    : `\`--data\` is the image folder (subfolders are the classes; the run's own by default), read as the app read it:
${height}×${width} ${colourName(decodedChannels(folderRead))}, ${folderRead.fit}, ${backgroundNote(folderRead.background)}.`
} Images of more than ${MAX_IMAGE_PIXELS / 1e6} megapixels are skipped (as the app skips them), and every skipped file is listed.
Training starts from \`weights.npz\`${withOptimizer ? ' and `optimizer.npz`' : ''} at epoch ${input.epoch} and counts on from there. The batch of
${t.batchSize} images is the **global** batch: each of N processes takes ${t.batchSize}/N of it. Rank 0 writes
\`metrics.csv\` (epoch, loss, val_loss and each term: recon_loss, sparsity_loss, kl_loss, with val_ for
validation) and \`checkpoints/epoch-N.pt\` (model, optimizer, epoch, step) plus \`checkpoints/epoch-N.npz\`
(the weights in the app's names and layout). \`--resume checkpoints/epoch-N.pt\` continues from one.
\`--device cpu|cuda\` picks the device; \`--out DIR\` where to write.

## What is the same as in the app, and what is not

The same: the layers and their weights (the forward pass matches the app's to float32 rounding),
TensorFlow's asymmetric 'same' padding and transposed-convolution sizes, BatchNorm (epsilon 1e-3,
momentum 0.99 as tfjs counts it), the loss terms (binary cross-entropy clipped at 1e-7 or MSE, mean per
value; L1 or KL sparsity on the code and the VAE's KL, each divided by the image's ${model.loss.inputSize} values; the
VAE's β with its linear warm-up by global step), the optimizer (Adam β 0.9/0.999, ε 1e-7 as tfjs, with its
state; SGD with momentum; RMSprop as tfjs computes it, ε inside the square root), the learning-rate
schedule and its warm-up by global step, decoupled weight decay (each step shrinks the weights by
learning rate × weight decay before the optimizer's step, for every optimizer, as AdamW), the order of the
training images (the app's seeded shuffle, epoch by epoch, replayed from epoch 1) and so the global
batches, and the validation loss (every validation image, in batches of 256, in eval mode, with the
current KL weight).

Not the same: data augmentation (flips, shifts, rotations, brightness) is the app's alone: train.py
trains on the images as they are${isAugmenting(t.augmentation) ? ` (this run augmented its images, ${describeAugmentation(t.augmentation)}: add torchvision transforms to match)` : ''}; the random numbers of Dropout, GaussianNoise, RandomMask and the VAE's sampling
(PyTorch's generators, not the app's streams); the floating-point order of operations (so two runs
drift apart slowly); with several processes, BatchNorm's batch statistics and the KL sparsity's mean
activation are taken per process, and a last batch that does not split evenly is weighted by its
rows; BatchNorm's moving variance (PyTorch updates it with the unbiased variance)${builtin ? '' : '; and image folders:\nPIL resizes (Lanczos) and converts to grayscale differently from sharp, so pixels differ slightly, and\nfiles are listed in code-point order where the app uses locale order (names differing only in case\nor accents may be ordered, and so split, differently)'}.
`;
}

/** A path as one shell word: quoted when it holds anything a shell would read. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** train.py: the same for every graph; what differs is read from config.json and model.py. */
const TRAIN_PY = String.raw`"""
Continues training an autoencoder exported from Bottleneck, with the app's loss terms, optimizer,
batches and validation loss. One process, or many under torchrun (DistributedDataParallel):

    python train.py --data builtin --epochs 5
    torchrun --nproc_per_node=4 train.py --data builtin --epochs 5
"""
import argparse
import csv
import gzip
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model as exported  # noqa: E402

EVAL_BATCH = 256
KL_EPSILON = 1e-7
EPSILON = 1e-7
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
IDX_FILES = ("train-images.idx.gz", "train-labels.idx.gz", "test-images.idx.gz", "test-labels.idx.gz")
MAX_IMAGE_PIXELS = ${MAX_IMAGE_PIXELS}  # the app's limit (core/limits.ts): larger images are skipped, there and here


# --- The app's seeded generator (mulberry32) and shuffle, so the batches are the app's. ---

def seeded_random(seed):
    state = [seed & 0xFFFFFFFF]

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def random():
        state[0] = (state[0] + 0x6D2B79F5) & 0xFFFFFFFF
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return random


def shuffled_indices(count, random):
    idx = list(range(count))
    for i in range(count - 1, 0, -1):
        j = math.floor(random() * (i + 1))
        idx[i], idx[j] = idx[j], idx[i]
    return idx


# --- Data, read as the app reads it. ---

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims).copy()


def load_builtin(folder, ref):
    train_x = read_idx(os.path.join(folder, "train-images.idx.gz"))
    train_y = read_idx(os.path.join(folder, "train-labels.idx.gz"))
    val_x = read_idx(os.path.join(folder, "test-images.idx.gz"))
    val_y = read_idx(os.path.join(folder, "test-labels.idx.gz"))
    if train_x.ndim == 3:
        train_x, val_x = train_x[..., None], val_x[..., None]
    if ref.get("classes") is not None:  # the training split keeps these classes; validation keeps all
        keep = np.isin(train_y, ref["classes"])
        train_x, train_y = train_x[keep], train_y[keep]
    n_train = ref.get("train", len(train_x))
    n_val = ref.get("validation", len(val_x))
    return (train_x[:n_train], train_y[:n_train]), (val_x[:n_val], val_y[:n_val])


def stratified_split(labels, split, seed):
    """The app's split: round(split × n) of each class (at least 1 when n ≥ 2) to validation, seeded."""
    by_class = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    random = seeded_random(seed)
    train, validation = [], []
    for label in sorted(by_class):
        idx = by_class[label]
        for i in range(len(idx) - 1, 0, -1):
            j = math.floor(random() * (i + 1))
            idx[i], idx[j] = idx[j], idx[i]
        held = 0 if len(idx) < 2 else max(1, js_round(split * len(idx)))
        validation += idx[:held]
        train += idx[held:]
    return sorted(train), sorted(validation)


def js_round(x):
    return math.floor(x + 0.5)


def scan_folder(root):
    """Image files under root (hidden entries skipped), labels from the first subfolder."""
    files = []

    def walk(folder):
        for name in sorted((n for n in os.listdir(folder) if not n.startswith(".")), key=lambda n: (n.casefold(), n)):
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                walk(path)
            elif os.path.isfile(path) and name.lower().endswith(IMAGE_EXTENSIONS) and os.path.getsize(path) > 0:
                parts = os.path.relpath(path, root).split(os.sep)
                files.append((path, parts[0] if len(parts) > 1 else "unlabeled"))

    walk(root)
    return files


class TooLarge(Exception):
    pass


def fitted(im, size, fit, fill):
    from PIL import Image, ImageOps

    if fit == "cover":
        return ImageOps.fit(im, size, Image.LANCZOS)
    if fit == "contain":
        return ImageOps.pad(im, size, Image.LANCZOS, color=fill)
    return im.resize(size, Image.LANCZOS)


def decode_image(path, p):
    """One image as the app decodes it: its first frame, transparency onto p's background, fitted, in p's colour."""
    from PIL import Image

    with Image.open(path) as im:  # reads the header only
        width, height = im.size
        if width * height > MAX_IMAGE_PIXELS:  # the app's limit, checked before decoding
            raise TooLarge(f"{width}×{height} is {js_round(width * height / 1e6):,} megapixels; images up to {MAX_IMAGE_PIXELS // 1_000_000} megapixels are read")
        im.seek(0)
        im = im.convert("RGBA")
        size = (p["width"], p["height"])
        if p["background"] == "alpha":  # kept as a last channel; padding is transparent
            im = fitted(im, size, p["fit"], (0, 0, 0, 0))
            colour = np.asarray(im.convert("L" if p["channels"] == 1 else "RGB"), dtype=np.uint8)
            array = np.dstack([colour.reshape(p["height"], p["width"], -1), np.asarray(im.getchannel("A"), dtype=np.uint8)])
        else:
            fill = (255, 255, 255) if p["background"] == "white" else (0, 0, 0)
            im = Image.alpha_composite(Image.new("RGBA", im.size, fill + (255,)), im).convert("RGB")
            im = fitted(im, size, p["fit"], fill)
            array = np.asarray(im.convert("L") if p["channels"] == 1 else im, dtype=np.uint8)
    return array.reshape(p["height"], p["width"], -1)


def load_folder(root, ref):
    """Every image under root as the app reads it; files it would skip are skipped, and listed."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # MAX_IMAGE_PIXELS above is the limit, as in the app
    p = ref["preprocessing"]
    if not os.path.isdir(root):
        raise SystemExit(f"--data {root}: no such folder")
    images, labels, skipped = [], [], 0
    for path, label in scan_folder(root):
        try:
            images.append(decode_image(path, p))
            labels.append(label)
        except TooLarge as err:
            skipped += 1
            print(f"skipped {path}: too large: {err}", file=sys.stderr)
        except Exception as err:  # skipped, as the app skips files it cannot decode
            skipped += 1
            print(f"skipped {path}: cannot decode: {err}", file=sys.stderr)
    if not images:
        raise SystemExit(f"--data {root}: no image could be read (looked for {' '.join(IMAGE_EXTENSIONS)}; {skipped} files skipped)")
    print(f"read {len(images)} images from {root}{f', {skipped} skipped' if skipped else ''}", file=sys.stderr)
    names = sorted(set(labels))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[label] for label in labels], dtype=np.uint8)
    x = np.stack(images)
    train, validation = stratified_split(list(y), p["validationSplit"], p["seed"])
    (tx, ty), (vx, vy) = (x[train], y[train]), (x[validation], y[validation])
    if ref.get("classes") is not None:
        keep = np.isin(ty, ref["classes"])
        tx, ty = tx[keep], ty[keep]
    return (tx, ty), (vx, vy)


def load_data(arg, config):
    ref = config["dataset"]
    if ref["kind"] != "builtin":
        return load_folder(ref["path"] if arg in (None, "builtin") else arg, ref)
    folder = os.path.join(HERE, "data") if arg in (None, "builtin") else arg
    if all(os.path.exists(os.path.join(folder, name)) for name in IDX_FILES):
        return load_builtin(folder, ref)
    if not os.path.isdir(folder):
        raise SystemExit(f"--data {arg}: no such folder (give builtin, a folder with {', '.join(IDX_FILES)}, or a folder of images)")
    # A folder of images for a run trained on the built-in set: read at the model's input, as the app reads folders.
    return load_folder(folder, {"preprocessing": config["folderPreprocessing"]})


# --- The app's loss terms (core/train/losses.ts). ---

def reconstruction_loss(kind, prediction, target):
    if kind == "mse":
        return torch.mean((prediction - target) ** 2)
    p = torch.clamp(prediction, EPSILON, 1 - EPSILON)
    return -torch.mean(target * torch.log(p) + (1 - target) * torch.log(1 - p))


def loss_terms(spec, outputs, target, kl_weight):
    """[total, recon, sparsity, kl] for one batch, as the app computes them."""
    reconstruction, code, mean, logvar = outputs
    recon = reconstruction_loss(spec["reconstruction"], reconstruction, target)
    zero = recon.new_zeros(())
    sparsity, kl = zero, zero
    s = spec.get("sparsity")
    if s and s["kind"] == "l1":
        sparsity = s["weight"] / spec["inputSize"] * torch.mean(torch.sum(torch.abs(code), -1))
    elif s and s["kind"] == "kl":
        rho = s["rho"]
        rho_hat = torch.clamp(torch.mean(code, 0), KL_EPSILON, 1 - KL_EPSILON)
        divergence = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
        sparsity = s["weight"] / spec["inputSize"] * torch.sum(divergence)
    if spec.get("variational") and mean is not None:
        per_image = -0.5 * torch.sum(1 + logvar - mean ** 2 - torch.exp(logvar), -1)
        kl = torch.mean(per_image) / spec["inputSize"]
    total = recon + sparsity + kl_weight * kl
    return torch.stack([total, recon, sparsity, kl])


def kl_weight_at(spec, step, steps_per_epoch):
    """β times the linear warm-up factor at a global step (counted from 1)."""
    v = spec.get("variational")
    if not v:
        return 0.0
    if v["warmupEpochs"] <= 0:
        return v["beta"]
    return v["beta"] * min(1.0, step / (v["warmupEpochs"] * steps_per_epoch))


TERMS = ["loss", "recon_loss", "sparsity_loss", "kl_loss"]


# --- Optimizers as tfjs builds them (core/train/train.ts makeOptimizer). ---

class TfRMSprop(torch.optim.Optimizer):
    """tfjs' RMSprop: ms = ρ·ms + (1 − ρ)·g²; mom = μ·mom + lr·g / sqrt(ms + ε); w −= mom (ε inside the root)."""

    def __init__(self, params, lr, decay=0.9, momentum=0.0, eps=1e-7):
        super().__init__(params, dict(lr=lr, decay=decay, momentum=momentum, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["rms"] = torch.zeros_like(p)
                    state["momentum"] = torch.zeros_like(p)
                    state["step"] = torch.tensor(0.0)
                ms, mom = state["rms"], state["momentum"]
                ms.mul_(group["decay"]).addcmul_(p.grad, p.grad, value=1 - group["decay"])
                mom.mul_(group["momentum"]).add_(group["lr"] * p.grad / torch.sqrt(ms + group["eps"]))
                p.sub_(mom)
                state["step"] += 1


def learning_rate_at(settings, step, steps_per_epoch):
    """The app's schedule (core/train/schedule.ts): constant, step or cosine, after a linear warm-up, at a global step (from 1)."""
    lr = settings["learningRate"]
    s = {"kind": "constant", "warmupEpochs": 0, "stepEvery": 10, "stepFactor": 0.5, "floor": 0, "length": 0, **settings.get("schedule", {})}
    position = (step - 1) / steps_per_epoch
    warmup = s["warmupEpochs"]
    warm = min(1.0, step / (warmup * steps_per_epoch)) if warmup > 0 else 1.0
    if s["kind"] == "step":
        return lr * warm * s["stepFactor"] ** math.floor(position / s["stepEvery"])
    if s["kind"] == "cosine":
        span = (s["length"] if s["length"] > 0 else settings["epochs"]) - warmup
        progress = min(1.0, max(0.0, position - warmup) / span) if span > 0 else 1.0
        bottom = lr * s["floor"]
        return warm * (bottom + (lr - bottom) * 0.5 * (1 + math.cos(math.pi * progress)))
    return lr * warm


@torch.no_grad()
def apply_step(optimizer, settings, lr):
    """Sets this step's learning rate, shrinks the weights by lr × weight decay (decoupled, as the app and AdamW do, for every optimizer), then steps."""
    decay = settings.get("weightDecay", 0)
    for group in optimizer.param_groups:
        group["lr"] = lr
        if decay > 0:
            for p in group["params"]:
                p.mul_(1 - lr * decay)
    optimizer.step()


def make_optimizer(settings, params):
    name, lr = settings["optimizer"], settings["learningRate"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=settings["momentum"])
    if name == "rmsprop":
        return TfRMSprop(params, lr=lr)
    # tfjs' Adam: β 0.9 / 0.999, ε 1e-7 outside the root, bias correction by step: what torch's Adam computes.
    return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-7)


def load_optimizer_state(optimizer, model, path, settings):
    """Puts the app's optimizer slots (optimizer.npz) into the PyTorch optimizer."""
    arrays = np.load(path)
    step = float(np.asarray(arrays["iter"]))
    name = settings["optimizer"]
    for app_name, param_path, kind, _, trainable in exported.APP_WEIGHTS:
        if not trainable:
            continue
        p = exported.tensor_at(model, param_path)
        slot = lambda suffix: exported.to_torch(kind, arrays[f"{app_name}/{suffix}"]).to(p.device)
        if name == "adam":
            optimizer.state[p] = {"step": torch.tensor(step), "exp_avg": slot("m"), "exp_avg_sq": slot("v")}
        elif name == "sgd" and settings["momentum"] > 0:
            optimizer.state[p] = {"momentum_buffer": slot("momentum")}
        elif name == "rmsprop":
            optimizer.state[p] = {"rms": slot("rms"), "momentum": slot("momentum"), "step": torch.tensor(step)}


# --- Distributed set-up. ---

class AppOrderSampler(DistributedSampler):
    """DistributedSampler over the app's batches: each epoch's order is the app's seeded shuffle; each
    global batch of batch_size rows is dealt to the ranks (rank r takes rows r, r + W, …), so together
    they train on exactly the app's batch. Yields one list of indices per batch (a batch_sampler)."""

    def __init__(self, count, batch_size, seed, start_epoch, num_replicas, rank):
        self.count, self.batch_size = count, batch_size
        self.num_replicas, self.rank, self.epoch = num_replicas, rank, start_epoch
        self.random = seeded_random(seed)
        self.start = start_epoch
        self.orders = []
        for _ in range(start_epoch):  # replay the finished epochs' shuffles, as the app does on resume
            shuffled_indices(count, self.random)

    def order(self, epoch):
        """The order of epoch (counted from 0): the app's epoch + 1."""
        while len(self.orders) <= epoch - self.start:
            self.orders.append(shuffled_indices(self.count, self.random))
        return self.orders[epoch - self.start]

    def __iter__(self):
        order = self.order(self.epoch)
        for start in range(0, self.count, self.batch_size):
            batch = order[start:start + self.batch_size]
            mine = batch[self.rank::self.num_replicas]
            # A short last batch may leave a rank no rows; DDP still needs its forward and backward,
            # so it runs one row of the batch with weight 0 (False: these rows do not count).
            yield (mine, len(batch), True) if mine else (batch[:1], len(batch), False)

    def __len__(self):
        return math.ceil(self.count / self.batch_size)


def setup_distributed(device_arg):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() and device_arg != "cpu"
    if cuda:
        torch.cuda.set_device(local_rank)
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if world > 1:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    return world, rank, device


def all_sum(tensor, world):
    if world > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def evaluate(model, spec, images, kl_weight, device):
    """The app's validation loss: every validation image, batches of 256, eval mode, terms weighted by rows."""
    model.eval()
    sums = torch.zeros(4, dtype=torch.float32)
    with torch.no_grad():
        for start in range(0, len(images), EVAL_BATCH):
            x = torch.from_numpy(images[start:start + EVAL_BATCH]).to(device).float() / 255
            sums += loss_terms(spec, model.forward_terms(x), x, kl_weight).cpu() * len(x)
    model.train()
    return (sums / len(images)).tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="builtin (the data/ folder), a folder of Fashion-MNIST idx.gz files, or the image folder")
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train from here")
    parser.add_argument("--out", default=HERE, help="where metrics.csv and checkpoints/ go")
    parser.add_argument("--resume", default=None, help="a checkpoints/epoch-N.pt to continue from instead of weights.npz")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = parser.parse_args()

    with open(os.path.join(HERE, "config.json")) as f:
        config = json.load(f)
    settings, spec = config["training"], config["loss"]
    world, rank, device = setup_distributed(args.device)
    torch.manual_seed(settings["seed"] * 1000 + rank)

    (train_x, _), (val_x, _) = load_data(args.data, config)
    if len(train_x) == 0:
        raise SystemExit("the dataset has no training images")
    batch_size = min(settings["batchSize"], len(train_x))
    steps_per_epoch = math.ceil(len(train_x) / batch_size)

    model = exported.Autoencoder()
    exported.load_app_weights(model, os.path.join(HERE, "weights.npz"))
    model.to(device)
    start_epoch = config["epoch"]
    optimizer = make_optimizer(settings, [p for p in model.parameters() if p.requires_grad])
    if config.get("optimizerState"):
        load_optimizer_state(optimizer, model, os.path.join(HERE, config["optimizerState"]["file"]), settings)
    if args.resume:
        saved = torch.load(args.resume, map_location=device)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        start_epoch = saved["epoch"]
    for layer in model.modules():
        if isinstance(layer, exported.RandomMask):
            layer.seed(settings["seed"] * 1000 + rank + start_epoch)
    step = start_epoch * steps_per_epoch
    epochs = args.epochs if args.epochs is not None else (settings["epochs"] - start_epoch if settings["epochs"] > start_epoch else settings["epochs"])

    net = model
    if world > 1:
        if device.type == "cuda":
            net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        net = DistributedDataParallel(net, device_ids=[device.index] if device.type == "cuda" else None)
    sampler = AppOrderSampler(len(train_x), batch_size, settings["seed"], start_epoch, world, rank)
    train_images = torch.from_numpy(np.ascontiguousarray(train_x))
    model.train()

    os.makedirs(os.path.join(args.out, "checkpoints"), exist_ok=True)
    metrics_path = os.path.join(args.out, "metrics.csv")
    columns = ["epoch"] + TERMS + ["val_" + t for t in TERMS]
    if rank == 0 and not os.path.exists(metrics_path):
        with open(metrics_path, "w", newline="") as f:
            csv.writer(f).writerow(columns)

    for epoch in range(start_epoch + 1, start_epoch + epochs + 1):
        sampler.set_epoch(epoch - 1)
        sums = torch.zeros(5, dtype=torch.float64)
        for indices, global_count, counts in sampler:
            step += 1
            kl_weight = kl_weight_at(spec, step, steps_per_epoch)
            x = train_images[indices].to(device).float() / 255
            optimizer.zero_grad(set_to_none=True)
            rows = len(indices) if counts else 0
            terms = loss_terms(spec, net(x, terms=True), x, kl_weight)
            # DDP averages the ranks' gradients: weigh each by its rows so the step is the global batch's mean.
            objective = terms[0] * (rows * world / global_count)
            objective.backward()
            apply_step(optimizer, settings, learning_rate_at(settings, step, steps_per_epoch))
            sums += torch.cat([terms.detach().cpu().double() * rows, torch.tensor([float(rows)], dtype=torch.float64)])
        sums = all_sum(sums.to(device) if device.type == "cuda" else sums, world).cpu()
        train_terms = (sums[:4] / sums[4]).tolist()
        if not all(math.isfinite(v) for v in train_terms):
            raise SystemExit(f"the loss became {train_terms[0]} at epoch {epoch}: training diverged; try a lower learning rate")
        if rank == 0:
            val_terms = evaluate(model, spec, val_x, kl_weight_at(spec, step, steps_per_epoch), device)
            with open(metrics_path, "a", newline="") as f:
                csv.writer(f).writerow([epoch] + [f"{v:.7g}" for v in train_terms + val_terms])
            print(f"epoch {epoch}: loss {train_terms[0]:.6f}, val_loss {val_terms[0]:.6f}", flush=True)
            base = os.path.join(args.out, "checkpoints", f"epoch-{epoch}")
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch, "step": step}, base + ".pt")
            np.savez(base + ".npz", **exported.app_weights(model))
        if world > 1:
            dist.barrier()
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
