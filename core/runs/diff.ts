/**
 * What differs between runs: their settings, and their graphs block by block. Pure, so the compare
 * view and the CLI show the same thing.
 */
import type { RunSummary } from '../api';
import { blockSpec, isBlockKind, withDefaults } from '../blocks/registry';
import { DEFAULT_SCHEDULE, DEFAULT_TRAINING, NO_AUGMENTATION, type Augmentation, type GraphDoc, type GraphNode, type LearningRateSchedule } from '../graph/types';
import { describeAugmentation } from '../train/augment';
import { describeSchedule } from '../train/schedule';

export interface BlockDiffRow {
  /** The block's id: templates and edits keep ids stable, so the same id is the same block. */
  id: string;
  kind: string;
  /** What a person calls it: "Dense 2", "Bottleneck" (the kind's label, numbered when the graph has several). */
  label: string;
  /** same: in every graph with equal settings; changed: in every graph, settings differ; partial: missing from some. */
  status: 'same' | 'changed' | 'partial';
  present: boolean[];
  /** One entry per setting that differs (or every setting, when the block is partial), a value per graph (null: absent). */
  changes: { param: string; label: string; values: (string | null)[] }[];
}

/** "Dense 2": a block's kind as people read it, numbered in graph order when the graph has more than one. */
export function blockLabel(doc: GraphDoc, node: GraphNode): string {
  const label = isBlockKind(node.kind) ? blockSpec(node.kind).label : node.kind;
  const same = doc.nodes.filter((n) => n.kind === node.kind);
  return same.length > 1 ? `${label} ${same.indexOf(node) + 1}` : label;
}

/** The settings a block shows for these values: its declared fields that apply (L1 weight only for L1 sparsity). */
function applicableFields(kind: string, params: Record<string, unknown>): { name: string; label: string }[] {
  if (!isBlockKind(kind)) return Object.keys(params).map((name) => ({ name, label: name }));
  return blockSpec(kind).fields.filter((f) => !f.visible || f.visible(params)).map((f) => ({ name: f.name, label: f.label }));
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : String(Number(value.toPrecision(4)));
  if (Array.isArray(value)) return value.map(formatValue).join('×');
  return String(value);
}

/** Aligns the blocks of several graphs by id and lists, per block, which settings (and inputs) differ. */
export function diffGraphs(graphs: GraphDoc[]): BlockDiffRow[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const g of graphs) {
    for (const n of g.nodes) {
      if (!seen.has(n.id)) {
        seen.add(n.id);
        ids.push(n.id);
      }
    }
  }
  return ids.map((id) => {
    // Settings left at their defaults are compared by value, not by whether they were written down.
    const nodes = graphs.map((g) => {
      const n = g.nodes.find((node) => node.id === id);
      return n ? { ...n, params: isBlockKind(n.kind) ? withDefaults(n.kind, n.params) : n.params } : null;
    });
    const labelOf = (g: GraphDoc, nodeId: string) => {
      const n = g.nodes.find((node) => node.id === nodeId);
      return n ? blockLabel(g, n) : nodeId;
    };
    const inputs = graphs.map((g, i) => (nodes[i] ? g.edges.filter((e) => e.target === id).map((e) => labelOf(g, e.source)).sort().join(', ') || '–' : null));
    const present = nodes.map((n) => n !== null);
    const kinds = [...new Set(nodes.filter((n) => n).map((n) => n!.kind))];
    // The settings that apply to the block in any of the graphs, in the order its Inspector shows them.
    const fields = new Map<string, string>();
    nodes.forEach((n) => n && applicableFields(n.kind, n.params).forEach((f) => fields.set(f.name, f.label)));
    const rows: BlockDiffRow['changes'] = [];
    const partial = present.includes(false);
    if (kinds.length > 1) rows.push({ param: 'kind', label: 'Block', values: nodes.map((n) => (n ? (isBlockKind(n.kind) ? blockSpec(n.kind).label : n.kind) : null)) });
    for (const [param, label] of fields) {
      const values = nodes.map((n) => (n ? (applicableFields(n.kind, n.params).some((f) => f.name === param) ? formatValue(n.params[param]) : 'n/a') : null));
      if (partial || new Set(values).size > 1) rows.push({ param, label, values });
    }
    if (partial || new Set(inputs).size > 1) rows.push({ param: 'input', label: 'Input from', values: inputs });
    const status = partial ? 'partial' : rows.length ? 'changed' : 'same';
    const where = graphs.findIndex((_, i) => nodes[i] !== null);
    return { id, kind: kinds.join(' / '), label: labelOf(graphs[where]!, id), status, present, changes: rows };
  });
}

export interface RunForDiff {
  summary: RunSummary;
  config: Record<string, unknown>;
  dataset: Record<string, unknown> & { id: string };
}

export interface SettingRow {
  key: string;
  label: string;
  values: string[];
  differs: boolean;
}

const SETTINGS: { key: string; label: string; value: (r: RunForDiff) => unknown }[] = [
  { key: 'topology', label: 'Topology', value: (r) => r.summary.topology },
  { key: 'codeSize', label: 'Code size', value: (r) => r.summary.codeSize },
  { key: 'totalParams', label: 'Parameters', value: (r) => r.summary.totalParams },
  { key: 'dataset', label: 'Dataset', value: (r) => r.summary.datasetName || r.dataset.id },
  { key: 'image', label: 'Image', value: (r) => (r.dataset.height ? `${r.dataset.height}×${r.dataset.width}×${r.dataset.channels}` : null) },
  { key: 'trainCount', label: 'Training images', value: (r) => r.dataset.trainCount },
  { key: 'epochs', label: 'Epochs', value: (r) => r.config.epochs },
  { key: 'batchSize', label: 'Batch size', value: (r) => r.config.batchSize },
  { key: 'optimizer', label: 'Optimizer', value: (r) => r.config.optimizer },
  { key: 'learningRate', label: 'Learning rate', value: (r) => r.config.learningRate },
  // Momentum is a setting of SGD alone; rows whose setting applies to no run are left out.
  { key: 'momentum', label: 'Momentum', value: (r) => (r.config.optimizer === 'sgd' ? r.config.momentum : undefined) },
  { key: 'seed', label: 'Seed', value: (r) => r.config.seed },
  { key: 'earlyStoppingPatience', label: 'Early-stopping patience', value: (r) => r.config.earlyStoppingPatience },
  // Runs from before these settings trained without them: they read as the defaults.
  { key: 'weightDecay', label: 'Weight decay', value: (r) => r.config.weightDecay ?? DEFAULT_TRAINING.weightDecay },
  { key: 'schedule', label: 'Learning-rate schedule', value: (r) => describeSchedule({ ...DEFAULT_SCHEDULE, ...(r.config.schedule as Partial<LearningRateSchedule> | undefined) }, Number(r.config.epochs)) },
  { key: 'augmentation', label: 'Augmentation', value: (r) => describeAugmentation({ ...NO_AUGMENTATION, ...(r.config.augmentation as Partial<Augmentation> | undefined) }) },
  { key: 'backend', label: 'Backend', value: (r) => r.summary.backend },
];

/** The settings of several runs side by side, each row marked when its values differ; settings no run has are left out. */
export function compareSettings(runs: RunForDiff[]): SettingRow[] {
  return SETTINGS.flatMap(({ key, label, value }) => {
    const raw = runs.map(value);
    if (raw.every((v) => v === undefined)) return [];
    const values = raw.map((v) => (v === undefined ? 'n/a' : formatValue(v)));
    return [{ key, label, values, differs: new Set(values).size > 1 }];
  });
}
