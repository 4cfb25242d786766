/**
 * The setting paths of a sweep, as a user writes them:
 *   training.<name>          any training setting of the graph (training.learningRate, training.optimizer…)
 *   data.classes             the classes trained on (a class list per run)
 *   <block id or kind>.<p>   a block's parameter: bottleneck.units (the code size), dense1.units,
 *                            variationalbottleneck.beta, gaussiannoise.stddev (or .sigma)
 * A setting resolves against a graph to what it changes and the bounds its values must keep.
 */
import { BOTTLENECK_KINDS, blockSpec } from '../blocks/registry';
import { checkEnum, checkFloat, checkInt, type ParamField } from '../blocks/types';
import { trainingSchema } from '../graph/schema';
import type { GraphDoc, GraphNode } from '../graph/types';
import { DEFAULT_TRAINING } from '../graph/types';
import { TRAINING_BOUNDS } from '../graph/trainingBounds';
import { withClasses } from '../data/datasetId';
import { ValueSyntaxError } from './values';

/** One value of a setting in one run: a number, a word (an optimizer, an activation) or a class list. */
export type SettingValue = number | string | number[];

export type SettingRef =
  | { kind: 'block'; path: string; label: string; nodeId: string; field: ParamField }
  | { kind: 'training'; path: string; label: string; key: string; type: 'int' | 'float' | 'enum'; options?: readonly string[] }
  | { kind: 'classes'; path: string; label: string };

export class SettingError extends Error {
  override name = 'SettingError';
}

/** Names a user may write for a parameter (the lesson's words), and the parameter they mean. */
const ALIASES: Record<string, string> = { units: 'latentSize', codesize: 'latentSize', 'β': 'beta', 'ρ': 'rho', sigma: 'stddev', 'σ': 'stddev' };

const SETTING_SHAPE = 'a setting is training.<name>, data.classes or <block id or kind>.<parameter> (e.g. bottleneck.units)';

/** Resolves `path` against `graph`; throws a SettingError naming the setting when it names nothing or is ambiguous. */
export function resolveSetting(path: string, graph: GraphDoc): SettingRef {
  const at = path.indexOf('.');
  if (at <= 0 || at === path.length - 1) throw new SettingError(`unknown setting "${path}": ${SETTING_SHAPE}`);
  const head = path.slice(0, at);
  const tail = path.slice(at + 1);
  if (head === 'training') return trainingSetting(path, tail);
  if (head === 'data') {
    if (tail === 'classes') return { kind: 'classes', path, label: 'Classes trained on' };
    throw new SettingError(`unknown setting "${path}": the data setting a sweep can vary is data.classes`);
  }
  const node = findNode(path, head, graph);
  const spec = blockSpec(node.kind);
  const byName = (name: string) => spec.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  const field = byName(tail) ?? (ALIASES[tail.toLowerCase()] ? byName(ALIASES[tail.toLowerCase()]!) : undefined);
  const sweepable = spec.fields.filter((f) => f.type !== 'shape').map((f) => f.name);
  if (!field) throw new SettingError(`unknown setting "${path}": ${node.kind} "${node.id}" has ${sweepable.length ? sweepable.join(', ') : 'no parameters a sweep can vary'}`);
  if (field.type === 'shape') throw new SettingError(`setting "${path}": a shape cannot be swept`);
  return { kind: 'block', path, label: `${field.label} (${node.id})`, nodeId: node.id, field };
}

function trainingSetting(path: string, key: string): SettingRef {
  const defaults = DEFAULT_TRAINING as unknown as Record<string, unknown>;
  if (!(key in defaults)) throw new SettingError(`unknown setting "${path}": the training settings are ${Object.keys(defaults).map((k) => `training.${k}`).join(', ')}`);
  const bounds = (TRAINING_BOUNDS as Record<string, { label: string; integer: boolean } | undefined>)[key];
  if (bounds) return { kind: 'training', path, label: bounds.label, key, type: bounds.integer ? 'int' : 'float' };
  // A setting without numeric bounds is a choice: its options come from the graph schema, so settings added there become sweepable.
  const schema = (trainingSchema.shape as Record<string, { options?: readonly string[] } | undefined>)[key];
  const options = schema?.options;
  if (typeof defaults[key] === 'number') return { kind: 'training', path, label: key, key, type: 'float' };
  return { kind: 'training', path, label: key, key, type: 'enum', ...(options && { options }) };
}

/** The node a block path names: by id, else the one block of that kind (`bottleneck` finds a variational one too). */
function findNode(path: string, head: string, graph: GraphDoc): GraphNode {
  const byId = graph.nodes.find((n) => n.id === head);
  if (byId) return byId;
  let matches = graph.nodes.filter((n) => n.kind.toLowerCase() === head.toLowerCase());
  if (matches.length === 0 && head.toLowerCase() === 'bottleneck') matches = graph.nodes.filter((n) => BOTTLENECK_KINDS.includes(n.kind));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new SettingError(`setting "${path}": the graph has ${matches.length} ${matches[0]!.kind} blocks (${matches.map((n) => n.id).join(', ')}): name one by its id`);
  throw new SettingError(`unknown setting "${path}": no block "${head}" in the graph (its blocks: ${graph.nodes.map((n) => n.id).join(', ')}); ${SETTING_SHAPE}`);
}

