/** Run ids, run names, and the names a run's list entry shows for its graph, dataset and backend. */
import { basename } from 'node:path';
import { parseDatasetId } from '../../../core/data/datasetId';
import type { GraphDoc } from '../../../core/graph/types';
import { analyzeGraph } from '../../../core/shapes/infer';
import { inputImage, templateOf } from '../../../core/templates';

/** yyyymmddThhmmssZ-xxxx: sorts by start time, unique enough for one user's machine. */
export function newRunId(date = new Date(), random = Math.random): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${stamp}-${suffix}`;
}

const RUN_ID = /^[0-9TZ]+-[0-9a-z]+$/;

/** Named like a run: the only folder names the store reads, and the only ids it joins into a path. */
export function isRunId(name: string): boolean {
  return RUN_ID.test(name);
}

/** The start time written into a run id (for a damaged folder whose run.json cannot say). */
export function startOfId(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : '';
}

/** A graph's name for its first run, then "name (2)", "name (3)", …: runs of one graph stay apart in lists and comparisons. */
export function uniqueRunName(graphName: string, taken: string[]): string {
  const names = new Set(taken);
  if (!names.has(graphName)) return graphName;
  let n = 2;
  while (names.has(`${graphName} (${n})`)) n++;
  return `${graphName} (${n})`;
}

/** The template a graph still is, built for its Input's image size, or "custom". */
export function topologyOf(graph: GraphDoc): string {
  const image = inputImage(graph);
  return (image && templateOf(graph, image)) ?? 'custom';
}

/** What the run list shows of a graph, computed once when the run is created. */
export function describeGraph(graph: GraphDoc): { topology: string; codeSize: number | null; totalParams: number | null } {
  const analysis = analyzeGraph(graph);
  return { topology: topologyOf(graph), codeSize: analysis.codeSize, totalParams: analysis.totalParams };
}

/** A readable name for a dataset id before the dataset is loaded (the load then records its own). */
export function datasetNameOf(id: string): string {
  let parsed;
  try {
    parsed = parseDatasetId(id);
  } catch {
    return id;
  }
  // Training on chosen classes: which, until the load names them "9 of 10 classes".
  const classes = parsed.classes ? `, classes ${parsed.classes.join(',')}` : '';
  if (parsed.kind === 'folder') return `${basename(parsed.path) || id}${classes}`;
  const name = parsed.name === 'fashion-mnist' ? 'Fashion-MNIST' : parsed.name;
  const subset = [parsed.train !== undefined && `train=${parsed.train}`, parsed.validation !== undefined && `validation=${parsed.validation}`].filter(Boolean);
  return `${subset.length ? `${name} (${subset.join(', ')})` : name}${classes}`;
}
