import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { ApiEvent, AppInfo, BottleneckApi, Channel, Channels, ModelRef, OneClassResult, Place, RequestOf, ResponseOf, TrainStartResult } from '../../core/api';
import { parseRequest } from '../../core/apiSchema';
import { ApiError } from '../../core/apiChannels';
import { parseDatasetId } from '../../core/data/datasetId';
import { serializeGraph } from '../../core/graph/schema';
import { readRunGraph } from './runs/runGraph';
import type { GraphDoc } from '../../core/graph/types';
import { analyzeGraph, firstError } from '../../core/shapes/infer';
import { planModel } from '../../core/compile/plan';
import { buildStepModel } from '../../core/compile/stepModel';
import { estimateTrainingMemory, memoryLimit, memoryRefusal } from '../../core/shapes/memory';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { continuedTraining } from '../../core/train/schedule';
import { hasCheckpoint } from './checkpoints';
import { describeWriteError, isDiskError } from './diskErrors';
import { checkDatasetId, listDatasets } from './datasets';
import { browseFolder, summarizeFolder } from './folderBrowser';
import { GraphFiles } from './graphFiles';
import { LatentMaps } from './latentMaps';
import { ModelHost } from './modelHost';
import { ModelError, type ModelSource } from './modelProtocol';
import { modelPreprocessing, prepareImage } from './prepareImage';
import { appRoot, runsDir, workspaceDir } from './paths';
import { exportModel, freeExportDir } from './export/exportModel';
import { makeDirs, writeFileAtomic } from './atomicFile';
import { newRunId } from './runs/naming';
import { ACTIVE_STATUSES } from './runs/format';
import { RunStore } from './runs/store';
import { Settings } from './settings';
import { TrainerHost, type TrainJob } from './trainerHost';
import { Experiments, type ExperimentTag } from './experiments/conductor';
import { ExperimentStore } from './experiments/store';
import { oneClassStudyOf } from './experiments/oneClass';

type Handlers = { [C in Channel]: (request: Channels[C][0]) => Promise<Channels[C][1]> };

/** Native file dialogs, provided by the desktop shell; absent in browser mode and the CLI. */
export interface NativeDialogs {
  openGraph(): Promise<string | null>;
  saveGraph(suggestedName: string): Promise<string | null>;
  openFolder(): Promise<string | null>;
}

/** The desktop shell's menu bar, which follows the window's enabled commands; absent in browser mode and the CLI. */
export interface NativeMenu {
  setEnabled(enabled: Record<string, boolean>): void;
}

/** Opens a file or folder with the system's own application (the desktop shell's shell.openPath). */
export type OpenWithSystem = (path: string) => Promise<void>;

export interface BackendOptions {
  shell: AppInfo['shell'];
  runsRoot?: string;
  /** Where experiments are kept (default: the workspace's experiments folder; inside runsRoot when only that is given, as tests do). */
  experimentsRoot?: string;
  graphsRoot?: string;
  /** The workspace's settings.json (default: in the workspace folder). */
  settingsPath?: string;
  dialogs?: NativeDialogs;
  menu?: NativeMenu;
  /** The desktop shell opens the Help menu's places; browser mode and the CLI only say where they are. */
  openWithSystem?: OpenWithSystem;
  /** The machine's memory in bytes (os.totalmem() unless a test gives another). */
  totalMemory?: () => number;
  /** The model cache's bound in bytes (default: modelCacheBytes()). */
  modelCacheBytes?: number;
}

/**
 * The one implementation of the contract. Adapters (IPC, WebSocket, CLI) call `invoke` with
 * untrusted input; it is validated here before any handler runs. One run trains at a time;
 * later ones wait in a queue and start in order.
 */