/** Whether the setting takes whole numbers (ranges round to them). */
export function isInteger(ref: SettingRef): boolean {
  if (ref.kind === 'block') return ref.field.type === 'int';
  if (ref.kind === 'training') return ref.type === 'int';
  return true;
}

/** Whether the setting takes numbers at all (a range needs them). */
export function isNumeric(ref: SettingRef): boolean {
  if (ref.kind === 'block') return ref.field.type === 'int' || ref.field.type === 'float';
  if (ref.kind === 'training') return ref.type !== 'enum';
  return false;
}

/** Null when `value` is one the setting can take, else why not (without the setting's name). */
export function checkValue(ref: SettingRef, value: SettingValue, classNames?: readonly string[]): string | null {
  if (ref.kind === 'classes') {
    if (!Array.isArray(value) || value.length === 0) return 'must be a list of classes';
    const count = classNames?.length;
    const bad = value.find((c) => !Number.isInteger(c) || c < 0 || (count !== undefined && c >= count));
    return bad === undefined ? null : `class ${bad} is out of range${classNames ? ` (the classes: ${classNames.map((n, i) => `${i} ${n}`).join(', ')})` : ''}`;
  }
  if (ref.kind === 'block') {
    const f = ref.field;
    const problems = f.type === 'int' ? checkInt(f.label, value, f.min, f.max) : f.type === 'float' ? checkFloat(f.label, value, f.min, f.max) : f.type === 'enum' ? checkEnum(f.label, value, f.options) : [];
    return problems[0] ?? null;
  }
  const schema = (trainingSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } } | undefined>)[ref.key];
  if (!schema) return null;
  const parsed = schema.safeParse(value);
  if (parsed.success) return null;
  const message = parsed.error?.issues[0]?.message ?? 'is not a valid value';
  return ref.type === 'enum' && ref.options ? `must be one of ${ref.options.join(', ')}` : message;
}

/** Reads one list item as the setting's value: a number for numeric settings, a class list for data.classes. */
export function readItem(ref: SettingRef, item: string, classNames?: readonly string[]): SettingValue {
  if (ref.kind === 'classes') {
    return [
      ...new Set(
        item.split('+').map((part) => {
          const text = part.trim();
          const byName = classNames?.findIndex((n) => n.toLowerCase() === text.toLowerCase()) ?? -1;
          if (byName >= 0) return byName;
          if (/^\d+$/.test(text)) return Number(text);
          throw new ValueSyntaxError(`no class "${text}"${classNames ? ` (the classes: ${classNames.map((n, i) => `${i} ${n}`).join(', ')})` : ': name classes by number'}`);
        }),
      ),
    ].sort((a, b) => a - b);
  }
  if (isNumeric(ref)) return item.trim() === '' ? Number.NaN : Number(item);
  return item;
}

/** `value` as a user writes it: 0.001, adam, 0+2. */
export function formatValue(value: SettingValue): string {
  return Array.isArray(value) ? value.join('+') : String(value);
}

/** The graph and dataset id with `value` applied to the setting. */
export function applySetting(graph: GraphDoc, datasetId: string, ref: SettingRef, value: SettingValue): { graph: GraphDoc; datasetId: string } {
  if (ref.kind === 'classes') return { graph, datasetId: withClasses(datasetId, value as number[]) };
  if (ref.kind === 'training') return { graph: { ...graph, training: { ...graph.training, [ref.key]: value } }, datasetId };
  return { graph: { ...graph, nodes: graph.nodes.map((n) => (n.id === ref.nodeId ? { ...n, params: { ...n.params, [ref.field.name]: value } } : n)) }, datasetId };
}

/** The settings a sweep of `graph` could vary, for the Sweep dialog's suggestions: the bottleneck's first, then training's, then every block's. */
export function sweepableSettings(graph: GraphDoc): { path: string; label: string }[] {
  const out: { path: string; label: string }[] = [];
  const code = graph.nodes.filter((n) => BOTTLENECK_KINDS.includes(n.kind));
  if (code.length === 1) {
    for (const f of blockSpec(code[0]!.kind).fields) if (f.type !== 'shape') out.push({ path: `bottleneck.${f.name === 'latentSize' ? 'units' : f.name}`, label: f.label });
  }
  for (const key of Object.keys(DEFAULT_TRAINING)) out.push({ path: `training.${key}`, label: (TRAINING_BOUNDS as Record<string, { label: string } | undefined>)[key]?.label ?? key });
  out.push({ path: 'data.classes', label: 'Classes trained on' });
  for (const node of graph.nodes) {
    if (code.length === 1 && node === code[0]) continue;
    for (const f of blockSpec(node.kind).fields) if (f.type !== 'shape') out.push({ path: `${node.id}.${f.name}`, label: `${f.label} (${node.id})` });
  }
  return out;
}
