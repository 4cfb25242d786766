/**
 * A sweep's plan: the settings it varies, each with its values, expanded to one config per run (a
 * grid, or N random draws with a seed), every value and every resulting graph checked before any run
 * starts. A problem is refused naming the setting (and the run, when only a combination is at fault).
 */
import { analyzeGraph, firstError } from '../shapes/infer';
import type { GraphDoc } from '../graph/types';
import { seededRandom } from '../train/random';
import { applySetting, checkValue, formatValue, isInteger, isNumeric, readItem, resolveSetting, SettingError, type SettingRef, type SettingValue } from './settings';
import { drawFromRange, parseValues, rangePoints, ValueSyntaxError, type ValueSpec } from './values';

/** Most runs one experiment may plan. */
export const MAX_RUNS = 500;

export interface VaryRequest {
  /** The setting path as written: bottleneck.units, training.learningRate. */
  setting: string;
  /** The value expression as written: 2,4,8 or 1e-4..1e-2:log:5. */
  values: string;
}

export interface ExperimentSpec {
  vary: VaryRequest[];
  /** N random draws with a seed instead of the whole grid. */
  random?: { count: number; seed: number };
}

export interface PlannedSetting {
  path: string;
  label: string;
  /** The values as the user wrote them. */
  values: string;
  numeric: boolean;
  /** The values span enough (all above 0 and the largest 8 or more times the smallest, or a log range) to be drawn on a log axis. */
  logScale: boolean;
}

export interface PlannedRun {
  index: number;
  /** The value of each varied setting, by path. */
  values: Record<string, SettingValue>;
}

export interface ExperimentPlan {
  settings: PlannedSetting[];
  runs: PlannedRun[];
}

/** A sweep that cannot run; `setting` is the path at fault when one is. */
export class ExperimentSpecError extends Error {
  override name = 'ExperimentSpecError';
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(message);
  }
}

interface Resolved {
  ref: SettingRef;
  spec: ValueSpec;
  /** The grid's values (empty for a range without a count, which only random search can use). */
  points: SettingValue[];
}

/** Plans an experiment over `graph` trained on `datasetId`; throws an ExperimentSpecError before anything runs. */
export function planExperiment(graph: GraphDoc, datasetId: string, spec: ExperimentSpec, options: { classNames?: readonly string[] } = {}): ExperimentPlan {
  if (spec.vary.length === 0) throw new ExperimentSpecError('give at least one setting to vary (e.g. bottleneck.units=2,4,8)');
  const resolved = spec.vary.map((v) => resolve(v, graph, spec.random !== undefined, options.classNames));
  const seen = new Map<string, string>();
  for (const { ref } of resolved) {
    const target = ref.kind === 'block' ? `${ref.nodeId}.${ref.field.name}` : ref.kind === 'training' ? `training.${ref.key}` : 'data.classes';
    const earlier = seen.get(target);
    if (earlier) throw new ExperimentSpecError(`${ref.path}: the same setting as ${earlier}; vary it once`, ref.path);
    seen.set(target, ref.path);
  }
  const runs = spec.random ? randomRuns(resolved, spec.random) : gridRuns(resolved);
  checkRuns(graph, datasetId, resolved, runs);
  return {
    settings: resolved.map(({ ref, spec: values, points }, i) => ({
      path: ref.path,
      label: ref.label,
      values: spec.vary[i]!.values.trim(),
      numeric: isNumeric(ref),
      logScale: isNumeric(ref) && (values.kind === 'range' ? values.log : spansOrders(points as number[])),
    })),
    runs,
  };
}

function resolve(vary: VaryRequest, graph: GraphDoc, random: boolean, classNames: readonly string[] | undefined): Resolved {
  const path = vary.setting.trim();
  let ref: SettingRef;
  let spec: ValueSpec;
  try {
    ref = resolveSetting(path, graph);
    spec = parseValues(vary.values);
  } catch (err) {
    if (err instanceof SettingError) throw new ExperimentSpecError(err.message, path);
    if (err instanceof ValueSyntaxError) throw new ExperimentSpecError(`${path}: ${err.message}`, path);
    throw err;
  }
  if (spec.kind === 'range' && !isNumeric(ref)) throw new ExperimentSpecError(`${path}: ${ref.label} takes ${ref.kind === 'classes' ? 'class lists' : 'words'}, not a range of numbers: list the values (a,b,c)`, path);
  const check = (value: SettingValue, written: string) => {
    const problem = checkValue(ref, value, classNames);
    if (problem) throw new ExperimentSpecError(`${path}: ${written} is out of bounds: ${problem}`, path);
  };
  if (spec.kind === 'range') {
    // Both ends are checked, so a random draw can never leave the bounds either.
    check(isInteger(ref) ? Math.round(spec.from) : spec.from, String(spec.from));
    check(isInteger(ref) ? Math.round(spec.to) : spec.to, String(spec.to));
    if (spec.count === null && !random) throw new ExperimentSpecError(`${path}: a range needs a count for a grid (e.g. ${vary.values.trim()}:5); without one it is for --random`, path);
    return { ref, spec, points: spec.count === null ? [] : rangePoints(spec, isInteger(ref)) };
  }
  const points = spec.items.map((item) => {
    let value: SettingValue;
    try {
      value = readItem(ref, item, classNames);
    } catch (err) {
      throw new ExperimentSpecError(`${path}: ${(err as Error).message}`, path);
    }
    check(value, item);
    return value;
  });
  const unique = new Map(points.map((p) => [formatValue(p), p]));
  return { ref, spec, points: [...unique.values()] };
}

