import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { BackendInfo, LatentProjection, MetricPoint, ReconstructionGrid, RunDetail, RunStatus, RunSummary } from '../../core/api';
import { parseDatasetId } from '../../core/data/datasetId';
import { parseGraphText, serializeGraph } from '../../core/graph/schema';
import type { GraphDoc } from '../../core/graph/types';
import { analyzeGraph } from '../../core/shapes/infer';
import { decodeProjection, encodeProjection } from '../../core/latent/projectionFile';
import { inputImage, templateOf } from '../../core/templates';
import type { TrainEvent } from '../../core/train/events';
import { appendDurable, writeFileAtomic } from './atomicFile';

export const RUN_FORMAT = 'bottleneck.run';
/** 2: topology, codeSize, totalParams, starred, dataset name and the owning process. Version 1 files read with defaults. */
export const RUN_VERSION = 2;
/** Deleted runs wait here (runs/.trash/<id>) until restored; list() never shows them. */
export const TRASH = '.trash';

const ACTIVE: readonly string[] = ['queued', 'running', 'paused'];

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
  backend: z.object({ name: z.string(), skipped: z.array(z.object({ name: z.string(), reason: z.string() })), threads: z.number().int().positive().optional() }).nullable(),
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
  /** The process that last queued or trained the run: a run another live process owns is not interrupted. */
  owner: z.object({ pid: z.number().int(), host: z.string() }).nullable().default(null),
});
export type RunFile = z.infer<typeof runFileSchema>;

