import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSafe, readTextSafe, READ_LIMITS, UnreadableFileError } from './safeRead';
import { join } from 'node:path';
import { z } from 'zod';
import { excerpt } from '../../core/limits';
import type { NoiseState, SavedTensor, TrainingState } from '../../core/train/state';
import { describeWriteError } from './diskErrors';

export type CheckpointKind = 'last' | 'best';

/**
 * 2 adds `sampling`: the noise streams (a VAE's; since Dropout, GaussianNoise and RandomMask are
 * seeded, theirs too, in the same list); version 1 checkpoints read without it.
 */
const CHECKPOINT_VERSION = 2;

interface Manifest {
  format: 'bottleneck.checkpoint';
  version: number;
  epoch: number;
  step: number;
  bestValLoss: number | null;
  epochsSinceBest: number;
  weights: { name: string; shape: number[]; offset: number; length: number }[];
  optimizer: { name: string; shape: number[]; offset: number; length: number }[];
  sampling?: NoiseState[];
}

function pack(tensors: SavedTensor[], start: number) {
  let offset = start;
  const entries = tensors.map((t) => {
    const entry = { name: t.name, shape: t.shape, offset, length: t.data.length };
    offset += t.data.length;
    return entry;
  });
  return { entries, end: offset };
}

/**
 * Writes weights and optimizer state as one binary file plus a manifest, into a fresh folder that
 * then replaces the old one, so a crash mid-write leaves the previous checkpoint whole. A write the
 * disk refuses removes the half-written folder (freeing its room for the run's failure to be
 * recorded) and throws naming the checkpoint and the cause.
 */
export function writeCheckpoint(runDir: string, kind: CheckpointKind, state: TrainingState): void {
  const root = join(runDir, 'checkpoints');
  const target = join(root, kind);
  const staging = join(root, `${kind}.tmp`);
  const weights = pack(state.weights, 0);
  const optimizer = pack(state.optimizer, weights.end);
  const all = new Float32Array(optimizer.end);
  for (const [list, entries] of [[state.weights, weights.entries], [state.optimizer, optimizer.entries]] as const) {
    list.forEach((t, i) => all.set(t.data, entries[i]!.offset));
  }
  const manifest: Manifest = {
    format: 'bottleneck.checkpoint',
    version: CHECKPOINT_VERSION,
    epoch: state.epoch,
    step: state.step,
    bestValLoss: Number.isFinite(state.bestValLoss) ? state.bestValLoss : null,
    epochsSinceBest: state.epochsSinceBest,
    weights: weights.entries,
    optimizer: optimizer.entries,
    ...(state.sampling && { sampling: state.sampling }),
  };
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'tensors.bin'), new Uint8Array(all.buffer));
    writeFileSync(join(staging, 'checkpoint.json'), `${JSON.stringify(manifest)}\n`);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`cannot save the ${kind} checkpoint of epoch ${state.epoch}: ${describeWriteError(err)}`);
  }
  const old = join(root, `${kind}.old`);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
}

export function hasCheckpoint(runDir: string, kind: CheckpointKind = 'last'): boolean {
  return existsSync(join(runDir, 'checkpoints', kind, 'checkpoint.json'));
}

const tensorEntry = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
const manifestSchema = z.object({
  format: z.literal('bottleneck.checkpoint'),
  version: z.number().int(),
  epoch: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  bestValLoss: z.number().nullable(),
  epochsSinceBest: z.number().int().nonnegative(),
  weights: z.array(tensorEntry),
  optimizer: z.array(tensorEntry),
  sampling: z.array(z.object({ name: z.string(), calls: z.number().int().nonnegative() })).optional(),
});

/** A checkpoint that cannot be used to continue: the message names the file and what is wrong with it. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(
    readonly file: string,
    readonly fault: string,
  ) {
    super(`cannot continue from ${file}: ${fault}`);
  }
}

/**
 * How far a run's checkpoint got (its manifest only, not the tensors): null when there is none or
 * its manifest cannot be read.
 */
