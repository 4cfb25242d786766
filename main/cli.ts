/**
 * Headless Bottleneck: `bottleneck train ...` and `bottleneck runs`. Calls the backend directly
 * (no server), so a run started here is stored exactly like one started from the app.
 */
import { existsSync } from 'node:fs';
import { backendLabel, formatDuration } from '../core/format';
import { GraphFileError, parseGraphText } from '../core/graph/schema';
import { checkBounds, checkTrainingValue, SCHEDULE_BOUNDS, type NumericTrainingSetting } from '../core/graph/trainingBounds';
import { OPTIMIZERS, SCHEDULE_KINDS, type GraphDoc, type OptimizerName, type ScheduleKind } from '../core/graph/types';
import { folderDatasetId, isBuiltinDatasetId, isFolderDatasetId, parseDatasetId, withClasses } from '../core/data/datasetId';
import { BACKGROUNDS, backgroundNote, decodedChannels, FIT_MODES, type Background, type FitMode, type Preprocessing } from '../core/data/preprocessing';
import { buildTemplate, isTemplateName, TEMPLATE_NAMES, type ImageSize } from '../core/templates';
import { scanFolder } from './backend/folderScan';
import { summarizeFolder } from './backend/folderBrowser';
import { isTerminal, type TrainEvent } from '../core/train/events';
import { BUILTIN_FASHION_MNIST, listDatasets } from './backend/datasets';
import { appVersion, BottleneckBackend } from './backend/service';
import { runsDir } from './backend/paths';
import { exportRun, ExportRefused } from './backend/runExport';
import { RunReadError } from './backend/runs/format';
import type { BackendInfo, FolderSummary, RunDetail, RunSummary } from '../core/api';
import { PROVIDER_NAMES, providerName } from './backend/engine/providers';
import { excerpt, MAX_GRAPH_TEXT_BYTES } from '../core/limits';
import { readTextSafe, UnreadableFileError } from './backend/safeRead';
import { checkImageFolder, HelpRequested, noMoreArguments, parseCommandArgs, resolveRunId } from './cliArgs';
import { reportCliError, UsageError } from './cliErrors';
import { COMMAND_NAMES, commandHelp, isCommandName, overview, type CommandName } from './cliHelp';
import { table } from './cliTable';
import { encode, interpolate, sample, score } from './cliExplore';
import { exportCommand } from './cliExport';
import { oneClass } from './cliOneClass';
import { experimentRuns, sweep } from './cliSweep';

/** A training setting given as an option, checked against its bounds in the graph schema (TRAINING_BOUNDS). */
function settingOption(option: string, setting: NumericTrainingSetting, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const problem = checkTrainingValue(setting, value);
  if (problem) throw new UsageError(`--${option} ${problem}, got "${text}"`);
  return value;
}

/** --warmup: the schedule's warm-up epochs, checked against SCHEDULE_BOUNDS. */
function warmupOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const problem = checkBounds(SCHEDULE_BOUNDS.warmupEpochs, value);
  if (problem) throw new UsageError(`--warmup must be ${problem.replace(/^must be /, '')}, got "${text}"`);
  return value;
}

