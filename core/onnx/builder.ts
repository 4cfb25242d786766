/**
 * A small writer of ONNX graphs: nodes with unique value names, deduplicated constants, typed
 * inputs and outputs, and the model's bytes. Everything the app computes with a model (the
 * training step, evaluation, inference and the ONNX export) is written through it.
 */
import { alignScalarRanks } from './broadcast';
import { AttributeType, DataType, encodeModel, type AttributeMessage, type GraphMessage, type NodeMessage, type TensorMessage, type ValueInfoMessage } from '../export/onnxProto';

/** A dimension: a size, or a name for a size known only when the model runs (the batch, "N"). */
export type Dim = number | string;

export type Attr = { i: number } | { f: number } | { ints: readonly number[] } | { floats: readonly number[] } | { s: string } | { g: GraphMessage };

export const ONNX_IR_VERSION = 8;
export const OPSET = 17;

function attribute(name: string, a: Attr): AttributeMessage {
  if ('i' in a) return { name, type: AttributeType.INT, i: a.i };
  if ('f' in a) return { name, type: AttributeType.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: [...a.floats] };
  if ('s' in a) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.s) };
  return { name, type: AttributeType.GRAPH, g: a.g };
}

/** Float32 values as little-endian bytes, whatever the machine's order. */
export function floatBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

export function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

export function valueInfo(name: string, dims: readonly Dim[], elemType: number = DataType.FLOAT, doc?: string): ValueInfoMessage {
  const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } }, ...(doc && { doc_string: doc }) };
}

export class OnnxBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  readonly inputs: ValueInfoMessage[] = [];
  readonly outputs: ValueInfoMessage[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** A value name not used before in this graph, from a readable hint. */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Names taken by an enclosing graph (a Loop body must not redefine them). */
  reserve(names: Iterable<string>): void {
    for (const n of names) this.used.add(n);
  }

  input(name: string, dims: readonly Dim[], elemType: number = DataType.FLOAT, doc?: string): string {
    if (this.used.has(name)) throw new Error(`ONNX value "${name}" is defined twice`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, dims, elemType, doc));
    return name;
  }

  /** Makes `value` a graph output called `name` (through an Identity when the names differ). */
  output(value: string, name: string, dims: readonly Dim[], elemType: number = DataType.FLOAT, doc?: string): void {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`ONNX value "${name}" is defined twice`);
      this.used.add(name);
      this.nodes.push({ name, op_type: 'Identity', input: [value], output: [name], attribute: [] });
    }
    this.outputs.push(valueInfo(name, dims, elemType, doc));
  }

  /** One node; returns its outputs' names (`outputs` of them, named after `hint`). */
  opN(opType: string, inputs: readonly string[], outputs: number, attrs: Record<string, Attr> = {}, hint = opType, domain?: string): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.fresh(outputs > 1 ? `${hint}_${i}` : hint));
    const node: NodeMessage = {
      name: names[0]!,
      op_type: opType,
      input: [...inputs],
      output: names,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    };
    if (domain) (node as NodeMessage & { domain: string }).domain = domain;
    this.nodes.push(node);
    return names;
  }

  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, hint = opType): string {
    return this.opN(opType, inputs, 1, attrs, hint)[0]!;
  }

  /** A float32 constant (shared by every use of the same values and shape). */
  float(values: number | readonly number[], dims?: readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    const key = `f${shape.join('x')}:${list.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.initializer('const', shape, Float32Array.from(list));
    this.constants.set(key, name);
    return name;
  }

  /** An int64 constant (shapes, axes, indices). */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh('const_i64');
    this.initializers.push({ name, dims: [...dims], data_type: DataType.INT64, raw_data: int64Bytes(values) });
    this.constants.set(key, name);
    return name;
  }

  initializer(hint: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...dims], data_type: DataType.FLOAT, raw_data: floatBytes(values) });
    return name;
  }

  graph(name: string, doc?: string): GraphMessage {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs, ...(doc && { doc_string: doc }) };
  }

  model(name: string, doc?: string, opset = OPSET): Uint8Array {
    alignScalarRanks(this);
    return encodeModel({
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ domain: '', version: opset }],
      producer_name: 'Bottleneck',
      ...(doc && { doc_string: doc }),
      graph: this.graph(name, doc),
    });
  }
}