export function checkpointProgress(runDir: string, kind: CheckpointKind = 'last'): { epoch: number; bestValLoss: number | null } | null {
  const dir = join(runDir, 'checkpoints', kind);
  // As readCheckpoint: a crash between the two renames leaves only the old copy.
  const source = existsSync(join(dir, 'checkpoint.json')) ? dir : join(runDir, 'checkpoints', `${kind}.old`);
  const file = join(source, 'checkpoint.json');
  if (!existsSync(file)) return null;
  try {
    const { epoch, bestValLoss } = parseManifest(file);
    return { epoch, bestValLoss };
  } catch {
    return null;
  }
}

/** Why a run's checkpoint cannot be used for anything (exploring, exporting), naming the file. */
export function unreadableCheckpoint(runId: string, kind: CheckpointKind, err: unknown): string {
  const fault = err instanceof CheckpointError ? `${err.file}: ${err.fault}` : (err as Error).message;
  return `the ${kind} checkpoint of run ${runId} cannot be read: ${fault}`;
}

export function readCheckpoint(runDir: string, kind: CheckpointKind = 'last'): TrainingState {
  const dir = join(runDir, 'checkpoints', kind);
  // A crash between the two renames leaves only the old copy: use it.
  const source = existsSync(join(dir, 'checkpoint.json')) ? dir : join(runDir, 'checkpoints', `${kind}.old`);
  const manifestFile = join(source, 'checkpoint.json');
  if (!existsSync(manifestFile)) throw new Error(`no ${kind} checkpoint in ${runDir}: the run has no finished epoch`);
  const manifest = parseManifest(manifestFile);
  const tensorsFile = join(source, 'tensors.bin');
  let bytes: Buffer;
  try {
    bytes = readFileSafe(tensorsFile, READ_LIMITS.tensors);
  } catch (err) {
    throw new CheckpointError(tensorsFile, err instanceof UnreadableFileError ? err.reason : `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const entries = [...manifest.weights, ...manifest.optimizer];
  const floats = entries.reduce((end, e) => Math.max(end, e.offset + e.length), 0);
  // Exactly the tensors the manifest lists: shorter is torn, longer belongs to another manifest.
  if (bytes.byteLength !== floats * 4) {
    throw new CheckpointError(tensorsFile, `${bytes.byteLength.toLocaleString('en')} bytes, but checkpoint.json lists ${(floats * 4).toLocaleString('en')} (${floats.toLocaleString('en')} floats): the file is ${bytes.byteLength < floats * 4 ? 'truncated' : 'not the one written with it'}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const unpack = (list: z.infer<typeof tensorEntry>[]): SavedTensor[] =>
    list.map((e) => {
      const size = e.shape.reduce((a, b) => a * b, 1);
      if (size !== e.length) throw new CheckpointError(manifestFile, `${e.name} has shape [${e.shape.join(', ')}] but ${e.length} values`);
      return { name: e.name, shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
    });
  return {
    epoch: manifest.epoch,
    step: manifest.step,
    bestValLoss: manifest.bestValLoss ?? Infinity,
    epochsSinceBest: manifest.epochsSinceBest,
    weights: unpack(manifest.weights),
    optimizer: unpack(manifest.optimizer),
    ...(manifest.sampling && { sampling: manifest.sampling }),
  };
}

function parseManifest(file: string): Manifest {
  let text: string;
  try {
    text = readTextSafe(file, READ_LIMITS.record);
  } catch (err) {
    throw new CheckpointError(file, err instanceof UnreadableFileError ? err.reason : `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(file, `not valid JSON (${excerpt((err as Error).message, 120)})`);
  }
  const head = value as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== 'bottleneck.checkpoint') throw new CheckpointError(file, 'not a Bottleneck checkpoint');
  if (typeof head.version === 'number' && head.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(file, `written by a newer Bottleneck (checkpoint version ${head.version}; this one reads up to ${CHECKPOINT_VERSION})`);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CheckpointError(file, excerpt(`${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, 200));
  }
  return parsed.data;
}
