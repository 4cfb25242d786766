/**
 * `bottleneck sample`, `interpolate`, `encode` and `score`: a trained model used headless, through
 * the same backend and model cache as the Explore and Score views.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckpointChoice, InterpolationPath, ModelInfo } from '../core/api';
import { folderDatasetId, isBuiltinDatasetId, isFolderDatasetId } from '../core/data/datasetId';
import { scoresCsv } from '../core/score';
import { codesCsv, labelsCsv, npy } from './backend/codesFile';
import { decodeOne } from './backend/imageDecode';
import { scanFolder } from './backend/folderScan';
import { gridPng } from './backend/imageGrid';
import { writeOutputFiles } from './backend/outputFiles';
import type { EncodeSplit, ModelSource } from './backend/modelProtocol';
import { modelPreprocessing } from './backend/prepareImage';
import { BottleneckBackend } from './backend/service';
import { checkImageFolder, noMoreArguments, parseCommandArgs, resolveRunId } from './cliArgs';
import { UsageError } from './cliErrors';
import type { CommandName } from './cliHelp';
import { runsDir } from './backend/paths';
import { table } from './cliTable';

const common = { checkpoint: { type: 'string' }, out: { type: 'string' } } as const;

/** A whole number option within bounds, or its default. */
function intOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max.toLocaleString('en')}, got "${text}"`);
  return v;
}

export function checkpointOption(text: string | undefined): CheckpointChoice {
  if (text === undefined) return 'best';
  if (text !== 'best' && text !== 'last') throw new UsageError(`--checkpoint must be best or last, got "${text}"`);
  return text;
}

/** The run as given and the --out file of a command (the run is looked up once every option is checked). */
function runArgs(name: CommandName, positionals: string[], out: string | undefined, extension: RegExp, what: string): { given: string; out: string } {
  const [given, ...extra] = positionals;
  if (!given) throw new UsageError(`${name} needs a run id (see "bottleneck runs")`);
  noMoreArguments(name, extra);
  if (!out) throw new UsageError(`${name} needs --out ${what}`);
  if (!extension.test(out)) throw new UsageError(`--out must name ${what}, got "${out}"`);
  return { given, out: resolve(out) };
}

/** --scale: each image this many times its size in a PNG. */
function scaleOption(text: string | undefined): number {
  return intOption('scale', text, 1, 1, MAX_SCALE);
}

const MAX_SCALE = 32;

/** Runs `body` with a backend for the CLI, disposed after. */
export async function withBackend<T>(body: (backend: BottleneckBackend) => Promise<T>): Promise<T> {
  const backend = new BottleneckBackend({ shell: 'cli' });
  try {
    return await body(backend);
  } finally {
    await backend.dispose();
  }
}

export async function sample(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('sample', args, { ...common, n: { type: 'string' }, seed: { type: 'string' }, temperature: { type: 'string' }, scale: { type: 'string' } });
  const scale = scaleOption(values.scale);
  const { given, out } = runArgs('sample', positionals, values.out, /\.png$/i, 'a .png file');
  const count = intOption('n', values.n, 64, 1, 256);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const temperature = values.temperature === undefined ? 1 : Number(values.temperature);
  if (!(temperature >= 0 && temperature <= 5) || values.temperature?.trim() === '') throw new UsageError(`--temperature must be a number from 0 to 5, got "${values.temperature}"`);
  const checkpoint = checkpointOption(values.checkpoint);
  const runId = resolveRunId(runsDir(), given);
  return withBackend(async (backend) => {
    const result = await backend.invoke('model:sample', { runId, checkpoint, count, seed, temperature });
    writeOutputFiles([{ path: out, data: await gridPng(result.images, Math.ceil(Math.sqrt(count)), scale) }]);
    console.log(`wrote ${count} samples of run ${runId} (${result.source === 'prior' ? 'N(0, I)' : 'a Gaussian fitted to the training codes'}, seed ${seed}, temperature ${temperature}) to ${out}`);
    if (result.note) console.log(`note: ${result.note}`);
    return 0;
  });
}

/** An interpolation end: a validation image's index, or an image file encoded by the model. */
async function endOf(backend: BottleneckBackend, option: string, text: string, info: ModelInfo, source: ModelSource): Promise<{ index: number } | { code: number[] }> {
  if (/^\d+$/.test(text)) return { index: Number(text) };
  const file = resolve(text);
  try {
    if (!statSync(file).isFile()) throw new UsageError(`--${option} ${text}: not a file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--${option} must be a validation image's index or an image file, got "${text}" (no such file)`);
  }
  let pixels: Uint8Array;
  try {
    pixels = await decodeOne(file, modelPreprocessing(info, source.datasetId));
  } catch (err) {
    throw new UsageError(`--${option} ${text}: cannot read the image (${String((err as Error).message).split('\n')[0]})`);
  }
  const [code] = await backend.models.call('encodeImages', source, { pixels, count: 1 });
  return { code: code! };
}

