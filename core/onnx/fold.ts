/**
 * Folds nodes whose inputs are all float initializers into initializers, for the models the app
 * exports: a convolution's kernel is then stored in ONNX's layout rather than transposed at every
 * load, and batch norm's statistics arrive as the scale and shift they amount to. Only the few
 * operators those need (Transpose, Reshape, and element-wise arithmetic with same-shape or scalar
 * operands); anything else is left as it is.
 */
import { DataType, type TensorMessage } from '../export/onnxProto';
import { floatBytes, type OnnxBuilder } from './builder';

function floats(t: TensorMessage): Float32Array {
  const view = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
  return Float32Array.from({ length: t.raw_data.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

function int64s(t: TensorMessage): number[] {
  const view = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
  return Array.from({ length: t.raw_data.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function transposed(data: Float32Array, dims: number[], perm: number[]): { data: Float32Array; dims: number[] } {
  const outDims = perm.map((p) => dims[p]!);
  const strides = dims.map((_, i) => size(dims.slice(i + 1)));
  const out = new Float32Array(data.length);
  const index = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < dims.length; a++) src += index[a]! * strides[perm[a]!]!;
    out[o] = data[src]!;
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++index[a]! < outDims[a]!) break;
      index[a] = 0;
    }
  }
  return { data: out, dims: outDims };
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = { Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b };
const UNARY: Record<string, (a: number) => number> = { Sqrt: Math.sqrt, Reciprocal: (a) => 1 / a };

export function foldConstants(g: OnnxBuilder): void {
  const byName = new Map(g.initializers.map((t) => [t.name, t]));
  const floatOf = (name: string) => {
    const t = byName.get(name);
    return t && t.data_type === DataType.FLOAT ? t : null;
  };
  const keep: typeof g.nodes = [];
  for (const node of g.nodes) {
    const out = node.output[0]!;
    let folded: { data: Float32Array; dims: number[] } | null = null;
    const a = floatOf(node.input[0] ?? '');
    if (a && node.output.length === 1) {
      if (node.op_type === 'Transpose') {
        const perm = node.attribute.find((x) => x.name === 'perm')?.ints ?? a.dims.map((_, i) => a.dims.length - 1 - i);
        folded = transposed(floats(a), a.dims, perm);
      } else if (node.op_type === 'Reshape') {
        const shape = byName.get(node.input[1] ?? '');
        if (shape?.data_type === DataType.INT64) {
          const target = int64s(shape);
          // 0 copies a dimension and −1 is inferred; a constant's reshape needs neither here, so only whole sizes are folded.
          if (target.every((d) => d > 0) && size(target) === size(a.dims)) folded = { data: floats(a), dims: target };
        }
      } else if (UNARY[node.op_type]) {
        folded = { data: floats(a).map(UNARY[node.op_type]!), dims: a.dims };
      } else if (ARITHMETIC[node.op_type]) {
        const b = floatOf(node.input[1] ?? '');
        if (b) {
          const [x, y] = [floats(a), floats(b)];
          const f = ARITHMETIC[node.op_type]!;
          if (x.length === y.length && a.dims.join() === b.dims.join()) folded = { data: x.map((v, i) => f(v, y[i]!)), dims: a.dims };
          else if (y.length === 1) folded = { data: x.map((v) => f(v, y[0]!)), dims: a.dims };
          else if (x.length === 1) folded = { data: y.map((v) => f(x[0]!, v)), dims: b.dims };
        }
      }
    }
    if (!folded) {
      keep.push(node);
      continue;
    }
    const t: TensorMessage = { name: out, dims: folded.dims, data_type: DataType.FLOAT, raw_data: floatBytes(folded.data) };
    g.initializers.push(t);
    byName.set(out, t);
  }
  g.nodes.splice(0, g.nodes.length, ...keep);
  // Initializers nothing reads any more (the unfolded originals) go.
  const read = new Set(g.nodes.flatMap((n) => n.input));
  for (const o of g.outputs) read.add(o.name);
  const used = g.initializers.filter((t) => read.has(t.name));
  g.initializers.splice(0, g.initializers.length, ...used);
}
