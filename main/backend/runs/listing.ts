/** What lists and detail views show of runs: summaries, durations, a run's detail. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunDetail, RunStatus, RunSummary } from '../../../core/api';
import { readRunGraph } from './runGraph';
import type { GraphDoc } from '../../../core/graph/types';
import { epochsIn, METRICS_FILE, readMetrics } from './artifacts';
import { readRunFile, RunReadError, type RunFile } from './format';
import { backendLabel } from '../../../core/format';
import { datasetNameOf, describeGraph, isRunId, startOfId } from './naming';
import { readNotes } from './notes';

/**
 * When a run last wrote anything: the newer of run.json and metrics.jsonl (an epoch's end writes
 * both; a crash between the two leaves the metrics newer). The one rule every duration uses for a
 * run that has no end time. Whole milliseconds: file times carry float noise below that.
 */
export function lastWriteMs(dir: string): number {
  const times = ['run.json', METRICS_FILE].map((f) => {
    try {
      return Math.round(statSync(join(dir, f)).mtimeMs);
    } catch {
      return 0;
    }
  });
  return Math.max(...times);
}

/**
 * How long a run has trained: its current session (from its start, or from when it was continued,
 * to its end, or to its last write while it has none), less the time it was paused, plus its
 * earlier sessions. Null when unknown. `lastWrite` is only asked for a run without an end.
 */
export function durationOf(run: Pick<RunFile, 'startedAt' | 'endedAt' | 'priorMs' | 'resumedAt' | 'pausedMs' | 'pausedAt'>, lastWrite: () => number): number | null {
  const start = Date.parse(run.resumedAt ?? run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : lastWrite();
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= 0) return null;
  // The pauses that ended, and one still going (a run paused now, or interrupted while paused).
  const pausedSince = run.pausedAt ? Date.parse(run.pausedAt) : NaN;
  const paused = (run.pausedMs ?? 0) + (Number.isFinite(pausedSince) ? Math.max(0, end - pausedSince) : 0);
  return (run.priorMs ?? 0) + Math.max(0, Math.round(end - start - paused));
}

/** A run's list entry from its run.json and notes.json; `dir` is its folder (for those notes, and the last write of a run still going). */
export function toSummary(run: RunFile, dir: string): RunSummary {
  const { note, tags, problem } = readNotes(dir);
  return {
    id: run.id,
    name: run.name,
    status: run.status as RunStatus,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: durationOf(run, () => lastWriteMs(dir)),
    datasetId: run.dataset.id,
    datasetName: run.dataset.name ?? datasetNameOf(run.dataset.id),
    backend: run.backend ? backendLabel(run.backend) : null,
    epochsDone: run.epochsDone,
    epochs: run.config.epochs,
    topology: run.topology ?? 'custom',
    codeSize: run.codeSize ?? null,
    totalParams: run.totalParams ?? null,
    loss: run.loss,
    val_loss: run.val_loss,
    best_val_loss: run.best_val_loss,
    starred: run.starred,
    error: run.error,
    damaged: null,
    note,
    tags,
    notesProblem: problem,
    ...(run.experiment && { experimentId: run.experiment.id }),
  };
}

function damagedSummary(id: string, reason: string): RunSummary {
  return {
    id,
    name: id,
    status: 'failed',
    startedAt: startOfId(id),
    endedAt: null,
    durationMs: null,
    datasetId: '',
    datasetName: '',
    backend: null,
    epochsDone: 0,
    epochs: 0,
    topology: '',
    codeSize: null,
    totalParams: null,
    loss: null,
    val_loss: null,
    best_val_loss: null,
    starred: false,
    error: `damaged run folder: ${reason}`,
    damaged: reason,
    note: '',
    tags: [],
    notesProblem: null,
  };
}

/** One run's list entry; a damaged one when its run.json cannot be read. Never throws. */
export function summarizeRun(root: string, runId: string): RunSummary {
  const dir = join(root, runId);
  try {
    const run = readRunFile(dir, runId);
    const summary = toSummary(run, dir);
    if (run.topology === undefined) Object.assign(summary, legacyGraphFacts(dir));
    return summary;
  } catch (err) {
    return damagedSummary(runId, err instanceof RunReadError ? err.reason : `run.json cannot be read (${(err as Error).message})`);
  }
}

/**
 * Every run under `root`, newest first, from run.json alone (metrics load on demand). Never
 * throws: a folder that cannot be read is listed with `damaged` set to the reason.
 */
export function listRuns(root: string): RunSummary[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs: RunSummary[] = [];
  for (const entry of entries) {
    // The trash, temp files and anything that is not named like a run are not runs.
    if (!entry.isDirectory() || !isRunId(entry.name)) continue;
    runs.push(summarizeRun(root, entry.name));
  }
  return runs.sort((a, b) => b.id.localeCompare(a.id));
}

/** Topology, code size and parameters of a version 1 run, which did not record them. */
function legacyGraphFacts(dir: string): Partial<RunSummary> {
  try {
    return describeGraph(readRunGraph(dir));
  } catch (err) {
    return { damaged: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'graph.json is missing' : (err as Error).message };
  }
}

/** A run's graph, settings, dataset, metrics, and the epochs with stored projections and grids. */
export function runDetail(dir: string, runId: string): RunDetail {
  const run = readRunFile(dir, runId);
  let graph: GraphDoc;
  try {
    graph = readRunGraph(dir);
  } catch (err) {
    throw new RunReadError(runId, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'graph.json is missing' : (err as Error).message);
  }
  const { metrics, skipped } = readMetrics(dir);
  const summary = toSummary(run, dir);
  if (run.topology === undefined) Object.assign(summary, describeGraph(graph));
  if (skipped) summary.damaged = `metrics.jsonl: ${skipped} unreadable line${skipped === 1 ? '' : 's'} skipped (torn by a crash?)`;
  return {
    summary,
    graph,
    config: run.config,
    dataset: run.dataset as RunDetail['dataset'],
    metrics,
    skippedMetricLines: skipped,
    latentEpochs: epochsIn(join(dir, 'latent')),
    sampleEpochs: epochsIn(join(dir, 'samples')),
  };
}
