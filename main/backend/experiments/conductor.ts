/**
 * Trains an experiment's runs one after another through the backend's run queue: each planned run
 * becomes a normal run (tagged with the experiment), started when the one before it ends. Stop ends
 * the experiment; an experiment whose process died is resumed at the next start, its finished runs kept.
 */
import { hostname } from 'node:os';
import type { ApiEvent, ExperimentDetail, ExperimentPreview, ExperimentRequest, ExperimentRunRow, ExperimentSummary, RunSummary } from '../../../core/api';
import { configOf, describeRun, planExperiment, type ExperimentPlan } from '../../../core/experiments/plan';
import { excerpt, MAX_NAME_LENGTH } from '../../../core/limits';
import { formatDuration } from '../../../core/format';
import type { GraphDoc } from '../../../core/graph/types';
import type { TrainEvent } from '../../../core/train/events';
import { hasCheckpoint } from '../checkpoints';
import { ACTIVE_STATUSES } from '../runs/format';
import { processAlive } from '../runs/interrupted';
import type { RunStore } from '../runs/store';
import type { ExperimentFile, ExperimentStore } from './store';

/** Which run of which experiment a run is. */
export interface ExperimentTag {
  id: string;
  index: number;
}

/** What the conductor needs of the backend. */
export interface ExperimentHost {
  runs: RunStore;
  /** Checks and queues a run like train:start; `onCreated` hears its id before it can train. */
  start(graph: GraphDoc, datasetId: string, tag: ExperimentTag, onCreated: (runId: string) => void): Promise<unknown>;
  continueRun(runId: string): Promise<unknown>;
  /** Stops a queued or training run; false when it is neither here. */
  stop(runId: string): Promise<boolean>;
  broadcast(event: ApiEvent): void;
  /** The class names of a dataset, where known without scanning (for data.classes by name). */
  classNames(datasetId: string): string[] | undefined;
}

export class Experiments {
  /** Runs this process started for an experiment, and the experiment each belongs to. */
  private readonly active = new Map<string, string>();

  constructor(
    readonly store: ExperimentStore,
    private readonly host: ExperimentHost,
  ) {}

  /** The plan and a time estimate; throws an ExperimentSpecError naming the setting at fault. */
  preview(request: ExperimentRequest): ExperimentPreview {
    const plan = this.plan(request);
    const speed = this.lastSpeed();
    const epochs = plan.runs.reduce((sum, run) => sum + configOf(request.graph, request.datasetId, run).graph.training.epochs, 0);
    return {
      ...plan,
      estimateMs: speed ? Math.round(speed.msPerEpoch * epochs) : null,
      estimateBasis: speed ? `from run ${speed.name} at ${formatDuration(speed.msPerEpoch)} per epoch` : null,
    };
  }

  async create(request: ExperimentRequest): Promise<ExperimentSummary> {
    const plan = this.plan(request);
    const name = request.name ?? `Sweep of ${plan.settings.map((s) => s.path).join(', ')}`;
    const file = this.store.create(plan, request.graph, request.datasetId, excerpt(name, MAX_NAME_LENGTH), request.random ?? null);
    this.changed(file.id);
    await this.advance(file.id);
    return this.summary(this.store.read(file.id));
  }

  list(): ExperimentSummary[] {
    return this.store.list().map((f) => this.summary(f));
  }

  detail(id: string): ExperimentDetail {
    const file = this.store.read(id);
    const rows: ExperimentRunRow[] = file.runs.map((r) => ({ index: r.index, values: r.values, runId: r.runId, run: r.runId ? this.runSummary(r.runId) : null }));
    return { summary: this.summary(file, rows), runs: rows };
  }

  /** Ends the experiment: its run in the queue or training stops, the runs not started never do. */
  async stop(id: string): Promise<ExperimentSummary> {
    const file = this.store.read(id);
    if (file.status !== 'running') throw new Error(`experiment ${id} is ${file.status}: nothing to stop`);
    const ended = this.end(id, 'stopped');
    for (const [runId, experimentId] of this.active) if (experimentId === id) await this.host.stop(runId);
    return this.summary(ended);
  }

  /** Every run's end, from the backend: the experiment moves to its next run, or ends when the run was stopped. */
  async onRunEnded(event: TrainEvent): Promise<void> {
    const id = this.active.get(event.runId);
    if (!id) return;
    this.active.delete(event.runId);
    try {
      const file = this.store.read(id);
      if (file.status !== 'running') return;
      // Stopping one of its runs stops the experiment (the dashboard's Stop means "stop this").
      if (event.type === 'run-stopped') this.end(id, 'stopped');
      else await this.advance(id);
    } catch {
      // The experiment's folder cannot be read or written: it stays as it was on disk, to be resumed at the next start.
    }
  }

  /**
   * At start-up: experiments still running whose process is gone carry on from where they were. A
   * run cut off mid-way continues from its last finished epoch (or starts again when it had none);
   * runs that ended are kept as they are. Returns the ids resumed.
   */
  async resumeInterrupted(): Promise<string[]> {
    const resumed: string[] = [];
    for (const file of this.store.list()) {
      if (file.status !== 'running' || this.ownedElsewhere(file)) continue;
      await this.carryOn(file);
      resumed.push(file.id);
    }
    return resumed;
  }