function loadGraph(template: string | undefined, graphFile: string | undefined, image?: ImageSize): GraphDoc {
  if (template && graphFile) throw new UsageError('give either --template or --graph, not both');
  if (graphFile) {
    let text: string;
    try {
      text = readTextSafe(graphFile, MAX_GRAPH_TEXT_BYTES);
    } catch (err) {
      throw new UsageError(err instanceof UnreadableFileError ? err.message : `cannot read ${graphFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      return parseGraphText(text);
    } catch (err) {
      if (err instanceof GraphFileError) throw new UsageError(`${graphFile}: ${err.message}`);
      throw err;
    }
  }
  const name = template ?? 'undercomplete';
  if (!isTemplateName(name)) throw new UsageError(`unknown template "${name}": choose one of ${TEMPLATE_NAMES.join(', ')}`);
  return buildTemplate(name, image);
}

/** The backend's line at a run's start: its name with threads and GPU, and why faster ones were passed over. */
function backendLine(name: string, threads: number, info: BackendInfo | null): string {
  const label = backendLabel({ name, threads, ...(info?.name === name && info.adapter && { adapter: info.adapter }) });
  const adapter = info?.adapter ? `; ${info.adapter.description}${info.adapter.fallback ? ', a software adapter: slow' : ''}` : '';
  const passed = (info?.skipped ?? []).filter((s) => s.reason !== 'not installed').map((s) => `${s.name}: ${s.reason}`);
  return `backend ${label}${adapter}${passed.length ? ` (passed over ${passed.join('; ')})` : ''}`;
}

function describe(event: TrainEvent, backend: BackendInfo | null): string | null {
  switch (event.type) {
    case 'dataset-progress':
      return event.phase === 'decoding' && event.done === event.total ? `decoded ${event.total} images (${Math.round(event.filesPerSec)} files/s)` : null;
    case 'dataset-ready': {
      const d = event.dataset;
      const classes = Object.entries(d.counts).map(([name, n]) => `${name} ${n}`).join(', ');
      return `dataset ${d.name}: ${d.height}×${d.width}×${d.channels}, ${d.trainCount} train + ${d.validationCount} validation; ${classes}${d.skippedCount ? `; ${d.skippedCount} files skipped (listed in run.json)` : ''}${d.fromCache ? ' (from cache)' : ''}`;
    }
    case 'run-started':
      return `run ${event.runId}: ${event.trainCount} training images, ${event.totalParams.toLocaleString('en')} parameters${event.startEpoch ? `, continuing after epoch ${event.startEpoch}` : ''}\n${backendLine(event.backend, event.threads, backend)}${event.note ? `\nnote: ${event.note}` : ''}`;
    case 'epoch-end': {
      const terms = ['recon_loss', 'sparsity_loss', 'kl_loss'].filter((k) => (event.metrics[k] ?? 0) !== 0).map((k) => `${k} ${event.metrics[k]!.toFixed(4)}`);
      return `epoch ${event.epoch}  loss ${event.loss.toFixed(4)}  val_loss ${event.val_loss.toFixed(4)}  ${terms.join('  ')}  ${Math.round(event.samplesPerSec)} samples/s`.replace(/ {3,}/g, '  ');
    }
    case 'run-finished':
      return `${event.stoppedEarly ? 'stopped early after' : 'finished'} ${event.epochs} epochs in ${formatDuration(event.elapsedMs)}: loss ${event.loss.toFixed(4)}, val_loss ${event.val_loss.toFixed(4)}, best ${event.best_val_loss.toFixed(4)}`;
    case 'run-stopped':
      return `stopped after ${event.epochs} epochs`;
    case 'run-failed':
      return `failed: ${event.message}`;
    default:
      return null;
  }
}

/** The folder's suggested settings with the user's overrides, each checked with a one-line reason. */
function folderSettings(suggested: Preprocessing, values: { size?: string; channels?: string; fit?: string; background?: string; 'validation-split'?: string }): Preprocessing {
  const out = { ...suggested };
  if (values.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(values.size);
    const [h, w] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (!m || h < 1 || w < 1 || h > 512 || w > 512) throw new UsageError(`--size must be HEIGHTxWIDTH from 1x1 to 512x512, got "${values.size}"`);
    Object.assign(out, { height: h, width: w });
  }
  if (values.channels !== undefined) {
    if (values.channels !== '1' && values.channels !== '3') throw new UsageError(`--channels must be 1 (grayscale) or 3 (RGB), got "${values.channels}"`);
    out.channels = Number(values.channels) as 1 | 3;
  }
  if (values.fit !== undefined) {
    if (!(FIT_MODES as readonly string[]).includes(values.fit)) throw new UsageError(`--fit must be one of ${FIT_MODES.join(', ')}, got "${values.fit}"`);
    out.fit = values.fit as FitMode;
  }
  if (values.background !== undefined) {
    if (!(BACKGROUNDS as readonly string[]).includes(values.background)) throw new UsageError(`--background must be one of ${BACKGROUNDS.join(', ')}, got "${values.background}"`);
    out.background = values.background as Background;
  }
  if (values['validation-split'] !== undefined) {
    const split = Number(values['validation-split']);
    if (!(split > 0 && split < 0.9)) throw new UsageError(`--validation-split must be between 0 and 0.9, got "${values['validation-split']}"`);
    out.validationSplit = split;
  }
  return out;
}

/** The class names of a dataset id given to --data (a folder's as its scan finds them), for --classes and --exclude. */
async function classNamesOf(datasetId: string): Promise<string[]> {
  let ref;
  try {
    ref = parseDatasetId(datasetId);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (ref.kind === 'builtin') return listDatasets()[0]!.classNames;
  const scan = await scanFolder(ref.path).catch((err: Error) => {
    throw new UsageError(err.message);
  });
  return scan.classNames;
}

/** The classes to train on from --classes or --exclude (numbers or names, comma-separated); null: all of them. */
function chosenClasses(classes: string | undefined, exclude: string | undefined, names: string[]): number[] | null {
  const option = classes !== undefined ? 'classes' : 'exclude';
  const listed = (classes ?? exclude)!.split(',').map((item) => {
    const text = item.trim();
    const byName = names.findIndex((n) => n.toLowerCase() === text.toLowerCase());
    if (byName >= 0) return byName;
    const index = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (index < names.length) return index;
    const known = names.map((n, i) => `${i} ${n}`).join(', ');
    throw new UsageError(Number.isNaN(index) ? `--${option}: no class "${excerpt(text)}" (the classes: ${known})` : `--${option}: class ${index} is out of range (the classes: ${known})`);
  });
  const kept = option === 'classes' ? [...new Set(listed)] : names.map((_, c) => c).filter((c) => !listed.includes(c));
  if (kept.length === 0) throw new UsageError('--exclude leaves no class to train on');
  return kept.length === names.length ? null : kept;
}

async function train(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('train', args, {
      template: { type: 'string' },
      graph: { type: 'string' },
      data: { type: 'string', default: BUILTIN_FASHION_MNIST },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'learning-rate': { type: 'string' },
      seed: { type: 'string' },
      optimizer: { type: 'string' },
      'weight-decay': { type: 'string' },
      schedule: { type: 'string' },
      warmup: { type: 'string' },
      patience: { type: 'string' },
      resume: { type: 'string' },
      size: { type: 'string' },
      channels: { type: 'string' },
      fit: { type: 'string' },
      'validation-split': { type: 'string' },
      classes: { type: 'string' },
      exclude: { type: 'string' },
      backend: { type: 'string' },
      background: { type: 'string' },
      json: { type: 'boolean', default: false },
  });
  noMoreArguments('train', positionals);
  if (values.backend !== undefined) {
    if (!providerName(values.backend)) throw new UsageError(`--backend must be one of ${PROVIDER_NAMES.join(', ')}, got "${values.backend}"`);
    // The trainer worker reads it when it chooses its backend, over the saved preference.
    process.env.BOTTLENECK_BACKEND = values.backend;
  }
  if (values.resume !== undefined) {
    const others = ['template', 'graph', 'batch-size', 'learning-rate', 'seed', 'optimizer', 'weight-decay', 'schedule', 'warmup', 'patience', 'classes', 'exclude'].filter((k) => values[k as keyof typeof values] !== undefined);
    if (others.length) throw new UsageError(`--resume continues a run with its own settings: drop --${others.join(', --')}`);
    const runId = resolveRunId(runsDir(), values.resume);
    // --epochs with --resume: the run's new total (a finished run trains on to it).
    const total = settingOption('epochs', 'epochs', values.epochs);
    return watch(values.json, (backend) => backend.continueRun(runId, total));
  }
  // A folder path as --data: its images, with the default settings for them (most common size up to 64×64).
  let datasetId = values.data!;
  let image: ImageSize | undefined;
  let classNames: string[] | null = null;
  if (!isBuiltinDatasetId(datasetId) && !isFolderDatasetId(datasetId)) {
    const summary = await summarizeFolder(checkImageFolder('--data', datasetId)).catch((err: Error) => {
      throw new UsageError(err.message);
    });
    const settings = folderSettings(summary.suggested, values);
    datasetId = folderDatasetId(summary.path, settings);
    classNames = summary.classNames;
    image = { height: settings.height, width: settings.width, channels: decodedChannels(settings) };
    if (!values.json) for (const line of folderLines(summary, settings)) console.log(line);
  }
  if (values.classes !== undefined || values.exclude !== undefined) {
    if (values.classes !== undefined && values.exclude !== undefined) throw new UsageError('give either --classes or --exclude, not both');
    classNames ??= await classNamesOf(datasetId);
    datasetId = withClasses(datasetId, chosenClasses(values.classes, values.exclude, classNames));
  }
  const graph = loadGraph(values.template, values.graph, image);
  const epochs = settingOption('epochs', 'epochs', values.epochs);
  const batchSize = settingOption('batch-size', 'batchSize', values['batch-size']);
  const seed = settingOption('seed', 'seed', values.seed);
  const learningRate = settingOption('learning-rate', 'learningRate', values['learning-rate']);
  const patience = settingOption('patience', 'earlyStoppingPatience', values.patience);
  const weightDecay = settingOption('weight-decay', 'weightDecay', values['weight-decay']);
  const warmupEpochs = warmupOption(values.warmup);
  const scheduleKind = values.schedule;
  if (scheduleKind !== undefined && !(SCHEDULE_KINDS as readonly string[]).includes(scheduleKind)) {
    throw new UsageError(`--schedule must be one of ${SCHEDULE_KINDS.join(', ')}, got "${scheduleKind}"`);
  }
  const optimizer = values.optimizer;
  if (optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got "${optimizer}"`);
  }
  graph.training = {
    ...graph.training,
    ...(epochs !== undefined && { epochs }),
    ...(batchSize !== undefined && { batchSize }),
    ...(learningRate !== undefined && { learningRate }),
    ...(seed !== undefined && { seed }),
    ...(optimizer !== undefined && { optimizer: optimizer as OptimizerName }),
    ...(patience !== undefined && { earlyStoppingPatience: patience }),
    ...(weightDecay !== undefined && { weightDecay }),
    schedule: { ...graph.training.schedule, ...(scheduleKind !== undefined && { kind: scheduleKind as ScheduleKind }), ...(warmupEpochs !== undefined && { warmupEpochs }) },
  };
  return watch(values.json, (backend) => backend.invoke('train:start', { graph, datasetId }));
}

/** What the scan of a --data folder found: images and classes, the shape, transparency, and every file skipped. */
function folderLines(summary: FolderSummary, p: Preprocessing): string[] {
  const lines = [
    `${summary.path}: ${summary.fileCount} images in ${summary.classNames.length} classes (${summary.classNames.map((c) => `${c} ${summary.counts[c]}`).join(', ')}), as ${p.height}×${p.width}×${decodedChannels(p)}`,
  ];
  if (summary.transparentCount) lines.push(`${summary.transparentCount} with transparency: ${backgroundNote(p.background)} (--background ${BACKGROUNDS.join('|')})`);
  if (summary.skippedCount) {
    lines.push(`${summary.skippedCount} file${summary.skippedCount === 1 ? '' : 's'} skipped:`);
    for (const s of summary.skipped) lines.push(`  ${s.path}: ${s.reason}`);
    if (summary.skippedCount > summary.skipped.length) lines.push(`  …and ${summary.skippedCount - summary.skipped.length} more`);
  }
  return lines;
}

/** Starts a run through `start`, prints its events until it ends, and maps the end to an exit code. */
async function watch(json: boolean | undefined, start: (backend: BottleneckBackend) => Promise<{ runId: string }>): Promise<number> {
  const backend = new BottleneckBackend({ shell: 'cli' });
  let runId: string | null = null;
  const done = new Promise<TrainEvent>((resolve) => {
    backend.on((e) => {
      if (e.type !== 'train' || (runId !== null && e.event.runId !== runId)) return;
      if (json) process.stdout.write(`${JSON.stringify(e.event)}\n`);
      else {
        const line = describe(e.event, backend.trainer.backend);
        if (line) console.log(line);
      }
      if (isTerminal(e.event)) resolve(e.event);
    });
  });
  try {
    ({ runId } = await start(backend));
  } catch (err) {
    await backend.dispose();
    throw new UsageError((err as Error).message);
  }
  const id = runId;
  process.once('SIGINT', () => {
    console.error('stopping after the current batch (Ctrl+C again to abort)');
    backend.trainer.stop(id);
    process.once('SIGINT', () => process.exit(130));
  });
  const last = await done;
  await backend.dispose();
  return last.type === 'run-finished' ? 0 : last.type === 'run-stopped' ? 130 : 1;
}

function formatCount(n: number | null): string {
  if (n === null) return '-';
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
}

const loss = (v: number | null) => (v === null ? '-' : v.toFixed(4));

function listLines(list: RunSummary[]): string[] {
  // Tags get a column once some run has them; the note is for `runs show`.
  const tagged = list.some((r) => r.tags.length > 0);
  const rows = [['', 'ID', 'STATUS', 'EPOCHS', 'TIME', 'TOPOLOGY', 'CODE', 'PARAMS', 'DATASET', 'BEST VAL', 'BACKEND', ...(tagged ? ['TAGS'] : []), 'NAME']];
  for (const r of list) {
    // A folder whose run.json cannot be read: only its id and the reason are known.
    if (r.damaged && r.topology === '') {
      rows.push(['!', r.id, 'damaged', '-', '-', '-', '-', '-', '-', '-', '-', ...(tagged ? ['-'] : []), r.damaged]);
      continue;
    }
    const dataset = r.datasetName.length > 24 ? `${r.datasetName.slice(0, 23)}…` : r.datasetName;
    const tags = tagged ? [r.tags.length ? r.tags.join(', ') : '-'] : [];
    rows.push([r.starred ? '★' : '', r.id, r.status, `${r.epochsDone}/${r.epochs}`, formatDuration(r.durationMs, '-'), r.topology, r.codeSize === null ? '-' : String(r.codeSize), formatCount(r.totalParams), dataset, loss(r.best_val_loss ?? r.val_loss), r.backend ?? '-', ...tags, r.damaged ? `${r.name} (damaged: ${r.damaged})` : r.name]);
  }
  const numeric = new Set([3, 4, 6, 7, 9]);
  return table(rows, (c) => numeric.has(c));
}

/** The per-epoch table of `runs show`: loss, val_loss, then every other metric recorded per epoch. */
function epochTable(detail: RunDetail): string[] {
  const byEpoch = new Map<number, Map<string, number>>();
  const keys = new Set<string>();
  for (const m of detail.metrics) {
    if (m.key === 'loss') continue; // per batch; epoch_loss is the epoch's
    const key = m.key === 'epoch_loss' ? 'loss' : m.key;
    keys.add(key);
    let row = byEpoch.get(m.epoch);
    if (!row) byEpoch.set(m.epoch, (row = new Map()));
    row.set(key, m.value); // a continued run may repeat an epoch: the last value counts
  }
  if (byEpoch.size === 0) return [];
  const rest = [...keys].filter((k) => k !== 'loss' && k !== 'val_loss' && k !== 'samples_per_sec').sort();
  const columns = [...['loss', 'val_loss'].filter((k) => keys.has(k)), ...rest, ...(keys.has('samples_per_sec') ? ['samples_per_sec'] : [])];
  const rows = [['epoch', ...columns]];
  for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
    const row = byEpoch.get(epoch)!;
    rows.push([String(epoch), ...columns.map((k) => {
      const v = row.get(k);
      return v === undefined ? '-' : k === 'samples_per_sec' ? String(Math.round(v)) : v.toFixed(4);
    })]);
  }
  return table(rows, () => true);
}

