import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiEvent, AppInfo, BottleneckApi, Channel, Channels, RequestOf, ResponseOf } from '../../core/api';
import { parseRequest } from '../../core/apiSchema';
import { analyzeGraph, hasErrors } from '../../core/shapes/infer';
import { listDatasets } from './datasets';
import { GraphFiles } from './graphFiles';
import { appRoot, runsDir, workspaceDir } from './paths';
import { newRunId, RunStore } from './runStore';
import { TrainerHost } from './trainerHost';

type Handlers = { [C in Channel]: (request: Channels[C][0]) => Promise<Channels[C][1]> };

/** Native file dialogs, provided by the desktop shell; absent in browser mode and the CLI. */
export interface NativeDialogs {
  openGraph(): Promise<string | null>;
  saveGraph(suggestedName: string): Promise<string | null>;
}

export interface BackendOptions {
  shell: AppInfo['shell'];
  runsRoot?: string;
  graphsRoot?: string;
  dialogs?: NativeDialogs;
}

/**
 * The one implementation of the contract. Adapters (IPC, WebSocket, CLI) call `invoke` with
 * untrusted input; it is validated here before any handler runs.
 */
export class BottleneckBackend implements BottleneckApi {
  readonly runs: RunStore;
  readonly trainer = new TrainerHost();
  readonly graphs: GraphFiles;
  private listeners = new Set<(event: ApiEvent) => void>();
  private readonly handlers: Handlers;

  constructor(private readonly options: BackendOptions) {
    this.runs = new RunStore(options.runsRoot ?? runsDir());
    this.graphs = new GraphFiles(options.graphsRoot ?? join(workspaceDir(), 'graphs'));
    const dialogs = () => {
      if (!options.dialogs) throw new Error('native dialogs exist only in the desktop app');
      return options.dialogs;
    };
    // A path the user picked in a native dialog becomes readable and writable, and only such paths.
    const chosen = (path: string | null) => {
      if (path) this.graphs.allow(path);
      return { path };
    };
    this.runs.markInterrupted();
    this.trainer.onEvent((event) => {
      this.runs.record(event, event.type === 'run-started' ? this.trainer.backend ?? undefined : undefined);
      this.broadcast({ type: 'train', event });
    });
    this.handlers = {
      'app:info': async () => ({
        version: appVersion(),
        shell: this.options.shell,
        backend: this.trainer.backend,
        datasets: listDatasets(),
        workspace: workspaceDir(),
      }),
      'train:start': async ({ graph, datasetId }) => {
        const analysis = analyzeGraph(graph);
        if (hasErrors(analysis)) {
          const first = analysis.diagnostics.find((d) => d.severity === 'error')!;
          throw new Error(`the graph has errors: ${first.nodeId ? `node "${first.nodeId}": ` : ''}${first.message}`);
        }
        if (!listDatasets().some((d) => d.id === datasetId)) throw new Error(`unknown dataset "${datasetId}"`);
        if (this.trainer.busyWith) throw new Error(`a run is already training (${this.trainer.busyWith}): stop it first`);
        const runId = newRunId();
        this.runs.create(runId, graph, datasetId);
        try {
          await this.trainer.train(runId, graph, datasetId);
        } catch (err) {
          this.runs.update(runId, { status: 'failed', endedAt: new Date().toISOString(), error: (err as Error).message });
          throw err;
        }
        return { runId };
      },
      'train:stop': async ({ runId }) => ({ stopping: this.trainer.stop(runId) }),
      'runs:list': async () => this.runs.list(),
      'graphs:list': async () => this.graphs.list(),
      'graphs:read': async ({ path }) => this.graphs.read(path),
      'graphs:write': async ({ path, text, overwrite }) => this.graphs.write(path, text, overwrite),
      'dialog:open-graph': async () => chosen(await dialogs().openGraph()),
      'dialog:save-graph': async ({ suggestedName }) => chosen(await dialogs().saveGraph(suggestedName)),
    };
  }

  /** Starts the trainer in the background so the backend is known before the first run. */
  warmUp(): void {
    this.trainer.start().then(
      (backend) => this.broadcast({ type: 'backend-ready', backend }),
      () => {},
    );
  }

  async invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    const { request } = parseRequest<C>(channel, payload);
    return (this.handlers[channel] as (r: RequestOf<C>) => Promise<ResponseOf<C>>)(request);
  }

  on(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose();
  }

  private broadcast(event: ApiEvent) {
    for (const listener of this.listeners) listener(event);
  }
}

let version: string | null = null;
function appVersion(): string {
  version ??= (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
