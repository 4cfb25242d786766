/**
 * One folder per run (DESIGN.md): run.json replaced atomically, metrics.jsonl appended and flushed
 * once per epoch, graph.json as trained. The facade the backend uses; each job lives in its own
 * module beside this one (format, naming, eventWriter, listing, artifacts, interrupted, trash).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BackendInfo, LatentProjection, MetricPoint, ReconstructionGrid, RunDetail, RunSummary } from '../../../core/api';
import { serializeGraph } from '../../../core/graph/schema';
import { excerpt } from '../../../core/limits';
import type { GraphDoc } from '../../../core/graph/types';
import type { TrainEvent } from '../../../core/train/events';
import { makeDirs } from '../atomicFile';
import { describeWriteError } from '../diskErrors';
import { METRICS_FILE, readLatent, readMetrics, readSamples } from './artifacts';
import { RunEventWriter } from './eventWriter';
import { ACTIVE_STATUSES, readRunFile, RUN_FORMAT, RUN_VERSION, writeRunFile, type RunFile } from './format';
import { markInterrupted } from './interrupted';
import { reconcileWithCheckpoint } from './reconcile';
import { durationOf, lastWriteMs, listRuns, runDetail, summarizeRun, toSummary } from './listing';
import { datasetNameOf, describeGraph, isRunId, uniqueRunName } from './naming';
import { readNotes, writeNotes } from './notes';
import { emptyTrash, inTrash, moveToTrash, restoreFromTrash, TRASH, trashUsage } from './trash';

export class RunStore {
  private readonly writer = new RunEventWriter(this);

  constructor(readonly root: string) {
    try {
      makeDirs(root);
    } catch (err) {
      // The code stays: callers (the CLI) tell the file system's refusals from faults by it.
      throw Object.assign(new Error(`cannot make the runs folder ${excerpt(root, 200)}: ${describeWriteError(err)}`), { code: (err as NodeJS.ErrnoException).code });
    }
  }

  dir(runId: string): string {
    if (!isRunId(runId)) throw new Error(`not a run id: "${excerpt(runId)}"`);
    return join(this.root, runId);
  }

  get trashDir(): string {
    return join(this.root, TRASH);
  }

  /** Deleted: its folder waits in the trash. */
  isDeleted(runId: string): boolean {
    return inTrash(this.trashDir, runId);
  }

  /**
   * Makes a run's folder. Everything is prepared before the folder exists, and a write that fails
   * takes the folder away again: a refused or failed start leaves no orphan listed as damaged.
   */
  create(runId: string, graph: GraphDoc, datasetId: string, datasetName = datasetNameOf(datasetId), experiment?: { id: string; index: number }): RunFile {
    const dir = this.dir(runId);
    const name = uniqueRunName(graph.name, this.list().map((r) => r.name));
    const graphText = serializeGraph(graph);
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
      ...(experiment && { experiment }),
    };
    try {
      for (const sub of ['checkpoints', 'latent', 'samples']) mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, 'graph.json'), graphText);
      writeFileSync(join(dir, METRICS_FILE), '');
      this.write(run);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return run;
  }

  /** run.json, checked and migrated; throws a RunReadError naming the file and the fault. */
  read(runId: string): RunFile {
    return readRunFile(this.dir(runId), runId);
  }

  write(run: RunFile): void {
    writeRunFile(this.dir(run.id), run);
  }

  update(runId: string, patch: Partial<RunFile>): RunFile {
    const run = { ...this.read(runId), ...patch };
    // JSON cannot hold Infinity: an unknown best loss is null.
    if (run.best_val_loss !== null && !Number.isFinite(run.best_val_loss)) run.best_val_loss = null;
    // Whoever queues, trains or pauses the run owns it until it ends.
    if (patch.status && ACTIVE_STATUSES.includes(patch.status)) run.owner = { pid: process.pid, host: hostname() };
    this.write(run);
    return run;
  }

  /** Records one trainer event: metrics to the log, status and results to run.json. */
  record(event: TrainEvent, backend?: BackendInfo): void {
    this.writer.record(event, backend);
  }

  /** Every run, newest first; a folder that cannot be read is listed with `damaged` set to the reason. Never throws. */
  list(): RunSummary[] {
    return listRuns(this.root);
  }

  /** One run's list entry; a damaged one when its run.json cannot be read. Never throws. */
  summary(runId: string): RunSummary {
    return summarizeRun(this.root, runId);
  }

  /** At start-up: runs left active by a process that is gone become interrupted (see interrupted.ts). */
  markInterrupted(isLive: (runId: string) => boolean = () => false): string[] {
    return markInterrupted(this.root, (id) => this.dir(id), isLive);
  }

  /** Brings run.json up to the run's last checkpoint when it is behind it (see reconcile.ts); returns the record. */
  reconcile(runId: string): RunFile {
    const run = this.read(runId);
    const reconciled = reconcileWithCheckpoint(this.dir(runId), run);
    if (!reconciled) return run;
    this.write(reconciled);
    return reconciled;
  }

  /**
   * Queues a stopped, failed or interrupted run to train on: the time trained so far is kept, so
   * the run's duration leaves out the gap until it continues.
   */
  reopen(runId: string): void {
    const run = this.read(runId);
    const trained = durationOf(run, () => lastWriteMs(this.dir(runId))) ?? run.priorMs ?? 0;
    this.update(runId, { status: 'queued', endedAt: null, error: null, priorMs: trained, resumedAt: new Date().toISOString(), pausedMs: 0, pausedAt: undefined });
  }

  metrics(runId: string): MetricPoint[] {
    return this.readMetrics(runId).metrics;
  }

  /** Every metric line that can be read, and how many could not (a torn line after a crash). */
  readMetrics(runId: string): { metrics: MetricPoint[]; skipped: number } {
    return readMetrics(this.dir(runId));
  }

  /** A run's graph, settings, dataset, metrics, and the epochs with stored projections and grids. */
  detail(runId: string): RunDetail {
    return runDetail(this.dir(runId), runId);
  }

  latent(runId: string, epoch: number): LatentProjection {
    return readLatent(this.dir(runId), runId, epoch);
  }

  samples(runId: string, epoch: number): ReconstructionGrid {
    return readSamples(this.dir(runId), runId, epoch);
  }

  /** Renames and/or stars a run. */
  rename(runId: string, patch: { name?: string; starred?: boolean }): RunSummary {
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw new Error(`run ${runId}: a name cannot be empty`);
    const run = this.update(runId, { ...(name !== undefined && { name }), ...(patch.starred !== undefined && { starred: patch.starred }) });
    return toSummary(run, this.dir(runId));
  }

  /**
   * Replaces a run's note and/or tags (what the patch leaves out stays). A notes.json that cannot
   * be read is replaced: its reason was shown with the run, and the user wrote what it now holds.
   */
  annotate(runId: string, patch: { note?: string; tags?: string[] }): RunSummary {
    const run = this.read(runId);
    const dir = this.dir(runId);
    const before = readNotes(dir);
    writeNotes(dir, { note: patch.note ?? before.note, tags: patch.tags ?? before.tags });
    return toSummary(run, dir);
  }

  /**
   * Moves runs into runs/.trash (restore brings them back). All are checked before any moves:
   * a run that is queued, running or paused (`isActive`, or its run.json says so) is refused.
   */
  delete(runIds: string[], isActive: (runId: string) => boolean = () => false): string[] {
    return moveToTrash(this.trashDir, [...new Set(runIds)], (id) => this.dir(id), (id) => {
      let status: string | null = null;
      try {
        status = this.read(id).status;
      } catch {
        // A damaged run can always be deleted.
      }
      const active = status !== null && ACTIVE_STATUSES.includes(status);
      return isActive(id) || active ? `run ${id} is ${active ? status : 'training'}: stop it before deleting it` : null;
    });
  }

  /** Brings runs back from the trash (the most recently deleted copy of each). */
  restore(runIds: string[]): string[] {
    return restoreFromTrash(this.trashDir, [...new Set(runIds)], (id) => this.dir(id));
  }

  /** How many deleted runs wait in the trash and the bytes they take. */
  trashUsage(): { runs: number; bytes: number } {
    return trashUsage(this.trashDir);
  }

  /** Deletes the trash's runs for good (they can no longer be restored); says what was removed. */
  emptyTrash(): { runs: number; bytes: number } {
    return emptyTrash(this.trashDir);
  }
}
