/**
 * What differs between runs: their settings, and their graphs block by block. Pure, so the compare
 * view and the CLI show the same thing.
 */
import type { RunSummary } from '../api';
import { isBlockKind, withDefaults } from '../blocks/registry';
import type { GraphDoc } from '../graph/types';

export interface BlockDiffRow {
  /** The block's id: templates and edits keep ids stable, so the same id is the same block. */
  id: string;
  kind: string;
  /** same: in every graph with equal settings; changed: in every graph, settings differ; partial: missing from some. */
  status: 'same' | 'changed' | 'partial';
  present: boolean[];
  /** One entry per setting that differs (or every setting, when the block is partial), a value per graph (null: absent). */
  changes: { param: string; values: (string | null)[] }[];
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
    const inputs = graphs.map((g, i) => (nodes[i] ? g.edges.filter((e) => e.target === id).map((e) => e.source).sort().join(', ') || '–' : null));
    const present = nodes.map((n) => n !== null);
    const kinds = [...new Set(nodes.filter((n) => n).map((n) => n!.kind))];
    const params = [...new Set(nodes.flatMap((n) => (n ? Object.keys(n.params) : [])))].sort();
    const rows: BlockDiffRow['changes'] = [];
    const partial = present.includes(false);
    if (kinds.length > 1) rows.push({ param: 'kind', values: nodes.map((n) => n?.kind ?? null) });
    for (const param of params) {
      const values = nodes.map((n) => (n ? formatValue(n.params[param]) : null));
      if (partial || new Set(values).size > 1) rows.push({ param, values });
    }
    if (partial || new Set(inputs).size > 1) rows.push({ param: 'input', values: inputs });
    const status = partial ? 'partial' : rows.length ? 'changed' : 'same';
    return { id, kind: kinds.join(' / '), status, present, changes: rows };
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
  { key: 'momentum', label: 'Momentum', value: (r) => (r.config.optimizer === 'adam' ? null : r.config.momentum) },
  { key: 'seed', label: 'Seed', value: (r) => r.config.seed },
  { key: 'validationSplit', label: 'Validation split', value: (r) => r.config.validationSplit },
  { key: 'earlyStoppingPatience', label: 'Early-stopping patience', value: (r) => r.config.earlyStoppingPatience },
  { key: 'backend', label: 'Backend', value: (r) => r.summary.backend },
];

/** The settings of several runs side by side, each row marked when its values differ. */
export function compareSettings(runs: RunForDiff[]): SettingRow[] {
  return SETTINGS.map(({ key, label, value }) => {
    const values = runs.map((r) => formatValue(value(r)));
    return { key, label, values, differs: new Set(values).size > 1 };
  });
}