function gridRuns(resolved: Resolved[]): PlannedRun[] {
  const total = resolved.reduce((n, r) => n * r.points.length, 1);
  if (total > MAX_RUNS) throw new ExperimentSpecError(`the grid has ${total.toLocaleString('en')} runs, more than ${MAX_RUNS}: fewer values, or --random N`);
  const runs: PlannedRun[] = [];
  // The first setting varies slowest, as a user reads the table.
  for (let index = 0; index < total; index++) {
    let rest = index;
    const values: Record<string, SettingValue> = {};
    for (let s = resolved.length - 1; s >= 0; s--) {
      const { ref, points } = resolved[s]!;
      values[ref.path] = points[rest % points.length]!;
      rest = Math.floor(rest / points.length);
    }
    runs.push({ index, values: Object.fromEntries(resolved.map(({ ref }) => [ref.path, values[ref.path]!])) });
  }
  return runs;
}

function randomRuns(resolved: Resolved[], { count, seed }: { count: number; seed: number }): PlannedRun[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_RUNS) throw new ExperimentSpecError(`the number of random runs must be a whole number from 1 to ${MAX_RUNS}, got ${count}`);
  if (!Number.isInteger(seed) || seed < 0) throw new ExperimentSpecError(`the random seed must be a whole number ≥ 0, got ${seed}`);
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => ({
    index,
    values: Object.fromEntries(
      resolved.map(({ ref, spec, points }) => [
        ref.path,
        spec.kind === 'range' ? drawFromRange(spec, isInteger(ref), random) : points[Math.min(points.length - 1, Math.floor(random() * points.length))]!,
      ]),
    ),
  }));
}

/** The graph and dataset a planned run trains. */
export function configOf(graph: GraphDoc, datasetId: string, run: PlannedRun): { graph: GraphDoc; datasetId: string } {
  let config = { graph, datasetId };
  for (const [path, value] of Object.entries(run.values)) config = applySetting(config.graph, config.datasetId, resolveSetting(path, config.graph), value);
  return config;
}

/** Every run's graph must be one that trains; a parameter no run uses (ρ without KL sparsity) is refused too. */
function checkRuns(graph: GraphDoc, datasetId: string, resolved: Resolved[], runs: PlannedRun[]): void {
  const used = new Set<string>();
  for (const run of runs) {
    const config = configOf(graph, datasetId, run);
    const error = firstError(analyzeGraph(config.graph));
    if (error) throw new ExperimentSpecError(`run ${run.index + 1} (${describeRun(run)}): ${error}`, resolved.length === 1 ? resolved[0]!.ref.path : undefined);
    for (const { ref } of resolved) {
      if (ref.kind !== 'block' || !ref.field.visible) used.add(ref.path);
      else if (ref.field.visible(config.graph.nodes.find((n) => n.id === ref.nodeId)!.params)) used.add(ref.path);
    }
  }
  const unused = resolved.find(({ ref }) => !used.has(ref.path));
  if (unused) throw new ExperimentSpecError(`${unused.ref.path}: ${unused.ref.label} is not used by this graph as set (e.g. a sparsity weight without that sparsity): varying it changes nothing`, unused.ref.path);
}

/** `bottleneck.units=8, training.learningRate=0.001`. */
export function describeRun(run: PlannedRun): string {
  return Object.entries(run.values)
    .map(([path, value]) => `${path}=${formatValue(value)}`)
    .join(', ');
}

function spansOrders(values: number[]): boolean {
  if (values.length < 2 || values.some((v) => !(v > 0))) return false;
  return Math.max(...values) / Math.min(...values) >= 8;
}