export class BottleneckBackend implements BottleneckApi {
  readonly runs: RunStore;
  readonly trainer: TrainerHost;
  readonly graphs: GraphFiles;
  readonly settings: Settings;
  /** The model cache's inference worker (DESIGN.md: a run's checkpoint loaded once, encode / decode / sample here). */
  readonly models: ModelHost;
  readonly experiments: Experiments;
  private readonly maps: LatentMaps;
  private listeners = new Set<(event: ApiEvent) => void>();
  private readonly handlers: Handlers;
  private readonly queue: TrainJob[] = [];
  /** Runs whose events could not be recorded: failed already, their trainer stopping. */
  private readonly unrecordable = new Set<string>();
  private scanning: { controller: AbortController; jobId?: string } | null = null;
  /** Long jobs of this thread (exports), by the caller's job id. */
  private readonly mainThreadJobs = new Map<string, AbortController>();

  constructor(private readonly options: BackendOptions) {
    this.runs = new RunStore(options.runsRoot ?? runsDir());
    this.runs.markInterrupted();
    this.settings = new Settings(options.settingsPath ?? join(workspaceDir(), 'settings.json'));
    this.trainer = new TrainerHost(this.settings.backendPreference);
    this.trainer.onBackend((backend) => this.broadcast({ type: 'backend-ready', backend }));
    this.graphs = new GraphFiles(options.graphsRoot ?? join(workspaceDir(), 'graphs'));
    this.models = new ModelHost(options.modelCacheBytes);
    this.maps = new LatentMaps(this.models, (event) => this.broadcast(event));
    const dialogs = () => {
      if (!options.dialogs) throw new Error('native dialogs exist only in the desktop app');
      return options.dialogs;
    };
    // A path the user picked in a native dialog becomes readable and writable, and only such paths.
    const chosen = (path: string | null) => {
      if (path) this.graphs.allow(path);
      return { path };
    };
    this.trainer.onEvent((event) => this.onTrainerEvent(event));
    this.experiments = new Experiments(new ExperimentStore(options.experimentsRoot ?? (options.runsRoot ? join(options.runsRoot, 'experiments') : join(workspaceDir(), 'experiments'))), {
      runs: this.runs,
      start: (graph, datasetId, tag, onCreated) => this.startTraining(graph, datasetId, tag, onCreated),
      continueRun: (runId) => this.continueRun(runId),
      stop: async (runId) => this.stopRun(runId),
      broadcast: (event) => this.broadcast(event),
      classNames: (datasetId) => builtinClassNames(datasetId),
    });
    this.handlers = {
      'app:info': async () => ({
        version: appVersion(),
        shell: this.options.shell,
        backend: this.trainer.backend,
        backendPreference: this.settings.backendPreference,
        datasets: listDatasets(),
        workspace: workspaceDir(),
        places: places(),
        totalMemory: this.options.totalMemory?.() ?? totalmem(),
      }),
      'train:start': async ({ graph, datasetId }) => this.startTraining(graph, datasetId),
      'train:stop': async ({ runId }) => {
        if (!this.stopRun(runId)) throw this.notTraining(runId, 'stop');
        return { stopping: true };
      },
      'experiments:preview': async (request) => this.experiments.preview(request),
      'experiments:create': async (request) => this.experiments.create(request),
      'experiments:list': async () => this.experiments.list(),
      'experiments:detail': async ({ experimentId }) => this.experiments.detail(experimentId),
      'experiments:one-class': async ({ experimentId }) => this.oneClass(experimentId),
      'experiments:stop': async ({ experimentId }) => this.experiments.stop(experimentId),
      'train:pause': async ({ runId }) => {
        if (this.queue.some((j) => j.runId === runId)) throw new RunControlError(`run ${runId} is queued: it can be paused once it trains`, 'queued');
        if (!this.trainer.pause(runId)) throw this.notTraining(runId, 'pause');
        return { paused: true };
      },
      'train:resume': async ({ runId }) => {
        if (!this.trainer.resume(runId)) throw this.notTraining(runId, 'resume');
        return { resumed: true };
      },
      'runs:list': async () => this.runs.list(),
      'runs:detail': async ({ runId }) => this.runs.detail(runId),
      'runs:latent': async ({ runId, epoch }) => this.runs.latent(runId, epoch),
      'runs:samples': async ({ runId, epoch }) => this.runs.samples(runId, epoch),
      'runs:update': async ({ runId, name, starred }) => {
        const summary = this.runs.rename(runId, { ...(name !== undefined && { name }), ...(starred !== undefined && { starred }) });
        this.broadcast({ type: 'runs-changed' });
        return summary;
      },
      'runs:delete': async ({ runIds }) => {
        const deleted = this.runs.delete(runIds, (id) => this.isActive(id));
        for (const id of deleted) this.models.forget(this.runs.dir(id));
        this.broadcast({ type: 'runs-changed' });
        return { deleted };
      },
      'runs:restore': async ({ runIds }) => {
        const restored = this.runs.restore(runIds);
        this.broadcast({ type: 'runs-changed' });
        return { restored };
      },
      'runs:continue': async ({ runId, epochs }) => this.continueRun(runId, epochs),
      'runs:annotate': async ({ runId, note, tags }) => {
        const summary = this.runs.annotate(runId, { ...(note !== undefined && { note }), ...(tags !== undefined && { tags }) });
        this.broadcast({ type: 'runs-changed' });
        return summary;
      },
      'graphs:list': async () => this.graphs.list(),
      'graphs:read': async ({ path }) => this.graphs.read(path),
      'graphs:write': async ({ path, text, overwrite }) => this.graphs.write(path, text, overwrite),
      'dialog:open-graph': async () => chosen(await dialogs().openGraph()),
      'dialog:save-graph': async ({ suggestedName }) => chosen(await dialogs().saveGraph(suggestedName)),
      'dialog:open-folder': async () => ({ path: await dialogs().openFolder() }),
      'app:set-backend-preference': async ({ preference }) => {
        const busy = this.trainer.busyWith ?? this.queue[0]?.runId;
        if (busy) throw new Error(`run ${busy} is ${this.trainer.busyWith ? 'training' : 'queued'}: change where to train once it ends`);
        this.settings.setBackendPreference(preference);
        return this.trainer.restart(preference);
      },
      'app:show-place': async ({ place }) => {
        const path = places()[place];
        if (!this.options.openWithSystem) return { path, opened: false };
        if (place === 'workspace') makeDirs(path);
        await this.options.openWithSystem(path);
        return { path, opened: true };
      },
      'workspace:trash': async () => ({ path: this.runs.trashDir, ...this.runs.trashUsage() }),
      'workspace:empty-trash': async () => ({ path: this.runs.trashDir, ...this.runs.emptyTrash() }),
      'app:menu-state': async ({ enabled }) => {
        this.options.menu?.setEnabled(enabled);
        return {};
      },
      'model:info': async (ref) => this.models.call('info', this.modelSource(ref), {}),
      'model:map': async ({ method, jobId, ...ref }) => this.maps.map(this.modelSource(ref), method, jobId),
      'jobs:cancel': async ({ jobId }) => ({ cancelled: this.models.cancel(jobId) || this.maps.cancelJob(jobId) || this.cancelScan(jobId) || this.cancelMainThreadJob(jobId) }),
      'model:cancel-map': async ({ method, runId, checkpoint }) => ({ cancelled: this.maps.cancel({ runDir: this.runs.dir(runId), checkpoint: checkpoint ?? 'best' }, method) }),
      'model:decode': async ({ codes, ...ref }) => this.models.call('decode', this.modelSource(ref), { codes }),
      'model:point': async ({ index, ...ref }) => this.models.call('point', this.modelSource(ref), { index }),
      'model:interpolate': async ({ from, to, steps, path, ...ref }) => this.models.call('interpolate', this.modelSource(ref), { from, to, steps, path }),
      // A plain autoencoder's first samples fit a Gaussian to its training codes, a first traversal encodes the map's points: both report progress.
      'model:sample': async ({ count, seed, temperature, jobId, ...ref }) => this.models.call('sample', this.modelSource(ref), { count, seed, temperature }, this.jobProgress('sample', ref.runId), jobId),
      'model:traverse': async ({ base, dims, steps, range, jobId, ...ref }) =>
        this.models.call('traverse', this.modelSource(ref), { ...(base && { base }), ...(dims && { dims }), steps, range }, this.jobProgress('traverse', ref.runId), jobId),
      // Scoring a whole dataset reports its loading and its batches.
      'model:score': async ({ datasetId, extremes, jobId, ...ref }) => {
        if (datasetId !== undefined) {
          try {
            checkDatasetId(datasetId);
          } catch (err) {
            throw new ModelError((err as Error).message, 'bad-request');
          }
        }
        return this.models.call('score', this.modelSource(ref), { datasetId: datasetId ?? null, extremes: extremes ?? 24 }, this.jobProgress('score', ref.runId), jobId);
      },
      'model:reconstruct': async ({ images, ...ref }) => this.models.call('reconstruct', this.modelSource(ref), { images }),
      'model:export': async ({ format, path, jobId, ...ref }) => {
        const source = this.modelSource(ref);
        let out = path;
        if (out === undefined) {
          const exportsDir = join(workspaceDir(), 'exports');
          makeDirs(exportsDir);
          out = freeExportDir(exportsDir, source.runName, format);
        }
        const target = out;
        return this.mainThreadJob(jobId, (signal) => exportModel(source, format, ref.checkpoint ?? 'best', target, signal));
      },
      'model:prepare-image': async ({ path, bytes, name, ...ref }) => {
        const source = this.modelSource(ref);
        // The model's input, and why it cannot be used (no checkpoint), before the file is read.
        const info = await this.models.call('info', source, {});
        return prepareImage({ ...(path !== undefined && { path }), ...(bytes !== undefined && { bytes }), ...(name !== undefined && { name }) }, modelPreprocessing(info, source.datasetId));
      },
      'datasets:browse': async ({ path }) => browseFolder(path),
      'datasets:scan': async ({ path, jobId }) => {
        // A new scan replaces one still running (the user picked another folder).
        this.scanning?.controller.abort();
        const controller = new AbortController();
        this.scanning = { controller, ...(jobId && { jobId }) };
        let lastSent = 0;
        try {
          return await summarizeFolder(path, {
            signal: controller.signal,
            onFound: (found) => {
              if (Date.now() - lastSent < 200) return;
              lastSent = Date.now();
              this.broadcast({ type: 'scan-progress', path, found });
            },
            onChecked: (checked, found) => this.broadcast({ type: 'scan-progress', path, found, checked }),
          });
        } catch (err) {
          if (controller.signal.aborted) throw new ApiError(`the scan of ${path} was cancelled`, 'cancelled');
          throw err;
        } finally {
          if (this.scanning?.controller === controller) this.scanning = null;
        }
      },
    };
  }