export async function interpolate(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('interpolate', args, { ...common, from: { type: 'string' }, to: { type: 'string' }, steps: { type: 'string' }, path: { type: 'string' }, scale: { type: 'string' } });
  const scale = scaleOption(values.scale);
  const { given, out } = runArgs('interpolate', positionals, values.out, /\.png$/i, 'a .png file');
  if (values.from === undefined || values.to === undefined) throw new UsageError('interpolate needs --from IMG and --to IMG (a validation index or an image file)');
  const steps = intOption('steps', values.steps, 10, 2, 64);
  if (values.path !== undefined && values.path !== 'linear' && values.path !== 'spherical') throw new UsageError(`--path must be linear or spherical, got "${values.path}"`);
  const checkpoint = checkpointOption(values.checkpoint);
  const runId = resolveRunId(runsDir(), given);
  return withBackend(async (backend) => {
    const source = backend.modelSource({ runId, checkpoint });
    const info = await backend.invoke('model:info', { runId, checkpoint });
    const from = await endOf(backend, 'from', values.from!, info, source);
    const to = await endOf(backend, 'to', values.to!, info, source);
    const path: InterpolationPath = (values.path as InterpolationPath | undefined) ?? (info.variational ? 'spherical' : 'linear');
    const strip = await backend.invoke('model:interpolate', { runId, checkpoint, from, to, steps, path });
    writeOutputFiles([{ path: out, data: await gridPng(strip.images, steps, scale) }]);
    console.log(`wrote ${steps} images of run ${runId} along the ${path} path to ${out}`);
    return 0;
  });
}

/** --data as a dataset id: a built-in or folder id as given; a folder path at the model's size, with the run's fit and split when it trained on a folder. */
async function dataOption(data: string | undefined, info: ModelInfo, source: ModelSource): Promise<string | null> {
  if (data === undefined) return null;
  if (isBuiltinDatasetId(data) || isFolderDatasetId(data)) return data;
  const scan = await scanFolder(checkImageFolder('--data', data)).catch((err: Error) => {
    throw new UsageError(err.message);
  });
  if (scan.files.length === 0) throw new UsageError(`${scan.root}: no image files found`);
  return folderDatasetId(scan.root, modelPreprocessing(info, source.datasetId));
}

/** On a terminal, how far a long call is, on one line rewritten in place (clear it with "\r\x1b[K"). */
function terminalProgress(): ((phase: string, done: number, total: number) => void) | undefined {
  return process.stderr.isTTY ? (phase, done, total) => process.stderr.write(`\r${phase} ${done.toLocaleString('en')}/${total.toLocaleString('en')}  `) : undefined;
}

export async function encode(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('encode', args, { ...common, data: { type: 'string' }, split: { type: 'string' } });
  const { given, out } = runArgs('encode', positionals, values.out, /\.(csv|npy)$/i, 'a .csv or .npy file');
  const split = (values.split ?? 'all') as EncodeSplit;
  if (!['all', 'train', 'validation'].includes(split)) throw new UsageError(`--split must be all, train or validation, got "${values.split}"`);
  const checkpoint = checkpointOption(values.checkpoint);
  const runId = resolveRunId(runsDir(), given);
  return withBackend(async (backend) => {
    const source = backend.modelSource({ runId, checkpoint });
    const info = await backend.invoke('model:info', { runId, checkpoint });
    const datasetId = await dataOption(values.data, info, source) ?? source.datasetId;
    const progress = terminalProgress();
    const encoded = await backend.models.call('encodeDataset', source, { datasetId, split }, progress);
    if (progress) process.stderr.write('\r\x1b[K');
    if (/\.npy$/i.test(out)) {
      const labels = out.replace(/\.npy$/i, '.labels.csv');
      writeOutputFiles([{ path: out, data: npy(encoded.codes, encoded.count, encoded.codeSize) }, { path: labels, data: labelsCsv(encoded) }]);
      console.log(`wrote ${encoded.count.toLocaleString('en')} codes of ${encoded.codeSize} values (float32, ${encoded.count} × ${encoded.codeSize}) to ${out}, and each row's ${encoded.files ? 'index, split, file, label and class' : 'index, split, label and class'} to ${labels}`);
    } else {
      writeOutputFiles([{ path: out, data: codesCsv(encoded) }]);
      console.log(`wrote ${encoded.count.toLocaleString('en')} codes of ${encoded.codeSize} values to ${out}`);
    }
    return 0;
  });
}