function showLines(d: RunDetail): string[] {
  const s = d.summary;
  const c = d.config as Record<string, unknown>;
  const lines = [
    `run ${s.id}${s.starred ? ' ★' : ''}  ${s.name}`,
    `status    ${s.status}, ${s.epochsDone}/${s.epochs} epochs in ${formatDuration(s.durationMs, '-')} (started ${s.startedAt}${s.endedAt ? `, ended ${s.endedAt}` : ''})`,
    `graph     ${s.topology}, code ${s.codeSize ?? '-'}, ${s.totalParams === null ? '-' : s.totalParams.toLocaleString('en')} parameters`,
    `dataset   ${s.datasetName} (${s.datasetId})`,
    `settings  ${['epochs', 'batchSize', 'learningRate', 'optimizer', 'seed', 'earlyStoppingPatience'].filter((k) => c[k] !== undefined).map((k) => `${k} ${String(c[k])}${k === 'batchSize' && c.effectiveBatchSize !== undefined && c.effectiveBatchSize !== c.batchSize ? ` (${String(c.effectiveBatchSize)} used)` : ''}`).join(', ')}`,
    `backend   ${s.backend ?? '-'}`,
    `loss      ${loss(s.loss)}  val_loss ${loss(s.val_loss)}  best val_loss ${loss(s.best_val_loss)}`,
  ];
  if (s.tags.length) lines.push(`tags      ${s.tags.join(', ')}`);
  // A note keeps its own lines, indented under the first.
  if (s.note.trim()) lines.push(`note      ${s.note.trim().split(/\r?\n/).join('\n          ')}`);
  if (s.notesProblem) lines.push(`notes     ${s.notesProblem}`);
  if (s.error) lines.push(`error     ${s.error}`);
  if (s.damaged) lines.push(`damaged   ${s.damaged}`);
  const epochs = epochTable(d);
  lines.push('', ...(epochs.length ? epochs : ['no finished epoch yet']));
  return lines;
}

