import type { CheckpointChoice, ImageBatch, InterpolationPath, LatentMap, LatentMethod, ModelInfo, PointDetail, SampleResult, TraverseResult } from '../../../core/api';
import { ApiError } from '../../../core/apiChannels';
import type { SliceCreator } from './store';

export type ExploreTab = 'point' | 'interpolate' | 'sample' | 'traverse' | 'selection';

/** One end of an interpolation: a validation image (by its index) or a code (a point off the images). */
export interface ExploreEnd {
  label: string;
  end: { index: number } | { code: number[] };
  /** Where it is on the map, to mark it. */
  at: [number, number] | null;
}

export interface ExploreState {
  runId: string | null;
  checkpoint: CheckpointChoice;
  method: LatentMethod;
  info: ModelInfo | null;
  map: LatentMap | null;
  /** A map under way: UMAP and t-SNE report how far they are. */
  mapping: { method: LatentMethod; phase: string; done: number; total: number } | null;
  /** Why the model or its map cannot be shown (no checkpoint, a deleted run, no bottleneck). */
  error: string | null;
  tab: ExploreTab;
  /** The clicked point: its position in the map's arrays, and its detail once read. */
  selected: number | null;
  point: PointDetail | null;
  a: ExploreEnd | null;
  b: ExploreEnd | null;
  steps: number;
  path: InterpolationPath;
  strip: ImageBatch | null;
  seed: number;
  temperature: number;
  samples: SampleResult | null;
  /** The VAE manifold grid (a 2-D code), decoded at the Gaussian's quantiles. */
  manifold: ImageBatch | null;
  traverse: TraverseResult | null;
  /** Points picked with the box or lasso: positions in the map's arrays. */
  brushed: number[];
  /** An action under way (one at a time keeps the worker's queue short). */
  busy: string | null;
}

export interface ExploreSlice {
  explore: ExploreState;
  /** Opens the Explore view on a run (the given one, else the one shown before, else the newest that has trained). */
  openExplore(runId?: string | null): Promise<void>;
  /**
   * Opens a view that uses a trained model (Explore, Anomalies, Lab) on a run: they share the model in
   * use, so picking a run in one picks it in all.
   */
  openModelView(view: 'explore' | 'score' | 'lab', runId?: string | null): Promise<void>;
  setExploreCheckpoint(checkpoint: CheckpointChoice): Promise<void>;
  setExploreMethod(method: LatentMethod): Promise<void>;
  cancelExploreMap(): Promise<void>;
  setExploreTab(tab: ExploreTab): void;
  selectPoint(position: number | null): Promise<void>;
  setEnd(which: 'a' | 'b', end: ExploreEnd | null): void;
  setInterpolation(patch: Partial<Pick<ExploreState, 'steps' | 'path'>>): void;
  interpolate(): Promise<void>;
  setSampling(patch: Partial<Pick<ExploreState, 'seed' | 'temperature'>>): void;
  drawSamples(): Promise<void>;
  drawManifold(): Promise<void>;
  runTraverse(): Promise<void>;
  setBrushed(positions: number[]): void;
  onJobProgress(event: { job: string; runId: string; phase: string; done: number; total: number }): void;
}

export const EXPLORE_IDLE: ExploreState = {
  runId: null,
  checkpoint: 'best',
  method: 'pca',
  info: null,
  map: null,
  mapping: null,
  error: null,
  tab: 'point',
  selected: null,
  point: null,
  a: null,
  b: null,
  steps: 10,
  path: 'linear',
  strip: null,
  seed: 1,
  temperature: 1,
  samples: null,
  manifold: null,
  traverse: null,
  brushed: [],
  busy: null,
};

/** The label of a map point: its class and its place in the validation split. */
export function pointLabel(map: LatentMap, classNames: string[], position: number): string {
  const label = classNames[map.labels[position]!] ?? `class ${map.labels[position]}`;
  return `${label} #${map.indices[position]}`;
}

