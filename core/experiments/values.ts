/**
 * The value grammar of a sweep: what a user writes after `SETTING=`.
 *   2,4,8                 a list (numbers, or words such as adam,sgd)
 *   0.1..0.5:5            5 evenly spaced values from 0.1 to 0.5, both ends included
 *   1e-4..1e-2:log:5      5 values evenly spaced on a log scale
 *   1e-4..1e-2:log        (random search only) any value in the range, drawn log-uniformly
 * A class list for data.classes joins classes with `+`: `0,1,2` is three runs of one class each,
 * `0+1,2+3` two runs of two classes each.
 */

export type ValueSpec =
  | { kind: 'list'; items: string[] }
  | { kind: 'range'; from: number; to: number; log: boolean; count: number | null };

/** Most values one setting may take in a grid (a typo such as 1..1000:100000 stops here). */
export const MAX_VALUES_PER_SETTING = 1000;

export class ValueSyntaxError extends Error {
  override name = 'ValueSyntaxError';
}

const RANGE = /^([^.:]+(?:\.[^.:]+)?)\.\.([^:]+)(?::(log|lin))?(?::(\d+))?$/;

/** Reads a value expression; throws a ValueSyntaxError saying what is wrong with it. */
export function parseValues(text: string): ValueSpec {
  const source = text.trim();
  if (source === '') throw new ValueSyntaxError('no values given');
  const range = source.includes('..') ? RANGE.exec(source) : null;
  if (source.includes('..') && !range) throw new ValueSyntaxError(`"${source}" is not a range: write FROM..TO:COUNT or FROM..TO:log:COUNT (e.g. 1e-4..1e-2:log:5)`);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new ValueSyntaxError(`"${source}": a range's ends must be numbers`);
    const log = range[3] === 'log';
    if (log && (from <= 0 || to <= 0)) throw new ValueSyntaxError(`"${source}": a log range needs ends above 0`);
    const count = range[4] === undefined ? null : Number(range[4]);
    if (count !== null && (count < 1 || count > MAX_VALUES_PER_SETTING)) throw new ValueSyntaxError(`"${source}": the count must be from 1 to ${MAX_VALUES_PER_SETTING}`);
    if (count !== null && count > 1 && from === to) throw new ValueSyntaxError(`"${source}": a range of ${count} values needs two different ends`);
    return { kind: 'range', from, to, log, count };
  }
  const items = source.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ValueSyntaxError(`"${source}": an empty item in the list`);
  if (items.length > MAX_VALUES_PER_SETTING) throw new ValueSyntaxError(`"${source}": at most ${MAX_VALUES_PER_SETTING} values`);
  return { kind: 'list', items };
}

/** 12 significant digits: 0.1 + 0.2 reads as 0.3, not 0.30000000000000004. */
export function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

/** The grid points of a range, ascending from `from` to `to` (whole numbers when `integer`, repeats dropped). */
export function rangePoints(spec: Extract<ValueSpec, { kind: 'range' }>, integer: boolean): number[] {
  if (spec.count === null) throw new ValueSyntaxError(`a range needs a count for a grid (e.g. ${spec.from}..${spec.to}${spec.log ? ':log' : ''}:5); without one it is for random search`);
  const n = spec.count;
  const points: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = n === 1 ? 0 : i / (n - 1);
    const v = spec.log ? Math.exp(Math.log(spec.from) + t * (Math.log(spec.to) - Math.log(spec.from))) : spec.from + t * (spec.to - spec.from);
    points.push(integer ? Math.round(v) : tidy(v));
  }
  return [...new Set(points)];
}

/** One value drawn from a range (uniformly, or log-uniformly for a log range). */
export function drawFromRange(spec: Extract<ValueSpec, { kind: 'range' }>, integer: boolean, random: () => number): number {
  const lo = Math.min(spec.from, spec.to);
  const hi = Math.max(spec.from, spec.to);
  const u = random();
  const v = spec.log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
  return integer ? Math.round(v) : tidy(v);
}
