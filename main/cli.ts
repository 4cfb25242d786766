/**
 * Headless Bottleneck: `bottleneck train ...` and `bottleneck runs`. Calls the backend directly
 * (no server), so a run started here is stored exactly like one started from the app.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphFileError, parseGraphText } from '../core/graph/schema';
import { OPTIMIZERS, type GraphDoc, type OptimizerName } from '../core/graph/types';
import { FIT_MODES, folderDatasetId, isFolderDatasetId, type FitMode, type Preprocessing } from '../core/data/folder';
import { buildTemplate, isTemplateName, TEMPLATE_NAMES, type ImageSize } from '../core/templates';
import { scanFolder, suggestPreprocessing } from './backend/imageFolder';
import { isTerminal, type TrainEvent } from '../core/train/events';
import { BUILTIN_FASHION_MNIST } from './backend/datasets';
import { BottleneckBackend } from './backend/service';

const USAGE = `usage:
  bottleneck train [--template NAME | --graph FILE] [--data builtin:fashion-mnist | --data DIR] [--epochs N]
                   [--batch-size N] [--learning-rate X] [--optimizer adam|sgd|rmsprop] [--seed N]
                   [--patience N] [--json]
      image folders: [--size HxW] [--channels 1|3] [--fit cover|contain|fill] [--validation-split X]
                     (defaults: the most common size up to 64×64, grayscale when every image is, cover, 0.1)
  bottleneck train --resume RUN_ID [--json]     continue a stopped or interrupted run
  bottleneck runs [--json]
templates: ${TEMPLATE_NAMES.join(', ')}
runs are stored under $BOTTLENECK_HOME/runs (default: the app's user-data folder)`;

class UsageError extends Error {}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got "${text}"`);
  return value;
}

function loadGraph(template: string | undefined, graphFile: string | undefined, image?: ImageSize): GraphDoc {
  if (template && graphFile) throw new UsageError('give either --template or --graph, not both');
  if (graphFile) {
    let text: string;
    try {
      text = readFileSync(graphFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${graphFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
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

function describe(event: TrainEvent): string | null {
  switch (event.type) {
    case 'dataset-progress':
      return event.phase === 'decoding' && event.done === event.total ? `decoded ${event.total} images (${Math.round(event.filesPerSec)} files/s)` : null;
    case 'dataset-ready': {
      const d = event.dataset;
      const classes = Object.entries(d.counts).map(([name, n]) => `${name} ${n}`).join(', ');
      return `dataset ${d.name}: ${d.height}×${d.width}×${d.channels}, ${d.trainCount} train + ${d.validationCount} validation; ${classes}${d.skippedCount ? `; ${d.skippedCount} files skipped (listed in run.json)` : ''}${d.fromCache ? ' (from cache)' : ''}`;
    }
    case 'run-started':
      return `run ${event.runId}: ${event.trainCount} training images, ${event.totalParams.toLocaleString('en')} parameters, backend ${event.backend}${event.startEpoch ? `, continuing after epoch ${event.startEpoch}` : ''}`;
    case 'epoch-end': {
      const terms = ['recon_loss', 'sparsity_loss', 'kl_loss'].filter((k) => (event.metrics[k] ?? 0) !== 0).map((k) => `${k} ${event.metrics[k]!.toFixed(4)}`);
      return `epoch ${event.epoch}  loss ${event.loss.toFixed(4)}  val_loss ${event.val_loss.toFixed(4)}  ${terms.join('  ')}  ${Math.round(event.samplesPerSec)} samples/s`.replace(/ {3,}/g, '  ');
    }
    case 'run-finished':
      return `${event.stoppedEarly ? 'stopped early after' : 'finished'} ${event.epochs} epochs in ${(event.elapsedMs / 1000).toFixed(1)} s: loss ${event.loss.toFixed(4)}, val_loss ${event.val_loss.toFixed(4)}, best ${event.best_val_loss.toFixed(4)}`;
    case 'run-stopped':
      return `stopped after ${event.epochs} epochs`;
    case 'run-failed':
      return `failed: ${event.message}`;
    default:
      return null;
  }
}

/** The folder's suggested settings with the user's overrides, each checked with a one-line reason. */
function folderSettings(suggested: Preprocessing, values: { size?: string; channels?: string; fit?: string; 'validation-split'?: string }): Preprocessing {
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
  if (values['validation-split'] !== undefined) {
    const split = Number(values['validation-split']);
    if (!(split > 0 && split < 0.9)) throw new UsageError(`--validation-split must be between 0 and 0.9, got "${values['validation-split']}"`);
    out.validationSplit = split;
  }
  return out;
}

