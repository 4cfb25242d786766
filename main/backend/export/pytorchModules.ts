/**
 * The generated half of the PyTorch export's model.py: a graph's blocks as nn.Module layers and
 * forward lines (the fixed layers they use are python/bottleneck_torch.py).
 */
import type { BottleneckParams } from '../../../core/blocks/bottleneck';
import type { ConvParams } from '../../../core/blocks/conv2d';
import type { DenseParams } from '../../../core/blocks/dense';
import type { MaxPoolParams, UpSamplingParams } from '../../../core/blocks/pooling';
import type { RandomMaskParams } from '../../../core/blocks/randomMask';
import { withDefaults } from '../../../core/blocks/registry';
import type { ActivationParams, DropoutParams, GaussianNoiseParams } from '../../../core/blocks/regularizers';
import type { ReshapeParams } from '../../../core/blocks/reshape';
import { ExportError } from '../../../core/export/deployment';
import type { GraphNode } from '../../../core/graph/types';

/** How a weight is turned from the app's layout into PyTorch's (model.py does it on load). */
export type WeightKind = 'linear' | 'conv' | 'conv_transpose' | 'plain';

export interface WeightEntry {
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

export const pyString = (s: string) => JSON.stringify(s);

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
export class ModuleWriter {
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

export interface ModelSource {
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
export function moduleClass(name: string, doc: string, m: ModuleWriter): string {
  return `class ${name}(nn.Module):
    \"\"\"${doc}\"\"\"

    def __init__(self):
        super().__init__()
${m.init.length ? indent(m.init, 8) : '        pass'}

    def forward(self, x):
${indent(m.forward, 8)}
`;
}