  /**
   * Checks a graph and its data, makes its run folder and queues it (train:start, and each run of an
   * experiment, tagged with it; `onCreated` hears the id before the run can train).
   */
  private async startTraining(graph: GraphDoc, datasetId: string, experiment?: ExperimentTag, onCreated?: (runId: string) => void): Promise<TrainStartResult> {
    const analysis = analyzeGraph(graph);
    const error = firstError(analysis);
    if (error) throw new Error(`the graph has errors: ${error}`);
    // What the engine cannot express is said here, naming the block, before any run folder exists.
    try {
      buildStepModel(planModel(graph));
    } catch (err) {
      throw new Error(`the graph cannot be trained: ${(err as Error).message}`);
    }
    checkDatasetId(datasetId);
    await this.checkMemory(graph, analysis);
    const runId = newRunId();
    try {
      this.runs.create(runId, graph, datasetId, undefined, experiment);
    } catch (err) {
      throw isDiskError(err) ? new Error(`cannot save the run: ${describeWriteError(err)}`) : err;
    }
    onCreated?.(runId);
    return this.enqueue({ runId, graph, datasetId, runDir: this.runs.dir(runId), resume: false });
  }

  /** Stops a queued or training run of this process; false when it is neither. */
  private stopRun(runId: string): boolean {
    const queued = this.queue.findIndex((j) => j.runId === runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      const { epochsDone } = this.runs.update(runId, { status: 'stopped', endedAt: new Date().toISOString() });
      // Announced like a stop of a training run: windows following it (and the run list) see it end.
      this.broadcast({ type: 'train', event: { type: 'run-stopped', runId, epochs: epochsDone, loss: null, val_loss: null, elapsedMs: 0 } });
      return true;
    }
    return this.trainer.stop(runId);
  }