export async function score(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('score', args, { ...common, data: { type: 'string' }, threshold: { type: 'string' } });
  const { given, out } = runArgs('score', positionals, values.out, /\.csv$/i, 'a .csv file');
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && (values.threshold!.trim() === '' || !(threshold >= 0) || !Number.isFinite(threshold))) {
    throw new UsageError(`--threshold must be a number ≥ 0 (a mean squared error per pixel, pixels in [0, 1]), got "${values.threshold}"`);
  }
  const checkpoint = checkpointOption(values.checkpoint);
  const runId = resolveRunId(runsDir(), given);
  return withBackend(async (backend) => {
    const source = backend.modelSource({ runId, checkpoint });
    const info = await backend.invoke('model:info', { runId, checkpoint });
    const datasetId = await dataOption(values.data, info, source);
    const progress = terminalProgress();
    const unsubscribe = backend.on((e) => {
      if (e.type === 'job-progress' && e.job === 'score' && e.runId === runId) progress?.(e.phase, e.done, e.total);
    });
    const result = await backend.invoke('model:score', { runId, checkpoint, ...(datasetId !== null && { datasetId }), extremes: 0 }).finally(unsubscribe);
    if (progress) process.stderr.write('\r\x1b[K');
    writeOutputFiles([{ path: out, data: scoresCsv(result, threshold) }]);
    console.log(`scored ${result.count.toLocaleString('en')} images of ${result.datasetName} with run ${runId} (${checkpoint} checkpoint, epoch ${info.epoch}); wrote the ranking to ${out}`);
    if (result.skippedCount) {
      console.log(`${result.skippedCount.toLocaleString('en')} file${result.skippedCount === 1 ? '' : 's'} skipped:`);
      for (const s of result.skipped) console.log(`  ${s.path}: ${s.reason}`);
      if (result.skippedCount > result.skipped.length) console.log(`  …and ${(result.skippedCount - result.skipped.length).toLocaleString('en')} more`);
    }
    const notTrained = result.heldOut.length + result.newClasses.length > 0;
    const role = (label: number) => (result.heldOut.includes(label) ? 'held out' : result.newClasses.includes(label) ? 'new' : '');
    const rows = [['label', 'class', 'images', 'mean error', 'median', ...(notTrained ? ['not trained on'] : [])]];
    for (const c of result.perClass) {
      rows.push([String(c.label), result.classNames[c.label] ?? '', String(c.count), c.mean.toFixed(5), c.median.toFixed(5), ...(notTrained ? [role(c.label)] : [])]);
    }
    for (const line of table(rows, (col) => col === 0 || col === 2 || col === 3 || col === 4)) console.log(line);
    const named = (classes: number[]) => classes.map((c) => result.classNames[c] ?? c).join(', ');
    if (result.roc) {
      const which = [result.heldOut.length ? `${named(result.heldOut)} (held out of training)` : '', result.newClasses.length ? `${named(result.newClasses)} (not in its training data)` : ''].filter(Boolean).join(' and ');
      console.log(`ROC AUC ${result.roc.auc.toFixed(4)}: ${which} against the classes it trained on`);
    }
    if (threshold !== undefined) {
      const over = result.errors.filter((e) => e > threshold).length;
      console.log(`${over.toLocaleString('en')} of ${result.count.toLocaleString('en')} images over the threshold ${threshold} (${((100 * over) / result.count).toFixed(1)} %)`);
    }
    return 0;
  });
}
