import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { BackendInfo, RunStatus, RunSummary } from '../../core/api';
import { serializeGraph } from '../../core/graph/schema';
import type { GraphDoc } from '../../core/graph/types';
import type { TrainEvent } from '../../core/train/events';
import { appendDurable, writeFileAtomic } from './atomicFile';

export const RUN_FORMAT = 'bottleneck.run';
export const RUN_VERSION = 1;

const runFileSchema = z.object({
  format: z.literal(RUN_FORMAT),
  version: z.number().int(),
  id: z.string(),
  name: z.string(),
  status: z.enum(['queued', 'running', 'paused', 'finished', 'stopped', 'failed', 'interrupted']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  config: z.object({ epochs: z.number(), batchSize: z.number(), learningRate: z.number(), seed: z.number(), optimizer: z.string() }).passthrough(),
  dataset: z.object({ id: z.string() }).passthrough(),
  backend: z.object({ name: z.string(), skipped: z.array(z.object({ name: z.string(), reason: z.string() })) }).nullable(),
  epochsDone: z.number().int(),
  loss: z.number().nullable(),
  val_loss: z.number().nullable(),
  best_val_loss: z.number().nullable().default(null),
  stoppedEarly: z.boolean().default(false),
  error: z.string().nullable(),
});
export type RunFile = z.infer<typeof runFileSchema>;

/** yyyymmddThhmmssZ-xxxx: sorts by start time, unique enough for one user's machine. */
export function newRunId(date = new Date(), random = Math.random): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${stamp}-${suffix}`;
}

interface MetricLine {
  t: number;
  epoch: number;
  step: number;
  key: string;
  value: number;
}

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
    if (!/^[0-9TZ]+-[0-9a-z]+$/.test(runId)) throw new Error(`not a run id: "${runId}"`);
    return join(this.root, runId);
  }

  create(runId: string, graph: GraphDoc, datasetId: string): RunFile {
    const dir = this.dir(runId);
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    mkdirSync(join(dir, 'latent'), { recursive: true });
    mkdirSync(join(dir, 'samples'), { recursive: true });
    writeFileSync(join(dir, 'graph.json'), serializeGraph(graph));
    writeFileSync(join(dir, 'metrics.jsonl'), '');
    const run: RunFile = {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      id: runId,
      name: graph.name,
      status: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      config: { ...graph.training },
      dataset: { id: datasetId },
      backend: null,
      epochsDone: 0,
      loss: null,
      val_loss: null,
      best_val_loss: null,
      stoppedEarly: false,
      error: null,
    };
    this.write(run);
    return run;
  }

  read(runId: string): RunFile {
    const file = join(this.dir(runId), 'run.json');
    const parsed = runFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  write(run: RunFile): void {
    writeFileAtomic(join(this.dir(run.id), 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  }

  update(runId: string, patch: Partial<RunFile>): RunFile {
    const run = { ...this.read(runId), ...patch };
    // JSON cannot hold Infinity: an unknown best loss is null.
    if (run.best_val_loss !== null && !Number.isFinite(run.best_val_loss)) run.best_val_loss = null;
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
      case 'dataset-ready':
        this.update(id, { dataset: { ...event.dataset } });
        break;
      case 'run-started':
        this.update(id, { status: 'running', backend: backend ?? { name: event.backend, skipped: [] } });
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
        const name = `epoch-${String(event.epoch).padStart(4, '0')}`;
        if (event.latent) writeFileSync(join(this.dir(id), 'latent', `${name}.json`), JSON.stringify(event.latent));
        if (event.recon) writeFileSync(join(this.dir(id), 'samples', `${name}.json`), JSON.stringify(event.recon));
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

  /** Reads every run.json; a damaged folder is reported in the list, never thrown. */
  list(): RunSummary[] {
    if (!existsSync(this.root)) return [];
    const runs: RunSummary[] = [];
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        runs.push(toSummary(this.read(entry.name)));
      } catch (err) {
        runs.push({
          id: entry.name,
          name: entry.name,
          status: 'failed',
          startedAt: '',
          endedAt: null,
          datasetId: '',
          backend: null,
          epochsDone: 0,
          epochs: 0,
          best_val_loss: null,
          loss: null,
          val_loss: null,
          error: `damaged run folder: ${(err as Error).message}`,
        });
      }
    }
    return runs.sort((a, b) => b.id.localeCompare(a.id));
  }

  /** At start-up: a run still marked running or paused has no live trainer, so it was interrupted. */
  markInterrupted(isLive: (runId: string) => boolean = () => false): string[] {
    const marked: string[] = [];
    for (const run of this.list()) {
      if ((run.status === 'running' || run.status === 'paused' || run.status === 'queued') && !isLive(run.id)) {
        this.update(run.id, { status: 'interrupted', endedAt: run.endedAt ?? new Date().toISOString() });
        marked.push(run.id);
      }
    }
    return marked;
  }

  metrics(runId: string): MetricLine[] {
    const text = readFileSync(join(this.dir(runId), 'metrics.jsonl'), 'utf8');
    const out: MetricLine[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as MetricLine);
      } catch {
        // A torn last line from a crash mid-write: everything before it is intact.
      }
    }
    return out;
  }
}

function toSummary(run: RunFile): RunSummary {
  return {
    id: run.id,
    name: run.name,
    status: run.status as RunStatus,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    datasetId: run.dataset.id,
    backend: run.backend?.name ?? null,
    epochsDone: run.epochsDone,
    epochs: run.config.epochs,
    loss: run.loss,
    val_loss: run.val_loss,
    best_val_loss: run.best_val_loss,
    error: run.error,
  };
}