  /** Resumes one experiment by hand (`bottleneck sweep --resume`): one cut off by a crash, or one stopped. */
  async resume(id: string): Promise<ExperimentSummary> {
    const file = this.store.read(id);
    if (file.status === 'finished') throw new Error(`experiment ${id} has finished: nothing to resume`);
    if (file.status === 'running' && this.ownedElsewhere(file)) throw new Error(`experiment ${id} is running in process ${file.owner!.pid}: stop it there first`);
    await this.carryOn(this.store.update(id, () => ({ status: 'running', endedAt: null, error: null })));
    return this.summary(this.store.read(id));
  }

  private async carryOn(file: ExperimentFile): Promise<void> {
    this.store.update(file.id, () => ({ owner: { pid: process.pid, host: hostname() } }));
    const cut = file.runs.find((r) => r.runId !== null && this.wasCutOff(r.runId));
    if (cut?.runId) {
      if (hasCheckpoint(this.host.runs.dir(cut.runId))) {
        this.active.set(cut.runId, file.id);
        try {
          await this.host.continueRun(cut.runId);
          this.changed(file.id);
          return;
        } catch {
          this.active.delete(cut.runId);
        }
      }
      // Nothing to continue from: the planned run starts afresh (the cut-off folder stays, as any interrupted run does).
      this.store.update(file.id, (f) => ({ runs: f.runs.map((r) => (r.index === cut.index ? { ...r, runId: null } : r)) }));
    }
    await this.advance(file.id);
  }

  private plan(request: ExperimentRequest): ExperimentPlan {
    const classNames = this.host.classNames(request.datasetId);
    return planExperiment(request.graph, request.datasetId, { vary: request.vary, ...(request.random && { random: request.random }) }, classNames ? { classNames } : {});
  }

  /** Starts the next planned run, or ends the experiment when none is left. */
  private async advance(id: string): Promise<void> {
    const file = this.store.read(id);
    if (file.status !== 'running') return;
    const next = file.runs.find((r) => r.runId === null);
    if (!next) {
      this.end(id, 'finished');
      return;
    }
    const base = this.store.graph(id);
    const config = configOf(base, file.datasetId, next);
    const graph = { ...config.graph, name: excerpt(`${base.name} · ${describeRun(next)}`, MAX_NAME_LENGTH) };
    try {
      await this.host.start(graph, config.datasetId, { id, index: next.index }, (runId) => {
        this.active.set(runId, id);
        this.store.update(id, (f) => ({ runs: f.runs.map((r) => (r.index === next.index ? { ...r, runId } : r)) }));
      });
      this.changed(id);
    } catch (err) {
      // A run refused before it had a folder (the memory check, the dataset): the experiment says why and stops.
      this.end(id, 'stopped', `run ${next.index + 1} (${describeRun(next)}) could not start: ${(err as Error).message}`);
    }
  }

  private end(id: string, status: 'finished' | 'stopped', error?: string): ExperimentFile {
    const file = this.store.update(id, () => ({ status, endedAt: new Date().toISOString(), owner: null, ...(error && { error }) }));
    this.changed(id);
    return file;
  }

  private changed(experimentId: string): void {
    this.host.broadcast({ type: 'experiment-changed', experimentId });
  }

  private ownedElsewhere(file: ExperimentFile): boolean {
    const owner = file.owner;
    return owner !== null && owner.pid !== process.pid && owner.host === hostname() && processAlive(owner.pid);
  }

  /** A run that did not train to its end: cut off by a crash (marked interrupted at start-up), or stopped with its experiment. */
  private wasCutOff(runId: string): boolean {
    const run = this.runSummary(runId);
    return run !== null && (run.status === 'interrupted' || run.status === 'stopped' || ACTIVE_STATUSES.includes(run.status));
  }

  private runSummary(runId: string): RunSummary | null {
    try {
      const summary = this.host.runs.summary(runId);
      return summary.damaged ? null : summary;
    } catch {
      return null;
    }
  }

  private summary(file: ExperimentFile, rows?: ExperimentRunRow[]): ExperimentSummary {
    const runs = rows?.map((r) => r.run) ?? file.runs.map((r) => (r.runId ? this.runSummary(r.runId) : null));
    const activeRun = runs.find((r) => r !== null && ACTIVE_STATUSES.includes(r.status));
    return {
      id: file.id,
      name: file.name,
      status: file.status,
      createdAt: file.createdAt,
      endedAt: file.endedAt,
      datasetId: file.datasetId,
      settings: file.settings,
      random: file.random,
      runCount: file.runs.length,
      doneCount: runs.filter((r) => r !== null && !ACTIVE_STATUSES.includes(r.status)).length,
      activeRunId: activeRun?.id ?? null,
      error: file.error ?? null,
    };
  }

  /** The last finished run's time per epoch, for estimates. */
  private lastSpeed(): { msPerEpoch: number; name: string } | null {
    const last = this.host.runs
      .list()
      .filter((r) => r.status === 'finished' && r.epochsDone > 0 && r.durationMs && r.endedAt)
      .sort((a, b) => (a.endedAt! < b.endedAt! ? 1 : -1))[0];
    return last ? { msPerEpoch: last.durationMs! / last.epochsDone, name: last.name } : null;
  }
}
