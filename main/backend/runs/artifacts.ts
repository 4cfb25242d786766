/** A run's files besides run.json: metrics.jsonl, and the per-epoch latent/ projections and samples/ grids. */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { describeReadError, readFileSafe, readTextSafe, READ_LIMITS } from '../safeRead';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { LatentProjection, MetricPoint, ReconstructionGrid } from '../../../core/api';
import { decodeProjection, encodeProjection } from '../../../core/latent/projectionFile';
import type { EpochEndEvent } from '../../../core/train/events';
import { appendDurable, writeFileAtomic } from '../atomicFile';
import { describeIssue, RunReadError } from './format';

export const METRICS_FILE = 'metrics.jsonl';

const epochFile = (epoch: number, ext = 'json') => `epoch-${String(epoch).padStart(4, '0')}.${ext}`;
/** A per-epoch file of latent/ or samples/ (JSON, or a binary projection), its epoch in group 1. */
export const EPOCH_FILE = /^epoch-(\d+)\.(json|bin)$/;

/** Reads metrics.jsonl, skipping lines that are not whole metric records (a torn last line after a crash). */
export function parseMetrics(text: string): { metrics: MetricPoint[]; skipped: number } {
  const metrics: MetricPoint[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line) as MetricPoint;
      if (typeof m !== 'object' || m === null || typeof m.key !== 'string' || typeof m.epoch !== 'number' || typeof m.value !== 'number') throw new Error('not a metric');
      metrics.push({ t: Number(m.t) || 0, epoch: m.epoch, step: Number(m.step) || 0, key: m.key, value: m.value });
    } catch {
      skipped++;
    }
  }
  return { metrics, skipped };
}

/** Every metric line of a run folder that can be read, and how many could not; a file that cannot be read is a RunReadError naming it. */
export function readMetrics(dir: string): { metrics: MetricPoint[]; skipped: number } {
  let text: string;
  try {
    text = readTextSafe(join(dir, METRICS_FILE), READ_LIMITS.metrics, METRICS_FILE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { metrics: [], skipped: 0 };
    throw new RunReadError(basename(dir), describeReadError(METRICS_FILE, err));
  }
  return parseMetrics(text);
}

/** Appends metric lines and flushes them to disk. */
export function appendMetrics(dir: string, lines: string[]): void {
  if (lines.length) appendDurable(join(dir, METRICS_FILE), `${lines.join('\n')}\n`);
}

/** Ends a torn last metrics line (a crash mid-append), so lines appended later stay readable. */
export function closeTornMetricsLine(dir: string): void {
  const file = join(dir, METRICS_FILE);
  try {
    const stat = statSync(file);
    // Only a regular file with something in it (a FIFO would block the open below).
    if (!stat.isFile() || stat.size === 0) return;
    const size = stat.size;
    const fd = openSync(file, 'r');
    const last = Buffer.alloc(1);
    try {
      readSync(fd, last, 0, 1, size - 1);
    } finally {
      closeSync(fd);
    }
    if (last[0] !== 0x0a) appendDurable(file, '\n');
  } catch {
    // No metrics yet: nothing to close.
  }
}

/**
 * An epoch's projection (binary) and reconstruction grid, when the epoch refreshed them. Each whole
 * or not at all: a full disk leaves no half file that would read as damaged.
 */
export function writeEpochArtifacts(dir: string, event: Pick<EpochEndEvent, 'epoch' | 'latent' | 'recon'>): void {
  if (event.latent) writeFileAtomic(join(dir, 'latent', epochFile(event.epoch, 'bin')), encodeProjection(event.latent));
  if (event.recon) writeFileAtomic(join(dir, 'samples', epochFile(event.epoch)), JSON.stringify(event.recon));
}

/** The epochs with a file in latent/ or samples/, ascending. */
export function epochsIn(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => EPOCH_FILE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((epoch, i, all) => all.indexOf(epoch) === i)
    .sort((a, b) => a - b);
}

const latentSchema = z.object({ method: z.enum(['pca', 'raw']), x: z.array(z.number()), y: z.array(z.number()), labels: z.array(z.number()) }).passthrough();
const gridSchema = z
  .object({
    height: z.number(),
    width: z.number(),
    channels: z.number(),
    originals: z.array(z.array(z.number())),
    reconstructions: z.array(z.array(z.number())),
    labels: z.array(z.number()),
    // Grids of models with a corrupted input (since issue 16); absent in older ones.
    corrupted: z.array(z.array(z.number())).optional(),
    // Runs that augment (since issue 25): the training images as the model saw them.
    augmented: z.array(z.array(z.number())).optional(),
  })
  .passthrough();

export function readLatent(dir: string, runId: string, epoch: number): LatentProjection {
  const rel = `latent/${epochFile(epoch, 'bin')}`;
  let bytes: Buffer;
  try {
    bytes = readFileSafe(join(dir, rel), READ_LIMITS.epochArtifact, rel);
  } catch (err) {
    // Runs recorded before projections were binary hold them as JSON.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return epochJson(dir, runId, 'latent', epoch, 'latent projection', latentSchema) as LatentProjection;
    throw new RunReadError(runId, describeReadError(rel, err));
  }
  try {
    return decodeProjection(bytes);
  } catch (err) {
    throw new RunReadError(runId, `${rel}: ${(err as Error).message}`);
  }
}

export function readSamples(dir: string, runId: string, epoch: number): ReconstructionGrid {
  return epochJson(dir, runId, 'samples', epoch, 'reconstruction grid', gridSchema) as ReconstructionGrid;
}

function epochJson(dir: string, runId: string, folder: string, epoch: number, what: string, schema: z.ZodType): unknown {
  const rel = `${folder}/${epochFile(epoch)}`;
  let text: string;
  try {
    text = readTextSafe(join(dir, folder, epochFile(epoch)), READ_LIMITS.epochArtifact, rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunReadError(runId, `no ${what} for epoch ${epoch} (${rel} not found)`);
    throw new RunReadError(runId, describeReadError(rel, err));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunReadError(runId, `${rel} is not valid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RunReadError(runId, `${rel} is not a ${what}: ${describeIssue(parsed.error.issues[0])}`);
  return parsed.data;
}
