/**
 * `bottleneck sweep`: an experiment from the command line. The settings and values are checked before
 * anything trains (exit 2, one line), the run count and a time estimate are printed first, each run's
 * end as it comes, and the results table at the end. `bottleneck runs --experiment ID` prints that table again.
 */
import type { ExperimentDetail, ExperimentRequest, ExperimentSummary, OneClassResult, RunDetail } from '../core/api';
import { isBuiltinDatasetId, isFolderDatasetId, folderDatasetId } from '../core/data/datasetId';
import { isOneClassStudy } from '../core/experiments/oneClass';
import { decodedChannels } from '../core/data/preprocessing';
import { describeRun, ExperimentSpecError } from '../core/experiments/plan';
import { runResult, termColumns, type RunResult } from '../core/experiments/results';
import { formatValue } from '../core/experiments/settings';
import { formatDuration } from '../core/format';
import type { GraphDoc } from '../core/graph/types';
import { excerpt } from '../core/limits';
import { isTerminal } from '../core/train/events';
import type { ImageSize } from '../core/templates';
import { TRAINING_BOUNDS } from '../core/graph/trainingBounds';
import { BUILTIN_FASHION_MNIST } from './backend/datasets';
import { summarizeFolder } from './backend/folderBrowser';
import { BottleneckBackend, builtinClassNames } from './backend/service';
import { checkImageFolder, noMoreArguments, parseCommandArgs, resolveRunId } from './cliArgs';
import { UsageError } from './cliErrors';
import { oneClassLines } from './cliOneClassTable';
import { table } from './cliTable';

/** How cli.ts reads --template and --graph, shared so a sweep refuses a bad graph file the same way. */
export type LoadGraph = (template: string | undefined, graphFile: string | undefined, image?: ImageSize) => GraphDoc;

/** `--vary SETTING=VALUES`, split at the first `=`. */
function varyOption(text: string): { setting: string; values: string } {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new UsageError(`--vary takes SETTING=VALUES (e.g. bottleneck.units=2,4,8), got "${excerpt(text)}"`);
  return { setting: text.slice(0, at).trim(), values: text.slice(at + 1).trim() };
}