export const createExploreSlice: SliceCreator<ExploreSlice> = ({ api }) => (set, get) => {
  const patch = (p: Partial<ExploreState>) => set({ explore: { ...get().explore, ...p } });
  const ref = () => {
    const { runId, checkpoint } = get().explore;
    return runId ? { runId, checkpoint } : null;
  };
  /** Runs one action at a time, reporting a failure on the view rather than as a global notice. */
  const action = async (name: string, work: () => Promise<Partial<ExploreState>>) => {
    if (!ref() || get().explore.busy) return;
    patch({ busy: name });
    try {
      patch({ ...(await work()), busy: null });
    } catch (err) {
      patch({ busy: null, error: (err as Error).message });
    }
  };
  const loadMap = async (method: LatentMethod) => {
    const r = ref();
    if (!r) return;
    patch({ method, mapping: { method, phase: 'starting', done: 0, total: 0 }, error: null });
    try {
      const map = await api.invoke('model:map', { ...r, method });
      // The user may have moved on to another run or method meanwhile.
      const now = get().explore;
      if (now.runId !== r.runId || now.method !== method || now.checkpoint !== r.checkpoint) return;
      patch({ map, mapping: null, selected: null, point: null, brushed: [] });
    } catch (err) {
      const cancelled = err instanceof ApiError && err.code === 'cancelled';
      if (get().explore.method === method) patch({ mapping: null, error: cancelled ? null : (err as Error).message });
    }
  };
  const load = async (runId: string, checkpoint: CheckpointChoice) => {
    set({ explore: { ...EXPLORE_IDLE, runId, checkpoint, method: get().explore.method, seed: get().explore.seed } });
    get().clearScore();
    try {
      const info = await api.invoke('model:info', { runId, checkpoint });
      if (get().explore.runId !== runId) return;
      patch({ info, path: info.variational ? 'spherical' : 'linear' });
      // The map is Explore's alone: the other views that use the model do not wait for it.
      if (get().view === 'explore') await loadMap(get().explore.method);
    } catch (err) {
      if (get().explore.runId === runId) patch({ error: (err as Error).message });
    }
  };

  return {
    explore: EXPLORE_IDLE,

    openExplore: (runId = null) => get().openModelView('explore', runId),
    openModelView: async (view, runId = null) => {
      set({ view });
      const wanted = runId ?? get().explore.runId ?? (await newestTrainedRun());
      if (!wanted) {
        patch({ error: 'No run has finished an epoch yet: train a model in the Design view first.' });
        return;
      }
      if (wanted !== get().explore.runId || !get().explore.info) await load(wanted, get().explore.checkpoint);
      else if (view === 'explore' && !get().explore.map && !get().explore.mapping) await loadMap(get().explore.method);
    },
    setExploreCheckpoint: async (checkpoint) => {
      const { runId } = get().explore;
      if (runId) await load(runId, checkpoint);
    },
    setExploreMethod: async (method) => {
      if (get().explore.mapping) await get().cancelExploreMap();
      await loadMap(method);
    },
    cancelExploreMap: async () => {
      const r = ref();
      const mapping = get().explore.mapping;
      if (!r || !mapping) return;
      patch({ mapping: null });
      await api.invoke('model:cancel-map', { ...r, method: mapping.method }).catch(() => ({ cancelled: false }));
    },
    setExploreTab: (tab) => patch({ tab }),
    selectPoint: async (position) => {
      const r = ref();
      const map = get().explore.map;
      if (!r || !map || position === null) {
        patch({ selected: null, point: null });
        return;
      }
      patch({ selected: position, tab: get().explore.tab === 'selection' ? 'point' : get().explore.tab });
      try {
        const point = await api.invoke('model:point', { ...r, index: map.indices[position]! });
        if (get().explore.selected === position) patch({ point });
      } catch (err) {
        patch({ error: (err as Error).message });
      }
    },
    setEnd: (which, end) => patch({ [which]: end, strip: null }),
    setInterpolation: (p) => patch({ ...p, strip: null }),
    interpolate: () =>
      action('interpolate', async () => {
        const { a, b, steps, path } = get().explore;
        if (!a || !b) throw new Error('Pick two images (or two places on the map) first.');
        const { images } = await api.invoke('model:interpolate', { ...ref()!, from: a.end, to: b.end, steps, path });
        return { strip: images };
      }),
    setSampling: (p) => patch(p),
    drawSamples: () =>
      action('sample', async () => {
        const { seed, temperature } = get().explore;
        return { samples: await api.invoke('model:sample', { ...ref()!, count: 64, seed, temperature }) };
      }),
    drawManifold: () =>
      action('manifold', async () => {
        const { manifoldGrid } = await import('../../../core/latent/sample');
        const codes = manifoldGrid(15).map((c) => Array.from(c));
        return { manifold: await api.invoke('model:decode', { ...ref()!, codes }) };
      }),
    runTraverse: () =>
      action('traverse', async () => ({ traverse: await api.invoke('model:traverse', { ...ref()!, steps: 9, range: 3 }) })),
    setBrushed: (positions) => patch({ brushed: positions, tab: positions.length ? 'selection' : get().explore.tab }),
    onJobProgress: (event) => {
      const { runId, mapping } = get().explore;
      if (event.runId !== runId || !mapping || !event.job.endsWith(mapping.method)) return;
      patch({ mapping: { ...mapping, phase: event.phase, done: event.done, total: event.total } });
    },
  };

  async function newestTrainedRun(): Promise<string | null> {
    const runs = get().runsLoaded ? get().runs : await api.invoke('runs:list', {}).catch(() => []);
    return runs.find((r) => !r.damaged && r.epochsDone > 0)?.id ?? null;
  }
};
