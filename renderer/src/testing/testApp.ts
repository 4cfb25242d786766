/**
 * Drives the app's store without a browser (tldraw's TestEditor is the model): a fake backend that
 * validates every request as the real one does and answers from handlers a test can replace, events
 * pushed by the test, and the store made by the same createAppStore the app uses.
 */
import type { ApiEvent, AppInfo, BottleneckApi, Channel, RequestOf, ResponseOf, RunDetail, RunSummary } from '../../../core/api';
import { parseRequest } from '../../../core/apiSchema';
import type { TrainEvent } from '../../../core/train/events';
import { createAppStore, type AppState, type AppStore, type KeyValueStorage } from '../store/store';

type Handler<C extends Channel> = (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;

export const TEST_INFO: AppInfo = {
  version: '0.0.0-test',
  shell: 'browser',
  backend: { name: 'cpu', skipped: [] },
  backendPreference: 'auto',
  datasets: [{ id: 'builtin:fashion-mnist', name: 'Fashion-MNIST', height: 28, width: 28, channels: 1, classNames: ['T-shirt/top', 'Trouser'], trainCount: 10_000, validationCount: 1_000 }],
  workspace: '/tmp/workspace',
};

export class FakeBackend implements BottleneckApi {
  readonly calls: { channel: Channel; request: unknown }[] = [];
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly handlers = new Map<Channel, Handler<Channel>>();
  private readonly unanswered = new Set<Promise<unknown>>();
  private runCount = 0;

  constructor() {
    this.handle('app:info', () => TEST_INFO);
    this.handle('train:start', () => {
      this.runCount++;
      return { runId: `run-${this.runCount}`, name: `Run ${this.runCount}`, queuePosition: 0 };
    });
    this.handle('train:stop', () => ({ stopping: true }));
    this.handle('train:pause', () => ({ paused: true }));
    this.handle('train:resume', () => ({ resumed: true }));
    this.handle('runs:list', () => []);
  }

  /** Answers a channel with this handler from now on. */
  handle<C extends Channel>(channel: C, handler: Handler<C>): this {
    this.handlers.set(channel, handler as unknown as Handler<Channel>);
    return this;
  }

  invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    const reply = this.answer(channel, payload);
    this.unanswered.add(reply);
    void reply.then(
      () => this.unanswered.delete(reply),
      () => this.unanswered.delete(reply),
    );
    return reply;
  }

  private async answer<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    // The real backend's validation, so a request the app could not send fails here too.
    const { request } = parseRequest<C>(channel, payload);
    this.calls.push({ channel, request });
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`the fake backend has no handler for ${channel}`);
    return (await handler(request as never)) as ResponseOf<C>;
  }

  /**
   * Resolves once the app is quiet: every request it sent is answered and taken in, follow-ups
   * included. It waits on the very replies the app awaits, then lets one event-loop turn pass (the
   * app's own continuations and zero-delay timers run in it) and checks again, until a turn passes
   * with no request unanswered and no new one sent. A reply a test holds back keeps it waiting, so
   * for that wait for the request instead (expect.poll on callsTo).
   */
  async idle(): Promise<void> {
    for (;;) {
      while (this.unanswered.size > 0) await Promise.allSettled([...this.unanswered]);
      const sent = this.calls.length;
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.unanswered.size === 0 && this.calls.length === sent) return;
    }
  }

  on(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  train(event: TrainEvent): void {
    this.emit({ type: 'train', event });
  }

  callsTo<C extends Channel>(channel: C): RequestOf<C>[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.request as RequestOf<C>);
  }
}

export function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

export interface TestApp {
  store: AppStore;
  backend: FakeBackend;
  get state(): AppState;
  /** Resolves once every request sent so far is answered and taken in (FakeBackend.idle). */
  idle(): Promise<void>;
  dispose(): void;
}

/** A connected app over a fake backend, with app:info answered and the built-in dataset chosen. */
export async function createTestApp(backend = new FakeBackend(), storage = memoryStorage()): Promise<TestApp> {
  const store = createAppStore({ api: backend, storage, refreshDelayMs: 0, trainEventIntervalMs: 0 });
  const disconnect = store.getState().subscribeToBackend();
  const idle = () => backend.idle();
  await idle();
  return {
    store,
    backend,
    get state() {
      return store.getState();
    },
    idle,
    dispose: disconnect,
  };
}

export { runSummary } from '../../../core/runs/testSummary';

export function runDetail(summary: RunSummary, detail: Partial<RunDetail> = {}): RunDetail {
  return {
    summary,
    graph: undefined as never,
    config: {},
    dataset: { id: summary.datasetId, classNames: ['T-shirt/top', 'Trouser'] },
    metrics: [],
    skippedMetricLines: 0,
    latentEpochs: [],
    sampleEpochs: [],
    ...detail,
  };
}