  /** Experiments left running by a process that is gone carry on (the app calls this at start; the CLI does not). */
  resumeExperiments(): Promise<string[]> {
    return this.experiments.resumeInterrupted();
  }

  /**
   * Refuses a graph whose training would not fit the backend's memory, from its shapes, before any
   * run folder or tensor is made; the refusal names the provider the trainer chose.
   */
  private async checkMemory(graph: GraphDoc, analysis = analyzeGraph(graph)): Promise<void> {
    const estimate = estimateTrainingMemory(graph, analysis);
    const total = this.options.totalMemory?.() ?? totalmem();
    if (!estimate || estimate.bytes <= memoryLimit(null, total)) return;
    const backend = this.trainer.backend?.name ?? (await this.trainer.start().catch(() => null))?.name ?? null;
    const refusal = memoryRefusal(estimate, memoryLimit(backend, total), backend);
    if (refusal) throw new Error(refusal);
  }

  /** Runs a long job of this thread that stops at its own checks when `jobs:cancel` names its id. */
  private async mainThreadJob<T>(jobId: string | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (jobId) this.mainThreadJobs.set(jobId, controller);
    try {
      return await run(controller.signal);
    } finally {
      if (jobId && this.mainThreadJobs.get(jobId) === controller) this.mainThreadJobs.delete(jobId);
    }
  }

