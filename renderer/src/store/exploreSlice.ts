import type { CheckpointChoice, ImageBatch, InterpolationPath, LatentMap, LatentMethod, ModelInfo, PointDetail, RunSummary, SampleResult, TraverseResult } from '../../../core/api';
import { ApiError } from '../../../core/apiChannels';
import { projectCode } from '../../../core/latent/pca';
import type { SliceCreator } from './store';

export type ExploreTab = 'point' | 'interpolate' | 'sample' | 'traverse' | 'selection';

/**
 * One end of an interpolation: a validation image (by its index) or a code (a place on a PCA map).
 * Where it is drawn follows from the map on screen, so a pick stays on its image under every projection.
 */
export interface ExploreEnd {
  label: string;
  end: { index: number } | { code: number[] };
}

export interface ExploreState {
  runId: string | null;
  checkpoint: CheckpointChoice;
  /**
   * The newest trained run when this one was chosen: a run trained since (in Design or from the CLI)
   * is what opening a model view shows next.
   */
  newestWhenChosen: string | null;
  method: LatentMethod;
  info: ModelInfo | null;
  map: LatentMap | null;
  /** A map under way: UMAP and t-SNE report how far they are. */
  mapping: { method: LatentMethod; phase: string; done: number; total: number } | null;
  /** Why the model or its map cannot be shown (no checkpoint, a deleted run, no bottleneck). */
  error: string | null;
  tab: ExploreTab;
  /** The clicked image (its index in the validation split, kept across projections), and its detail once read. */
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
  /** The seed and temperature the samples on screen were drawn with (they are stale once either changes). */
  sampledWith: { seed: number; temperature: number } | null;
  /** The VAE manifold grid (a 2-D code), decoded at the Gaussian's quantiles. */
  manifold: ImageBatch | null;
  traverse: TraverseResult | null;
  /** Images picked with the box or lasso: their indices in the validation split (a selection of images, not of a region of one map). */
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
  /** Picks one image (by its validation index) to see it with its reconstruction. */
  selectImage(index: number | null): Promise<void>;
  setEnd(which: 'a' | 'b', end: ExploreEnd | null): void;
  setInterpolation(patch: Partial<Pick<ExploreState, 'steps' | 'path'>>): void;
  interpolate(): Promise<void>;
  setSampling(patch: Partial<Pick<ExploreState, 'seed' | 'temperature'>>): void;
  drawSamples(): Promise<void>;
  drawManifold(): Promise<void>;
  runTraverse(): Promise<void>;
  /** The images picked with the box or lasso, by validation index. */
  setBrushed(indices: number[]): void;
  onJobProgress(event: { job: string; runId: string; phase: string; done: number; total: number }): void;
}

export const EXPLORE_IDLE: ExploreState = {
  runId: null,
  checkpoint: 'best',
  newestWhenChosen: null,
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
  sampledWith: null,
  manifold: null,
  traverse: null,
  brushed: [],
  busy: null,
};

/** Each map's positions by validation index, built once per map. */
const positionsByIndex = new WeakMap<LatentMap, Map<number, number>>();

/** Where an image is in a map's arrays, or -1 when the map does not show it (t-SNE maps a sample). */
export function positionOf(map: LatentMap, index: number): number {
  let positions = positionsByIndex.get(map);
  if (!positions) {
    positions = new Map(map.indices.map((i, p) => [i, p]));
    positionsByIndex.set(map, positions);
  }
  return positions.get(index) ?? -1;
}

/** The label of a map point: its class and its place in the validation split. */
export function pointLabel(map: LatentMap, classNames: string[], position: number): string {
  const label = classNames[map.labels[position]!] ?? `class ${map.labels[position]}`;
  return `${label} #${map.indices[position]}`;
}

export interface MapMark {
  label: string;
  at: [number, number];
  color: string;
  /** What it marks: an image (hovering the pin shows it), or a code (a place on the map). */
  what: ExploreEnd['end'];
}

/** Where an interpolation end is on this map: its image's point, or a code's projection on a PCA plane; null where the map cannot show it. */
export function endOnMap(map: LatentMap, end: ExploreEnd): [number, number] | null {
  if ('index' in end.end) {
    const p = positionOf(map, end.end.index);
    return p < 0 ? null : [map.x[p]!, map.y[p]!];
  }
  return map.plane ? projectCode(map.plane, end.end.code) : null;
}

/** The marks on the map: the picked image and the ends A and B, each where this map draws it. */
export function mapMarks(e: Pick<ExploreState, 'map' | 'selected' | 'a' | 'b'>): MapMark[] {
  const map = e.map;
  if (!map) return [];
  const out: MapMark[] = [];
  const picked = e.selected === null ? -1 : positionOf(map, e.selected);
  if (picked >= 0) out.push({ label: '', at: [map.x[picked]!, map.y[picked]!], color: '#ffffff', what: { index: e.selected! } });
  for (const [which, color] of [['a', '#f0b429'], ['b', '#4fd1c5']] as const) {
    const end = e[which];
    const at = end && endOnMap(map, end);
    if (at) out.push({ label: which.toUpperCase(), at, color, what: end.end });
  }
  return out;
}