export function wholeNumber(option: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${option} must be a whole number from ${min} to ${max.toLocaleString('en')}, got "${excerpt(text)}"`);
  return value;
}

export async function sweep(args: string[], loadGraph: LoadGraph): Promise<number> {
  const { values, positionals } = parseCommandArgs('sweep', args, {
    template: { type: 'string' },
    graph: { type: 'string' },
    data: { type: 'string', default: BUILTIN_FASHION_MNIST },
    vary: { type: 'string', multiple: true },
    random: { type: 'string' },
    seed: { type: 'string' },
    epochs: { type: 'string' },
    name: { type: 'string' },
    resume: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  noMoreArguments('sweep', positionals);
  const backend = new BottleneckBackend({ shell: 'cli' });
  try {
    if (values.resume !== undefined) {
      const others = ['template', 'graph', 'vary', 'random', 'seed', 'epochs', 'name'].filter((k) => values[k as keyof typeof values] !== undefined);
      if (others.length) throw new UsageError(`--resume carries on an experiment as it was planned: drop --${others.join(', --')}`);
      const id = resolveRunId(backend.experiments.store.root, values.resume, 'experiment');
      return await follow(backend, values.json, async () => {
        try {
          return await backend.experiments.resume(id);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      });
    }
    if (!values.vary?.length) throw new UsageError('sweep needs at least one --vary SETTING=VALUES (e.g. --vary bottleneck.units=2,4,8; see "bottleneck sweep --help")');
    const { request } = await sweepRequest(values, loadGraph);
    return await startExperiment(backend, request, values.json);
  } finally {
    await backend.dispose();
  }
}

/** Checks the plan (a bad setting or value is a usage error), prints the run count and time estimate, then trains and follows it. */
export async function startExperiment(backend: BottleneckBackend, request: ExperimentRequest, json: boolean | undefined): Promise<number> {
  let preview;
  try {
    preview = await backend.invoke('experiments:preview', request);
  } catch (err) {
    if (err instanceof ExperimentSpecError) throw new UsageError(err.message);
    throw err;
  }
  const estimate = preview.estimateMs === null ? 'no finished run yet to estimate the time from' : `about ${formatDuration(preview.estimateMs)} (${preview.estimateBasis})`;
  console.error(`${preview.runs.length} run${preview.runs.length === 1 ? '' : 's'} of ${preview.settings.map((s) => `${s.path} (${s.values})`).join(' × ')}${request.random ? `, ${request.random.count} random draws with seed ${request.random.seed}` : ''}: ${estimate}`);
  return await follow(backend, json, () => backend.invoke('experiments:create', request));
}

/** The request as the options give it (a folder read for its suggested settings), and the dataset's class names where known. */
export async function sweepRequest(
  values: { template?: string; graph?: string; data?: string; vary?: string[]; random?: string; seed?: string; epochs?: string; name?: string },
  loadGraph: LoadGraph,
): Promise<{ request: ExperimentRequest; classNames: string[] | null }> {
  let datasetId = values.data!;
  let image: ImageSize | undefined;
  let classNames: string[] | null = null;
  if (!isBuiltinDatasetId(datasetId) && !isFolderDatasetId(datasetId)) {
    // A folder: its images with the suggested settings (as `bottleneck train --data DIR` takes them).
    const summary = await summarizeFolder(checkImageFolder('--data', datasetId)).catch((err: Error) => {
      throw new UsageError(err.message);
    });
    datasetId = folderDatasetId(summary.path, summary.suggested);
    classNames = summary.classNames;
    image = { height: summary.suggested.height, width: summary.suggested.width, channels: decodedChannels(summary.suggested) };
  }
  const graph = loadGraph(values.template, values.graph, image);
  const epochs = wholeNumber('epochs', values.epochs, TRAINING_BOUNDS.epochs.min, TRAINING_BOUNDS.epochs.max);
  if (epochs !== undefined) graph.training = { ...graph.training, epochs };
  const count = wholeNumber('random', values.random, 1, 500);
  const seed = wholeNumber('seed', values.seed, 0, 2 ** 31 - 1);
  if (seed !== undefined && count === undefined) throw new UsageError('--seed is the seed of --random N draws: give --random too (to sweep the training seed, --vary training.seed=1,2,3)');
  const request: ExperimentRequest = {
    graph,
    datasetId,
    vary: (values.vary ?? []).map(varyOption),
    ...(count !== undefined && { random: { count, seed: seed ?? 0 } }),
    ...(values.name !== undefined && { name: values.name }),
  };
  return { request, classNames: classNames ?? builtinClassNames(datasetId) ?? null };
}

/** Starts (or resumes) the experiment, prints each run's end and the table, and maps the end to an exit code. */
async function follow(backend: BottleneckBackend, json: boolean | undefined, start: () => Promise<ExperimentSummary>): Promise<number> {
  let id: string | null = null;
  const ended = new Promise<void>((resolve) => {
    backend.on((e) => {
      if (id === null) return;
      if (e.type === 'train' && isTerminal(e.event)) {
        const runId = e.event.runId;
        const row = safeDetail(backend, id)?.runs.find((r) => r.runId === runId);
        if (row && !json) console.error(`run ${row.index + 1}: ${describeRun(row)}: ${e.event.type.replace('run-', '')}${e.event.type === 'run-finished' ? `, val_loss ${e.event.val_loss.toFixed(4)} (best ${e.event.best_val_loss.toFixed(4)}) in ${formatDuration(e.event.elapsedMs)}` : ''}`);
      }
      if (e.type === 'experiment-changed' && e.experimentId === id && safeDetail(backend, id)?.summary.status !== 'running') resolve();
    });
  });
  const summary = await start();
  id = summary.id;
  if (!json) console.error(`experiment ${id}: ${summary.name}`);
  const experimentId = id;
  process.once('SIGINT', () => {
    console.error('stopping the experiment after the current batch (Ctrl+C again to abort)');
    void backend.experiments.stop(experimentId).catch(() => {});
    process.once('SIGINT', () => process.exit(130));
  });
  // It may have ended before we listened (every run refused at once).
  if (safeDetail(backend, id)?.summary.status === 'running') await ended;
  const detail = await backend.invoke('experiments:detail', { experimentId: id });
  await printResults(backend, detail, json);
  if (detail.summary.status === 'finished') return detail.runs.every((r) => r.run?.status === 'finished') ? 0 : 1;
  return detail.summary.error ? 1 : 130;
}

function safeDetail(backend: BottleneckBackend, id: string): ExperimentDetail | null {
  try {
    return backend.experiments.detail(id);
  } catch {
    return null;
  }
}

/** The results table: each varied setting, best val loss and its epoch, the final loss terms, time, parameters, status, run. */
export async function printResults(backend: BottleneckBackend, detail: ExperimentDetail, json: boolean | undefined): Promise<void> {
  const results = await Promise.all(
    detail.runs.map(async (r): Promise<RunResult | null> => {
      if (!r.runId) return null;
      try {
        return runResult(((await backend.invoke('runs:detail', { runId: r.runId })) as RunDetail).metrics);
      } catch {
        return null;
      }
    }),
  );
  const oneClass = await oneClassOf(backend, detail);
  if (json) {
    console.log(JSON.stringify({ experiment: detail.summary, runs: detail.runs.map((r, i) => ({ ...r, result: results[i] })), ...(oneClass && { oneClass }) }, null, 2));
    return;
  }
  const s = detail.summary;
  const terms = termColumns(results.filter((r): r is RunResult => r !== null));
  const best = bestIndex(results);
  const rows = [['', '#', ...s.settings.map((x) => x.path), 'BEST VAL', 'EPOCH', ...terms.map((t) => `FINAL ${t.toUpperCase()}`), 'TIME', 'PARAMS', 'STATUS', 'RUN']];
  detail.runs.forEach((r, i) => {
    const result = results[i];
    const number = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(4));
    rows.push([
      i === best ? '★' : '',
      String(r.index + 1),
      ...s.settings.map((x) => (r.values[x.path] === undefined ? '-' : formatValue(r.values[x.path]!))),
      number(result?.bestValLoss),
      result?.bestEpoch ? String(result.bestEpoch) : '-',
      ...terms.map((t) => number(result?.finalTerms[t])),
      formatDuration(r.run?.durationMs ?? null, '-'),
      r.run?.totalParams === null || r.run?.totalParams === undefined ? '-' : r.run.totalParams.toLocaleString('en'),
      r.run?.status ?? 'planned',
      r.runId ?? '-',
    ]);
  });
  console.log(`experiment ${s.id}  ${s.name}  ${s.status}, ${s.doneCount}/${s.runCount} runs${s.error ? `\n${s.error}` : ''}`);
  const numeric = new Set([1, ...s.settings.flatMap((x, k) => (x.numeric ? [k + 2] : [])), ...Array.from({ length: terms.length + 2 }, (_, k) => s.settings.length + 2 + k)]);
  for (const line of table(rows, (c) => numeric.has(c))) console.log(line);
  if (best !== null) console.log(`★ best validation loss: run ${best + 1}`);
  if (oneClass) for (const line of oneClassLines(oneClass)) console.log(line);
}

/** The one-class study of an experiment that is one (scoring its runs the first time); a scoring failure is said on stderr, the rest still printed. */
async function oneClassOf(backend: BottleneckBackend, detail: ExperimentDetail): Promise<OneClassResult | null> {
  if (!isOneClassStudy(detail.summary.settings, detail.runs)) return null;
  console.error(`scoring the runs on the validation split of every class`);
  try {
    return await backend.invoke('experiments:one-class', { experimentId: detail.summary.id });
  } catch (err) {
    console.error(`bottleneck: the one-class study could not be scored: ${(err as Error).message}`);
    return null;
  }
}

function bestIndex(results: (RunResult | null)[]): number | null {
  let best: number | null = null;
  results.forEach((r, i) => {
    if (r?.bestValLoss === null || r?.bestValLoss === undefined) return;
    if (best === null || r.bestValLoss < results[best]!.bestValLoss!) best = i;
  });
  return best;
}

/** `bottleneck runs --experiment ID`: the experiment's results table. */
export async function experimentRuns(backend: BottleneckBackend, given: string, json: boolean | undefined): Promise<number> {
  const id = resolveRunId(backend.experiments.store.root, given, 'experiment');
  let detail: ExperimentDetail;
  try {
    detail = await backend.invoke('experiments:detail', { experimentId: id });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await printResults(backend, detail, json);
  return 0;
}