async function runs(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('runs', args, { json: { type: 'boolean', default: false }, out: { type: 'string' }, experiment: { type: 'string' } });
  const [sub, given, ...extra] = positionals;
  if (values.experiment !== undefined) {
    if (positionals.length || values.out !== undefined) throw new UsageError('runs --experiment ID takes no other command or option but --json');
    const backend = new BottleneckBackend({ shell: 'cli' });
    try {
      return await experimentRuns(backend, values.experiment, values.json);
    } finally {
      await backend.dispose();
    }
  }
  if (sub !== undefined && sub !== 'show' && sub !== 'export') throw new UsageError(`unknown runs command "${sub}": use runs, runs show RUN_ID or runs export RUN_ID --out DIR`);
  if (sub && !given) throw new UsageError(`runs ${sub} needs a run id (see "bottleneck runs")`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.out !== undefined && sub !== 'export') throw new UsageError('--out is for runs export');
  if (sub === 'export' && !values.out) throw new UsageError('runs export needs --out DIR');
  const backend = new BottleneckBackend({ shell: 'cli' });
  try {
    if (sub === undefined) {
      const list = await backend.invoke('runs:list', {});
      if (values.json) console.log(JSON.stringify(list, null, 2));
      else if (list.length === 0) console.log(`no runs yet in ${backend.runs.root}`);
      else for (const line of listLines(list)) console.log(line);
      return 0;
    }
    // A run the user names (by any unique part of its id): an unknown one is a one-line error.
    const runId = resolveRunId(backend.runs.root, given!);
    if (!existsSync(backend.runs.dir(runId))) throw new UsageError(`no run ${runId} in ${backend.runs.root}`);
    if (sub === 'show') {
      let detail: RunDetail;
      try {
        detail = await backend.invoke('runs:detail', { runId: runId! });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (values.json) console.log(JSON.stringify(detail, null, 2));
      else for (const line of showLines(detail)) console.log(line);
      return 0;
    }
    try {
      const { dir: out, files } = exportRun(backend.runs, runId!, values.out!);
      if (values.json) console.log(JSON.stringify({ runId, dir: out, files }));
      else console.log(`exported run ${runId} to ${out} (${files.length} files)`);
      return 0;
    } catch (err) {
      if (err instanceof ExportRefused || err instanceof RunReadError || (err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError((err as Error).message);
      throw err;
    }
  } finally {
    await backend.dispose();
  }
}

/** `bottleneck help [COMMAND]`: the overview, or one command's text. */
function help(args: string[]): number {
  const [topic, ...extra] = args;
  if (extra.length) throw new UsageError(`help takes one command, got "${excerpt(args.join(' '))}"`);
  if (topic === undefined) console.log(overview(appVersion()));
  else if (isCommandName(topic)) console.log(commandHelp(topic));
  else throw new UsageError(`no command "${excerpt(topic)}": the commands are ${COMMAND_NAMES.join(', ')}`);
  return 0;
}

const COMMAND_RUNNERS: Record<CommandName, (args: string[]) => Promise<number> | number> = {
  help,
  train,
  runs,
  sample,
  interpolate,
  encode,
  score,
  export: exportCommand,
  sweep: (args) => sweep(args, loadGraph),
  'one-class': (args) => oneClass(args, loadGraph),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      console.log(overview(appVersion()));
      return 2;
    }
    if (command === '--help' || command === '-h') return help([]);
    if (command === '--version' || command === '-V' || command === 'version') {
      console.log(`bottleneck ${appVersion()}`);
      return 0;
    }
    if (!isCommandName(command)) throw new UsageError(`unknown command "${excerpt(command)}": the commands are ${COMMAND_NAMES.join(', ')} (see "bottleneck help")`);
    return await COMMAND_RUNNERS[command](rest);
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(commandHelp(err.command));
      return 0;
    }
    return reportCliError(err);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
