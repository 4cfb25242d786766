/** run.json: its schema, its versions and their migration, reading and writing it whole. */
import { join } from 'node:path';
import { describeReadError, readTextSafe, READ_LIMITS } from '../safeRead';
import { z } from 'zod';
import { writeFileAtomic } from '../atomicFile';

export const RUN_FORMAT = 'bottleneck.run';
/** 2: topology, codeSize, totalParams, starred, dataset name and the owning process. Version 1 files read with defaults. */
export const RUN_VERSION = 2;

/** Statuses of a run that some process still owns: it may not be deleted, and is interrupted if its process is gone. */
export const ACTIVE_STATUSES: readonly string[] = ['queued', 'running', 'paused'];

const runFileSchema = z.object({
  format: z.literal(RUN_FORMAT),
  version: z.number().int(),
  id: z.string(),
  name: z.string(),
  status: z.enum(['queued', 'running', 'paused', 'finished', 'stopped', 'failed', 'interrupted']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  config: z.object({ epochs: z.number(), batchSize: z.number(), learningRate: z.number(), seed: z.number(), optimizer: z.string() }).passthrough(),
  dataset: z.object({ id: z.string(), name: z.string().optional() }).passthrough(),
  backend: z
    .object({
      name: z.string(),
      skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
      threads: z.number().int().positive().optional(),
      adapter: z.object({ vendor: z.string(), architecture: z.string(), description: z.string(), fallback: z.boolean() }).optional(),
    })
    .nullable(),
  epochsDone: z.number().int(),
  loss: z.number().nullable(),
  val_loss: z.number().nullable(),
  best_val_loss: z.number().nullable().default(null),
  stoppedEarly: z.boolean().default(false),
  error: z.string().nullable(),
  // Version 2. Absent from version 1 files: the list then derives them from graph.json.
  topology: z.string().optional(),
  codeSize: z.number().nullable().optional(),
  totalParams: z.number().nullable().optional(),
  starred: z.boolean().default(false),
  /** A continued run: the time its earlier sessions trained, and when the current one started (gaps between sessions are not counted). */
  priorMs: z.number().nonnegative().optional(),
  resumedAt: z.string().optional(),
  /** Time the current session spent paused (left out of its duration), and when a pause still going began. */
  pausedMs: z.number().nonnegative().optional(),
  pausedAt: z.string().optional(),
  /** The process that last queued or trained the run: a run another live process owns is not interrupted. */
  owner: z.object({ pid: z.number().int(), host: z.string() }).nullable().default(null),
  /** The experiment (sweep) this run is one of, and which of its planned runs. */
  experiment: z.object({ id: z.string(), index: z.number().int() }).optional(),
});
export type RunFile = z.infer<typeof runFileSchema>;

/** A run folder that cannot be read; `reason` names the file and what is wrong with it. */
export class RunReadError extends Error {
  override name = 'RunReadError';
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`run ${runId}: ${reason}`);
  }
}

/** A zod issue as "path: message", for one-line reasons. */
export function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/** Parses and migrates a run.json's text; faults become a RunReadError with a one-line reason. */
export function parseRunFile(runId: string, text: string): RunFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunReadError(runId, text.trim() === '' ? 'run.json is empty' : `run.json is not valid JSON (${(err as Error).message})`);
  }
  const head = (value ?? {}) as { format?: unknown; version?: unknown };
  if (typeof value !== 'object' || value === null || head.format !== RUN_FORMAT) throw new RunReadError(runId, `run.json is not a Bottleneck run file (format ${JSON.stringify(head.format ?? null)})`);
  if (typeof head.version === 'number' && head.version > RUN_VERSION) {
    throw new RunReadError(runId, `run.json was written by a newer Bottleneck (run format version ${head.version}; this one reads up to ${RUN_VERSION})`);
  }
  const parsed = runFileSchema.safeParse(value);
  if (!parsed.success) throw new RunReadError(runId, `run.json: ${describeIssue(parsed.error.issues[0])}`);
  if (parsed.data.id !== runId) throw new RunReadError(runId, `run.json belongs to run ${parsed.data.id}, not to this folder`);
  return { ...parsed.data, version: RUN_VERSION };
}

/** A run folder's run.json, checked and migrated; throws a RunReadError naming the file and the fault. */
export function readRunFile(dir: string, runId: string): RunFile {
  let text: string;
  try {
    text = readTextSafe(join(dir, 'run.json'), READ_LIMITS.record, 'run.json');
  } catch (err) {
    throw new RunReadError(runId, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'run.json is missing' : describeReadError('run.json', err));
  }
  return parseRunFile(runId, text);
}

/** Replaces run.json through a temp file and a rename (DESIGN.md). */
export function writeRunFile(dir: string, run: RunFile): void {
  writeFileAtomic(join(dir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
}