  private cancelMainThreadJob(jobId: string): boolean {
    this.mainThreadJobs.get(jobId)?.abort();
    return this.mainThreadJobs.delete(jobId);
  }

  /** Cancels the folder scan the caller named `jobId`; false when it is not the one running. */
  private cancelScan(jobId: string): boolean {
    if (this.scanning?.jobId !== jobId) return false;
    this.scanning.controller.abort();
    return true;
  }

  /** Progress of a computation for a view, as job-progress events. */
  private jobProgress(job: string, runId: string) {
    return (phase: string, done: number, total: number) => this.broadcast({ type: 'job-progress', job, runId, phase, done, total });
  }

  /** One study at a time per experiment: a second asker waits for the scoring under way rather than scoring again. */
  private readonly oneClassInFlight = new Map<string, Promise<OneClassResult | null>>();

  private oneClass(experimentId: string): Promise<OneClassResult | null> {
    const running = this.oneClassInFlight.get(experimentId);
    if (running) return running;
    const study = oneClassStudyOf(
      {
        detail: (id) => this.experiments.detail(id),
        dir: (id) => this.experiments.store.dir(id),
        // The last checkpoint: the best is picked by a validation loss over every class, anomalies included.
        score: (runId, datasetId) => this.invoke('model:score', { runId, checkpoint: 'last', datasetId, extremes: 0 }),
      },
      experimentId,
    ).finally(() => this.oneClassInFlight.delete(experimentId));
    this.oneClassInFlight.set(experimentId, study);
    return study;
  }

  /**
   * A run as the inference worker loads it, or why it cannot be: an unknown or deleted run, a
   * run.json that cannot be read. The worker finds the rest (no bottleneck, no checkpoint yet).
   */
  modelSource({ runId, checkpoint = 'best' }: ModelRef): ModelSource {
    let dir: string;
    try {
      dir = this.runs.dir(runId);
    } catch (err) {
      throw new ModelError((err as Error).message, 'not-found');
    }
    if (!existsSync(dir)) {
      if (this.runs.isDeleted(runId)) throw new ModelError(`run ${runId} was deleted: restore it from the trash to explore it`, 'deleted');
      throw new ModelError(`no run ${runId}`, 'not-found');
    }
    let run;
    try {
      run = this.runs.read(runId);
    } catch (err) {
      throw new ModelError((err as Error).message, 'unreadable');
    }
    const dataset = run.dataset as { id: string; name?: string; classNames?: string[]; validationCount?: number; trainedClasses?: number[] };
    const trainedClasses = Array.isArray(dataset.trainedClasses) ? dataset.trainedClasses : classesOfId(dataset.id);
    return {
      runId,
      runDir: dir,
      runName: run.name,
      datasetId: dataset.id,
      datasetName: dataset.name ?? dataset.id,
      checkpoint,
      ...(Array.isArray(dataset.classNames) && { classNames: dataset.classNames }),
      ...(typeof dataset.validationCount === 'number' && { validationCount: dataset.validationCount }),
      ...(trainedClasses && { trainedClasses }),
    };
  }