/** Whether the sample grid on screen was drawn with other settings than those shown. */
export function samplesStale(e: Pick<ExploreState, 'samples' | 'sampledWith' | 'seed' | 'temperature'>): boolean {
  return e.samples !== null && (e.sampledWith?.seed !== e.seed || e.sampledWith?.temperature !== e.temperature);
}

/** The newest run with a finished epoch (the list is newest first). */
export function newestTrained(runs: RunSummary[]): string | null {
  return runs.find((r) => !r.damaged && r.epochsDone > 0)?.id ?? null;
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
      // The picked image, the ends and the selection are images: they stay, drawn where this map puts them.
      patch({ map, mapping: null });
    } catch (err) {
      const cancelled = err instanceof ApiError && err.code === 'cancelled';
      if (get().explore.method === method) patch({ mapping: null, error: cancelled ? null : (err as Error).message });
    }
  };
  /**
   * Loads a run's model. Another checkpoint of the same run keeps what was picked by image (the same
   * validation images); a code picked on the map belongs to the other weights' latent space and goes.
   */
  const load = async (runId: string, checkpoint: CheckpointChoice) => {
    const before = get().explore;
    const sameRun = before.runId === runId;
    const imageEnd = (end: ExploreEnd | null) => (end && 'index' in end.end ? end : null);
    set({
      explore: {
        ...EXPLORE_IDLE,
        runId,
        checkpoint,
        newestWhenChosen: newestTrained(get().runs),
        method: before.method,
        seed: before.seed,
        temperature: before.temperature,
        ...(sameRun && { selected: before.selected, brushed: before.brushed, a: imageEnd(before.a), b: imageEnd(before.b), tab: before.tab }),
      },
    });
    get().clearScore();
    try {
      const info = await api.invoke('model:info', { runId, checkpoint });
      if (get().explore.runId !== runId) return;
      patch({ info, path: info.variational ? 'spherical' : 'linear' });
      // The map is Explore's alone: the other views that use the model do not wait for it.
      if (get().view === 'explore') await loadMap(get().explore.method);
      if (sameRun && get().explore.selected !== null) void get().selectImage(get().explore.selected);
    } catch (err) {
      if (get().explore.runId === runId) patch({ error: (err as Error).message });
    }
  };

  return {
    explore: EXPLORE_IDLE,

    openExplore: (runId = null) => get().openModelView('explore', runId),
    openModelView: async (view, runId = null) => {
      set({ view });
      // The pickers list every run, those trained meanwhile (in Design or from the CLI) too.
      await get().loadRuns();
      const e = get().explore;
      const newest = newestTrained(get().runs);
      // Without a run asked for: the one in use, unless a newer run has trained since it was chosen (ids sort by start time).
      const trainedSince = newest !== null && (e.newestWhenChosen === null || newest > e.newestWhenChosen);
      const wanted = runId ?? (e.runId !== null && !trainedSince ? e.runId : newest);
      if (!wanted) {
        patch({ error: 'No run has finished an epoch yet: train a model in the Design view first.' });
        return;
      }
      if (wanted !== e.runId || !e.info) await load(wanted, e.checkpoint);
      else if (view === 'explore' && !e.map && !e.mapping) await loadMap(e.method);
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
    selectImage: async (index) => {
      const r = ref();
      if (!r || index === null) {
        patch({ selected: null, point: null });
        return;
      }
      patch({ selected: index, point: get().explore.point?.index === index ? get().explore.point : null, tab: get().explore.tab === 'selection' ? 'point' : get().explore.tab });
      try {
        const point = await api.invoke('model:point', { ...r, index });
        if (get().explore.selected === index && get().explore.runId === r.runId && get().explore.checkpoint === r.checkpoint) patch({ point });
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
        return { samples: await api.invoke('model:sample', { ...ref()!, count: 64, seed, temperature }), sampledWith: { seed, temperature } };
      }),
    drawManifold: () =>
      action('manifold', async () => {
        const { manifoldGrid } = await import('../../../core/latent/sample');
        const codes = manifoldGrid(15).map((c) => Array.from(c));
        return { manifold: await api.invoke('model:decode', { ...ref()!, codes }) };
      }),
    runTraverse: () =>
      action('traverse', async () => ({ traverse: await api.invoke('model:traverse', { ...ref()!, steps: 9, range: 3 }) })),
    setBrushed: (indices) => {
      if (indices.length === 0 && get().explore.brushed.length === 0) return;
      patch({ brushed: indices, tab: indices.length ? 'selection' : get().explore.tab });
    },
    onJobProgress: (event) => {
      const { runId, mapping } = get().explore;
      if (event.runId !== runId || !mapping || !event.job.endsWith(mapping.method)) return;
      patch({ mapping: { ...mapping, phase: event.phase, done: event.done, total: event.total } });
    },
  };
};