async function train(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      template: { type: 'string' },
      graph: { type: 'string' },
      data: { type: 'string', default: BUILTIN_FASHION_MNIST },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'learning-rate': { type: 'string' },
      seed: { type: 'string' },
      optimizer: { type: 'string' },
      patience: { type: 'string' },
      resume: { type: 'string' },
      size: { type: 'string' },
      channels: { type: 'string' },
      fit: { type: 'string' },
      'validation-split': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.resume !== undefined) {
    const others = ['template', 'graph', 'epochs', 'batch-size', 'learning-rate', 'seed', 'optimizer', 'patience'].filter((k) => values[k as keyof typeof values] !== undefined);
    if (others.length) throw new UsageError(`--resume continues a run with its own settings: drop --${others.join(', --')}`);
    return watch(values.json, (backend) => backend.continueRun(values.resume!));
  }
  // A folder path as --data: its images, with the default settings for them (most common size up to 64×64).
  let datasetId = values.data!;
  let image: ImageSize | undefined;
  if (!datasetId.startsWith('builtin:') && !isFolderDatasetId(datasetId)) {
    const scan = await scanFolder(resolve(datasetId)).catch((err: Error) => {
      throw new UsageError(err.message);
    });
    if (scan.files.length === 0) throw new UsageError(`${scan.root}: no image files found (${scan.skipped.length} other files skipped)`);
    const settings = folderSettings(await suggestPreprocessing(scan), values);
    datasetId = folderDatasetId(scan.root, settings);
    image = { height: settings.height, width: settings.width, channels: settings.channels };
    if (!values.json) console.log(`${scan.root}: ${scan.files.length} images in ${scan.classNames.length} classes (${scan.classNames.map((c) => `${c} ${scan.counts[c]}`).join(', ')}), as ${image.height}×${image.width}×${image.channels}`);
  }
  const graph = loadGraph(values.template, values.graph, image);
  const epochs = positiveInt('epochs', values.epochs);
  const batchSize = positiveInt('batch-size', values['batch-size']);
  const seedText = values.seed;
  if (seedText !== undefined && !Number.isInteger(Number(seedText))) throw new UsageError(`--seed must be a whole number, got "${seedText}"`);
  const lrText = values['learning-rate'];
  const learningRate = lrText === undefined ? undefined : Number(lrText);
  if (learningRate !== undefined && !(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new UsageError(`--learning-rate must be a positive number, got "${lrText}"`);
  }
  const optimizer = values.optimizer;
  if (optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got "${optimizer}"`);
  }
  const patience = values.patience === undefined ? undefined : Number(values.patience);
  if (patience !== undefined && !(Number.isInteger(patience) && patience >= 0)) throw new UsageError(`--patience must be a whole number ≥ 0, got "${values.patience}"`);
  graph.training = {
    ...graph.training,
    ...(epochs && { epochs }),
    ...(batchSize && { batchSize }),
    ...(learningRate && { learningRate }),
    ...(seedText !== undefined && { seed: Number(seedText) }),
    ...(optimizer !== undefined && { optimizer: optimizer as OptimizerName }),
    ...(patience !== undefined && { earlyStoppingPatience: patience }),
  };
  return watch(values.json, (backend) => backend.invoke('train:start', { graph, datasetId }));
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
        const line = describe(e.event);
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

async function runs(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'boolean', default: false } } });
  const backend = new BottleneckBackend({ shell: 'cli' });
  const list = await backend.invoke('runs:list', {});
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else if (list.length === 0) console.log(`no runs yet in ${backend.runs.root}`);
  else {
    for (const r of list) {
      const val = r.val_loss === null ? '-' : r.val_loss.toFixed(4);
      console.log(`${r.id}  ${r.status.padEnd(11)} ${String(r.epochsDone).padStart(3)}/${r.epochs} epochs  val_loss ${val}  ${r.name}`);
    }
  }
  await backend.dispose();
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'train') return await train(rest);
    if (command === 'runs') return await runs(rest);
    if (command === undefined || command === '--help' || command === '-h') {
      console.log(USAGE);
      return command ? 0 : 2;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    // node:util parseArgs throws TypeErrors with codes for unknown or malformed options.
    const coded = (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    if (err instanceof UsageError || coded) {
      console.error(`bottleneck: ${(err as Error).message}`);
      return 2;
    }
    console.error(`bottleneck: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