  /** Starts the trainer in the background so the backend is known before the first run. */
  warmUp(): void {
    // Announced through onBackend, as is every later choice (a restart).
    this.trainer.start().catch(() => {});
  }

  /**
   * Continues a run from its last checkpoint, in the same folder: its curves go on from the last
   * finished epoch. A stopped, interrupted or failed run goes on to its epochs; `epochs`, a new
   * total, extends any run (a finished one must be given it), recorded in its graph.json and run.json.
   */
  async continueRun(runId: string, epochs?: number): Promise<TrainStartResult> {
    const { status } = this.runs.read(runId);
    if (status === 'running' || status === 'paused' || status === 'queued') throw new Error(`run ${runId} is ${status}: nothing to continue`);
    // Its checkpoint may be ahead of run.json (a kill between the two): continue from what was saved.
    const run = this.runs.reconcile(runId);
    const complete = run.epochsDone >= run.config.epochs || run.status === 'finished';
    if (epochs === undefined && complete) throw new Error(`run ${runId} already finished ${run.epochsDone === run.config.epochs ? `all ${run.config.epochs}` : run.epochsDone} epochs: give a new total of epochs above ${run.epochsDone} to train more`);
    if (epochs !== undefined && epochs <= run.epochsDone) throw new Error(`run ${runId} has trained ${run.epochsDone} epochs: the new total must be above that, got ${epochs}`);
    const dir = this.runs.dir(runId);
    if (!hasCheckpoint(dir)) throw new Error(`run ${runId} has no checkpoint to continue from (no finished epoch)`);
    let graph: GraphDoc = readRunGraph(dir);
    if (epochs !== undefined && epochs !== graph.training.epochs) {
      graph = { ...graph, training: continuedTraining(graph.training, epochs) };
      await this.checkMemory(graph);
      writeFileAtomic(join(dir, 'graph.json'), serializeGraph(graph));
      this.runs.update(runId, { config: { ...run.config, epochs, schedule: graph.training.schedule }, stoppedEarly: false });
    } else await this.checkMemory(graph);
    this.runs.reopen(runId);
    return this.enqueue({ runId, graph, datasetId: run.dataset.id, runDir: dir, resume: true });
  }

  /**
   * Records a trainer event, then passes it on. When the run store cannot write (a full disk, a
   * folder made read-only), the run fails with the cause, its trainer is told to stop, and its
   * remaining events are dropped: nothing of it reaches the app that is not on disk.
   */
  private onTrainerEvent(event: TrainEvent): void {
    if (this.unrecordable.has(event.runId)) {
      if (isTerminal(event)) {
        this.unrecordable.delete(event.runId);
        void this.startNext();
      }
      return;
    }
    try {
      this.runs.record(event, event.type === 'run-started' ? this.trainer.backend ?? undefined : undefined);
    } catch (err) {
      this.failUnrecorded(event, err);
      return;
    }
    this.broadcast({ type: 'train', event });
    if (isTerminal(event)) void this.startNext();
  }

  private failUnrecorded(event: TrainEvent, err: unknown): void {
    const { runId } = event;
    const message = `cannot save the run: ${describeWriteError(err)}`;
    try {
      this.runs.update(runId, { status: 'failed', endedAt: new Date().toISOString(), error: message });
    } catch {
      // The disk refuses this too: at the next start the run is marked interrupted, its saved epochs kept.
    }
    this.broadcast({ type: 'train', event: { type: 'run-failed', runId, message } });
    if (!isTerminal(event) && this.trainer.stop(runId)) this.unrecordable.add(runId);
    else void this.startNext();
  }