/** yyyymmddThhmmssZ-xxxx: sorts by start time, unique enough for one user's machine. */
export function newRunId(date = new Date(), random = Math.random): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${stamp}-${suffix}`;
}

const RUN_ID = /^[0-9TZ]+-[0-9a-z]+$/;

/** The start time written into a run id (for a damaged folder whose run.json cannot say). */
function startOfId(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : '';
}

type MetricLine = MetricPoint;

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

/** A graph's name for its first run, then "name (2)", "name (3)", …: runs of one graph stay apart in lists and comparisons. */
export function uniqueRunName(graphName: string, taken: string[]): string {
  const names = new Set(taken);
  if (!names.has(graphName)) return graphName;
  let n = 2;
  while (names.has(`${graphName} (${n})`)) n++;
  return `${graphName} (${n})`;
}

/** The template a graph still is, built for its Input's image size, or "custom". */
export function topologyOf(graph: GraphDoc): string {
  const image = inputImage(graph);
  return (image && templateOf(graph, image)) ?? 'custom';
}

/** What the run list shows of a graph, computed once when the run is created. */
export function describeGraph(graph: GraphDoc): { topology: string; codeSize: number | null; totalParams: number | null } {
  const analysis = analyzeGraph(graph);
  return { topology: topologyOf(graph), codeSize: analysis.codeSize, totalParams: analysis.totalParams };
}

/** A readable name for a dataset id before the dataset is loaded (the load then records its own). */
export function datasetNameOf(id: string): string {
  let ref;
  try {
    ref = parseDatasetId(id);
  } catch {
    return id;
  }
  if (ref.kind === 'folder') return basename(ref.path) || id;
  const name = ref.name === 'fashion-mnist' ? 'Fashion-MNIST' : ref.name;
  const subset = [ref.train !== undefined && `train=${ref.train}`, ref.validation !== undefined && `validation=${ref.validation}`].filter(Boolean);
  return subset.length ? `${name} (${subset.join(', ')})` : name;
}

/** Reads metrics.jsonl, skipping lines that are not whole metric records (a torn last line after a crash). */
export function parseMetrics(text: string): { metrics: MetricLine[]; skipped: number } {
  const metrics: MetricLine[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line) as MetricLine;
      if (typeof m !== 'object' || m === null || typeof m.key !== 'string' || typeof m.epoch !== 'number' || typeof m.value !== 'number') throw new Error('not a metric');
      metrics.push({ t: Number(m.t) || 0, epoch: m.epoch, step: Number(m.step) || 0, key: m.key, value: m.value });
    } catch {
      skipped++;
    }
  }
  return { metrics, skipped };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const epochFile = (epoch: number, ext = 'json') => `epoch-${String(epoch).padStart(4, '0')}.${ext}`;
/** A per-epoch file of latent/ or samples/ (JSON, or a binary projection), its epoch in group 1. */
export const EPOCH_FILE = /^epoch-(\d+)\.(json|bin)$/;

/**
 * One folder per run (DESIGN.md): run.json replaced atomically, metrics.jsonl appended and flushed
 * once per epoch, graph.json as trained.
 */
export class RunStore {
  /** Metric lines since the last flush, per run: written at each epoch end and at the run's end. */
  private pending = new Map<string, string[]>();

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  dir(runId: string): string {
    if (!RUN_ID.test(runId)) throw new Error(`not a run id: "${runId}"`);
    return join(this.root, runId);
  }

  get trashDir(): string {
    return join(this.root, TRASH);
  }

  create(runId: string, graph: GraphDoc, datasetId: string, datasetName = datasetNameOf(datasetId)): RunFile {
    const dir = this.dir(runId);
    const name = uniqueRunName(graph.name, this.list().map((r) => r.name));
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    mkdirSync(join(dir, 'latent'), { recursive: true });
    mkdirSync(join(dir, 'samples'), { recursive: true });
    writeFileSync(join(dir, 'graph.json'), serializeGraph(graph));
    writeFileSync(join(dir, 'metrics.jsonl'), '');
    const run: RunFile = {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      id: runId,
      name,
      status: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      config: { ...graph.training },
      dataset: { id: datasetId, name: datasetName },
      backend: null,
      epochsDone: 0,
      loss: null,
      val_loss: null,
      best_val_loss: null,
      stoppedEarly: false,
      error: null,
      ...describeGraph(graph),
      starred: false,
      owner: { pid: process.pid, host: hostname() },
    };
    this.write(run);
    return run;
  }

  /** run.json, checked and migrated; throws a RunReadError naming the file and the fault. */
  read(runId: string): RunFile {
    const file = join(this.dir(runId), 'run.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RunReadError(runId, code === 'ENOENT' ? 'run.json is missing' : `run.json cannot be read (${code ?? (err as Error).message})`);
    }
    return parseRunFile(runId, text);
  }

  write(run: RunFile): void {
    writeFileAtomic(join(this.dir(run.id), 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  }

  update(runId: string, patch: Partial<RunFile>): RunFile {
    const run = { ...this.read(runId), ...patch };
    // JSON cannot hold Infinity: an unknown best loss is null.
    if (run.best_val_loss !== null && !Number.isFinite(run.best_val_loss)) run.best_val_loss = null;
    // Whoever queues, trains or pauses the run owns it until it ends.
    if (patch.status && ACTIVE.includes(patch.status)) run.owner = { pid: process.pid, host: hostname() };
    this.write(run);
    return run;
  }

  /** Records one trainer event: metrics to the log, status and results to run.json. */
  record(event: TrainEvent, backend?: BackendInfo): void {
    const id = event.runId;
    const t = Date.now() / 1000;
    const lines = this.pending.get(id) ?? [];
    this.pending.set(id, lines);
    const push = (m: Omit<MetricLine, 't'>) => lines.push(JSON.stringify({ t, ...m }));
    switch (event.type) {
      case 'dataset-ready': {
        // The full record replaces the id-only one; it keeps a display name either way.
        const before = this.read(id).dataset;
        this.update(id, { dataset: { ...event.dataset, name: event.dataset.name || before.name || datasetNameOf(event.dataset.id) } });
        break;
      }
      case 'run-started':
        this.update(id, {
          status: 'running',
          backend: { ...(backend ?? { name: event.backend, skipped: [] }), threads: event.threads },
          // A continued run's current session starts now, not when it was queued.
          ...(event.startEpoch > 0 && { resumedAt: new Date().toISOString() }),
        });
        break;
      case 'run-paused':
        this.update(id, { status: 'paused' });
        break;
      case 'run-resumed':
        this.update(id, { status: 'running' });
        break;
      case 'batch-end':
        push({ epoch: event.epoch, step: event.step, key: 'loss', value: event.loss });
        break;
      case 'epoch-end': {
        push({ epoch: event.epoch, step: event.step, key: 'epoch_loss', value: event.loss });
        push({ epoch: event.epoch, step: event.step, key: 'val_loss', value: event.val_loss });
        for (const [key, value] of Object.entries(event.metrics)) {
          if (key !== 'loss' && key !== 'val_loss') push({ epoch: event.epoch, step: event.step, key, value });
        }
        push({ epoch: event.epoch, step: event.step, key: 'samples_per_sec', value: event.samplesPerSec });
        this.flush(id);
        const name = epochFile(event.epoch);
        if (event.latent) writeFileSync(join(this.dir(id), 'latent', epochFile(event.epoch, 'bin')), encodeProjection(event.latent));
        if (event.recon) writeFileSync(join(this.dir(id), 'samples', name), JSON.stringify(event.recon));
        this.update(id, { epochsDone: event.epoch, loss: event.loss, val_loss: event.val_loss, best_val_loss: event.best_val_loss });
        break;
      }
      case 'run-finished':
        this.flush(id);
        this.update(id, { status: 'finished', endedAt: new Date().toISOString(), loss: event.loss, val_loss: event.val_loss, best_val_loss: event.best_val_loss, stoppedEarly: event.stoppedEarly });
        break;
      case 'run-stopped':
        this.flush(id);
        this.update(id, { status: 'stopped', endedAt: new Date().toISOString() });
        break;
      case 'run-failed':
        this.flush(id);
        this.update(id, { status: 'failed', endedAt: new Date().toISOString(), error: event.message });
        break;
    }
  }

  private flush(runId: string): void {
    const lines = this.pending.get(runId);
    if (lines?.length) appendDurable(join(this.dir(runId), 'metrics.jsonl'), `${lines.join('\n')}\n`);
    this.pending.delete(runId);
  }

  /**
   * Every run, newest first, from run.json alone (metrics load on demand). Never throws: a folder
   * that cannot be read is listed with `damaged` set to the reason, and the others still load.
   */
  list(): RunSummary[] {
    let entries;
    try {
      entries = readdirSync(this.root, { withFileTypes: true });
    } catch {
      return [];
    }
    const runs: RunSummary[] = [];
    for (const entry of entries) {
      // The trash, temp files and anything that is not named like a run are not runs.
      if (!entry.isDirectory() || !RUN_ID.test(entry.name)) continue;
      runs.push(this.summary(entry.name));
    }
    return runs.sort((a, b) => b.id.localeCompare(a.id));
  }

  /** One run's list entry; a damaged one when its run.json cannot be read. Never throws. */
  summary(runId: string): RunSummary {
    const dir = join(this.root, runId);
    try {
      const file = join(dir, 'run.json');
      const fd = openSync(file, 'r');
      let text: string;
      let mtimeMs: number;
      try {
        const stat = fstatSync(fd);
        mtimeMs = stat.mtimeMs;
        const buffer = Buffer.alloc(stat.size);
        let read = 0;
        while (read < stat.size) {
          const n = readSync(fd, buffer, read, stat.size - read, read);
          if (n === 0) break;
          read += n;
        }
        text = buffer.toString('utf8', 0, read);
      } finally {
        closeSync(fd);
      }
      const run = parseRunFile(runId, text);
      const summary = toSummary(run, mtimeMs);
      if (run.topology === undefined) Object.assign(summary, this.legacyGraphFacts(runId));
      return summary;
    } catch (err) {
      const reason = err instanceof RunReadError ? err.reason : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'run.json is missing' : `run.json cannot be read (${(err as Error).message})`;
      return damagedSummary(runId, reason);
    }
  }

  /** Topology, code size and parameters of a version 1 run, which did not record them. */
  private legacyGraphFacts(runId: string): Partial<RunSummary> {
    try {
      return describeGraph(parseGraphText(readFileSync(join(this.dir(runId), 'graph.json'), 'utf8')));
    } catch (err) {
      return { damaged: `graph.json cannot be read (${(err as Error).message})` };
    }
  }

  /**
   * At start-up: a run still marked queued, running or paused whose process is gone was
   * interrupted. A run owned by another live process on this machine (a CLI training while the
   * app starts) is left alone. A torn last metrics line is closed so appends start on a new line.
   */
  markInterrupted(isLive: (runId: string) => boolean = () => false): string[] {
    const marked: string[] = [];
    for (const summary of this.list()) {
      if (summary.damaged || !ACTIVE.includes(summary.status) || isLive(summary.id)) continue;
      let run: RunFile;
      try {
        run = this.read(summary.id);
      } catch {
        continue;
      }
      const owner = run.owner;
      if (owner && owner.pid !== process.pid && owner.host === hostname() && processAlive(owner.pid)) continue;
      this.closeTornLine(run.id);
      // It ended when it last wrote (an epoch's end), not when this start noticed it.
      this.write({ ...run, status: 'interrupted', endedAt: run.endedAt ?? new Date(this.lastWriteMs(run.id)).toISOString() });
      marked.push(run.id);
    }
    return marked;
  }

  /** The newest write to a run's run.json or metrics.jsonl (epoch ends write both). */
  private lastWriteMs(runId: string): number {
    const times = ['run.json', 'metrics.jsonl'].map((f) => {
      try {
        // Whole milliseconds: file times carry float noise below that (…737.9999 for …738).
        return Math.round(statSync(join(this.dir(runId), f)).mtimeMs);
      } catch {
        return 0;
      }
    });
    return Math.max(...times);
  }

  /**
   * Queues a stopped, failed or interrupted run to train on: the time trained so far is kept, so
   * the run's duration leaves out the gap until it continues.
   */
  reopen(runId: string): void {
    const run = this.read(runId);
    const trained = durationOf(run, this.lastWriteMs(runId)) ?? run.priorMs ?? 0;
    this.update(runId, { status: 'queued', endedAt: null, error: null, priorMs: trained, resumedAt: new Date().toISOString() });
  }

  private closeTornLine(runId: string): void {
    const file = join(this.dir(runId), 'metrics.jsonl');
    try {
      const { size } = statSync(file);
      if (size === 0) return;
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

  metrics(runId: string): MetricLine[] {
    return this.readMetrics(runId).metrics;
  }

  /** Every metric line that can be read, and how many could not (a torn line after a crash). */
  readMetrics(runId: string): { metrics: MetricLine[]; skipped: number } {
    const file = join(this.dir(runId), 'metrics.jsonl');
    if (!existsSync(file)) return { metrics: [], skipped: 0 };
    return parseMetrics(readFileSync(file, 'utf8'));
  }

  /** A run's graph, settings, dataset, metrics, and the epochs with stored projections and grids. */
  detail(runId: string): RunDetail {
    const run = this.read(runId);
    const dir = this.dir(runId);
    let graph: GraphDoc;
    try {
      graph = parseGraphText(readFileSync(join(dir, 'graph.json'), 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RunReadError(runId, code === 'ENOENT' ? 'graph.json is missing' : `graph.json: ${(err as Error).message}`);
    }
    const { metrics, skipped } = this.readMetrics(runId);
    const summary = toSummary(run, run.endedAt ? 0 : statSync(join(dir, 'run.json')).mtimeMs);
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

  latent(runId: string, epoch: number): LatentProjection {
    const rel = `latent/${epochFile(epoch, 'bin')}`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.dir(runId), rel));
    } catch (err) {
      // Runs recorded before projections were binary hold them as JSON.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.epochJson(runId, 'latent', epoch, 'latent projection', latentSchema) as LatentProjection;
      throw new RunReadError(runId, `${rel} cannot be read (${(err as Error).message})`);
    }
    try {
      return decodeProjection(bytes);
    } catch (err) {
      throw new RunReadError(runId, `${rel}: ${(err as Error).message}`);
    }
  }

  samples(runId: string, epoch: number): ReconstructionGrid {
    return this.epochJson(runId, 'samples', epoch, 'reconstruction grid', gridSchema) as ReconstructionGrid;
  }

  private epochJson(runId: string, folder: string, epoch: number, what: string, schema: z.ZodType): unknown {
    const rel = `${folder}/${epochFile(epoch)}`;
    let text: string;
    try {
      text = readFileSync(join(this.dir(runId), folder, epochFile(epoch)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunReadError(runId, `no ${what} for epoch ${epoch} (${rel} not found)`);
      throw new RunReadError(runId, `${rel} cannot be read (${(err as Error).message})`);
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

  /** Renames and/or stars a run. */
  rename(runId: string, patch: { name?: string; starred?: boolean }): RunSummary {
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw new Error(`run ${runId}: a name cannot be empty`);
    const run = this.update(runId, { ...(name !== undefined && { name }), ...(patch.starred !== undefined && { starred: patch.starred }) });
    return toSummary(run, Date.now());
  }

  /**
   * Moves runs into runs/.trash (restore brings them back). All are checked before any moves:
   * a run that is queued, running or paused (`isActive`, or its run.json says so) is refused.
   */
  delete(runIds: string[], isActive: (runId: string) => boolean = () => false): string[] {
    const ids = [...new Set(runIds)];
    for (const id of ids) {
      const dir = this.dir(id);
      if (!existsSync(dir)) throw new Error(`no run ${id}`);
      let status: string | null = null;
      try {
        status = this.read(id).status;
      } catch {
        // A damaged run can always be deleted.
      }
      if (isActive(id) || (status !== null && ACTIVE.includes(status))) throw new Error(`run ${id} is ${status && ACTIVE.includes(status) ? status : 'training'}: stop it before deleting it`);
    }
    mkdirSync(this.trashDir, { recursive: true });
    for (const id of ids) renameSync(this.dir(id), join(this.trashDir, this.freeTrashName(id)));
    return ids;
  }

  /** Brings runs back from the trash (the most recently deleted copy of each). */
  restore(runIds: string[]): string[] {
    const ids = [...new Set(runIds)];
    const found = new Map<string, string>();
    for (const id of ids) {
      if (existsSync(this.dir(id))) throw new Error(`run ${id} already exists: nothing to restore`);
      const name = this.trashNames(id).at(-1);
      if (!name) throw new Error(`run ${id} is not in the trash`);
      found.set(id, name);
    }
    for (const [id, name] of found) renameSync(join(this.trashDir, name), this.dir(id));
    return ids;
  }

  /** Names in the trash for a run, oldest first: <id>, <id>~2, <id>~3, … */
  private trashNames(id: string): string[] {
    let names: string[];
    try {
      names = readdirSync(this.trashDir);
    } catch {
      return [];
    }
    const n = (name: string) => (name === id ? 1 : Number(name.slice(id.length + 1)));
    return names.filter((name) => name === id || (name.startsWith(`${id}~`) && /^\d+$/.test(name.slice(id.length + 1)))).sort((a, b) => n(a) - n(b));
  }

  private freeTrashName(id: string): string {
    const names = this.trashNames(id);
    if (names.length === 0) return id;
    const last = names.at(-1)!;
    return `${id}~${(last === id ? 1 : Number(last.slice(id.length + 1))) + 1}`;
  }
}

const latentSchema = z.object({ method: z.enum(['pca', 'raw']), x: z.array(z.number()), y: z.array(z.number()), labels: z.array(z.number()) }).passthrough();
const gridSchema = z
  .object({ height: z.number(), width: z.number(), channels: z.number(), originals: z.array(z.array(z.number())), reconstructions: z.array(z.array(z.number())), labels: z.array(z.number()) })
  .passthrough();

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
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

function epochsIn(dir: string): number[] {
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

/** "wasm", or "wasm ×2" for a run whose batches were split across two threads. */
export function backendLabel(backend: { name: string; threads?: number }): string {
  return backend.threads && backend.threads > 1 ? `${backend.name} ×${backend.threads}` : backend.name;
}

/**
 * How long a run has trained: its current session (from its start, or from when it was continued,
 * to its end or `lastWriteMs` while it has none) plus its earlier sessions. Null when unknown.
 */
export function durationOf(run: Pick<RunFile, 'startedAt' | 'endedAt' | 'priorMs' | 'resumedAt'>, lastWriteMs: number): number | null {
  const start = Date.parse(run.resumedAt ?? run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : lastWriteMs;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= 0) return null;
  return (run.priorMs ?? 0) + Math.max(0, Math.round(end - start));
}

/** `lastWriteMs`: run.json's mtime, the end of a run that has none yet. */
function toSummary(run: RunFile, lastWriteMs: number): RunSummary {
  return {
    id: run.id,
    name: run.name,
    status: run.status as RunStatus,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: durationOf(run, lastWriteMs),
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
  };
}