  /** Why a stop, pause or resume finds no run to act on. */
  private notTraining(runId: string, verb: string): RunControlError {
    if (!existsSync(this.runs.dir(runId))) return new RunControlError(`no run ${runId}`, 'not-active');
    const summary = this.runs.summary(runId);
    if (summary.damaged) return new RunControlError(`run ${runId} cannot be read (${summary.damaged}): nothing to ${verb}`, 'not-active');
    if (ACTIVE_STATUSES.includes(summary.status)) return new RunControlError(`run ${runId} is ${summary.status} in another process: ${verb} it there`, 'not-active');
    return new RunControlError(`run ${runId} is ${summary.status}, not training: nothing to ${verb}`, 'not-active');
  }

  /** Queued or training in this process. */
  private isActive(runId: string): boolean {
    return this.trainer.busyWith === runId || this.queue.some((j) => j.runId === runId);
  }

  async invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    const { request } = parseRequest<C>(channel, payload);
    try {
      return await (this.handlers[channel] as (r: RequestOf<C>) => Promise<ResponseOf<C>>)(request);
    } catch (err) {
      // A full or read-only disk is named as such, whichever handler met it.
      if (isDiskError(err)) throw new Error(`${channel}: ${describeWriteError(err)}`);
      throw err;
    }
  }

  on(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    this.maps.dispose();
    await Promise.all([this.trainer.dispose(), this.models.dispose()]);
  }

  private async enqueue(job: TrainJob): Promise<TrainStartResult> {
    this.queue.push(job);
    const position = this.trainer.busyWith ? this.queue.length : 0;
    if (position > 0) this.runs.update(job.runId, { status: 'queued' });
    else await this.startNext();
    return { runId: job.runId, name: this.runs.read(job.runId).name, queuePosition: position };
  }

  /** Starts the next queued run when the trainer is free. Never rejects: a run that cannot start fails, and the next is tried. */
  private async startNext(): Promise<void> {
    if (this.trainer.busyWith) return;
    const job = this.queue.shift();
    if (!job) return;
    const message = await this.launch(job);
    if (message === null) return;
    try {
      this.runs.update(job.runId, { status: 'failed', endedAt: new Date().toISOString(), error: message });
    } catch {
      // Marked interrupted at the next start.
    }
    this.broadcast({ type: 'train', event: { type: 'run-failed', runId: job.runId, message } });
    await this.startNext();
  }

  /** Marks the run running and hands it to the trainer; the reason when either fails. */
  private async launch(job: TrainJob): Promise<string | null> {
    try {
      this.runs.update(job.runId, { status: 'running' });
    } catch (err) {
      return `cannot save the run: ${describeWriteError(err)}`;
    }
    try {
      await this.trainer.train(job);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private broadcast(event: ApiEvent) {
    for (const listener of this.listeners) listener(event);
    // After the listeners, so a window sees a run end before the experiment's next run starts.
    if (event.type === 'train' && isTerminal(event.event)) void this.experiments.onRunEnded(event.event);
  }
}

/**
 * A stop, pause or resume that found nothing to act on. `code`: 'not-active' (the run is not
 * training or queued here), 'queued' (a queued run cannot pause). The UI can tell it from a fault.
 */
export class RunControlError extends Error {
  override name = 'RunControlError';
  constructor(
    message: string,
    readonly code: 'not-active' | 'queued',
  ) {
    super(message);
  }
}

/** The classes a dataset id keeps for training (a run whose dataset record is not written yet). */
function classesOfId(id: string): number[] | undefined {
  try {
    return parseDatasetId(id).classes;
  } catch {
    return undefined;
  }
}

/** A built-in dataset's class names (a folder's need a scan: its classes are named by number in a sweep). */
/** A built-in set's class names (whatever subset the id asks for); undefined for a folder. */
export function builtinClassNames(datasetId: string): string[] | undefined {
  try {
    const ref = parseDatasetId(datasetId);
    return ref.kind === 'builtin' ? listDatasets().find((d) => d.id === `builtin:${ref.name}`)?.classNames : undefined;
  } catch {
    return undefined;
  }
}

/** The Help menu's places: the guide and the documentation beside the app, the workspace. */
function places(): Record<Place, string> {
  return { guide: join(appRoot(), 'docs', 'guide.md'), docs: join(appRoot(), 'docs'), workspace: workspaceDir() };
}

let version: string | null = null;
/** The app's version, from its package.json. */
export function appVersion(): string {
  version ??= (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
