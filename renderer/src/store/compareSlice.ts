/**
 * Compare's data beyond the runs' details: each compared run's latent projection and
 * reconstructions at the epoch shown (read once per run and epoch), and the PNG export's status.
 */
import type { LatentProjection, ReconstructionGrid, RunDetail } from '../../../core/api';
import { nearestEpoch } from '../../../core/runs/compareExport';
import type { SliceCreator } from './store';

export type EpochDataKind = 'latent' | 'samples';

export interface CompareState {
  /** By `runId:epoch`. */
  latents: Record<string, LatentProjection>;
  grids: Record<string, ReconstructionGrid>;
  /** The PNG export's status: 'Drawing the PNG…' while it draws, then why it failed; null otherwise. */
  exporting: string | null;
}

export interface CompareSlice {
  compare: CompareState;
  /** Reads what is missing of the compared runs' latent projections and reconstructions at `epoch` (each run's nearest stored one). */
  loadCompareEpoch(epoch: number): void;
  /** Runs `draw` (which renders and saves the PNG) once at a time, showing its progress and failure. */
  exportComparePng(draw: () => Promise<void>): Promise<void>;
}

export const DRAWING_PNG = 'Drawing the PNG…';

const epochsOf = (d: RunDetail, kind: EpochDataKind) => (kind === 'latent' ? d.latentEpochs : d.sampleEpochs);

/** Which stored epoch of each run shows at `epoch`, and under which key its data is kept. */
export function wantedEpochs(details: readonly RunDetail[], epoch: number, kind: EpochDataKind): ({ runId: string; epoch: number; key: string } | null)[] {
  return details.map((d) => {
    const e = nearestEpoch(epochsOf(d, kind), epoch);
    return e === null ? null : { runId: d.summary.id, epoch: e, key: `${d.summary.id}:${e}` };
  });
}

/** Each run's data at `epoch` (null until read), with the epoch it is from. */
export function compareEpochData<T extends EpochDataKind>(state: CompareState, details: readonly RunDetail[], epoch: number, kind: T): ({ epoch: number; data: (T extends 'latent' ? LatentProjection : ReconstructionGrid) | null } | null)[] {
  const cache = (kind === 'latent' ? state.latents : state.grids) as Record<string, T extends 'latent' ? LatentProjection : ReconstructionGrid>;
  return wantedEpochs(details, epoch, kind).map((w) => (w ? { epoch: w.epoch, data: cache[w.key] ?? null } : null));
}

export const createCompareSlice: SliceCreator<CompareSlice> = ({ api }) => (set, get) => {
  /** Keys asked for and not yet answered: each is read once. */
  const inFlight = new Set<string>();
  const read = (kind: EpochDataKind, w: { runId: string; epoch: number; key: string }) => {
    const id = `${kind}:${w.key}`;
    const cached = kind === 'latent' ? get().compare.latents[w.key] : get().compare.grids[w.key];
    if (cached || inFlight.has(id)) return;
    inFlight.add(id);
    const done = () => inFlight.delete(id);
    const store = (p: Partial<CompareState>) => set({ compare: { ...get().compare, ...p } });
    // A run without that epoch's file shows nothing for it (as before): the view says '–'.
    if (kind === 'latent')
      api.invoke('runs:latent', { runId: w.runId, epoch: w.epoch }).then((data) => (done(), store({ latents: { ...get().compare.latents, [w.key]: data } })), done);
    else api.invoke('runs:samples', { runId: w.runId, epoch: w.epoch }).then((data) => (done(), store({ grids: { ...get().compare.grids, [w.key]: data } })), done);
  };
  let exporting = false;
  return {
    compare: { latents: {}, grids: {}, exporting: null },
    loadCompareEpoch: (epoch) => {
      const details = get()
        .compared.map((id) => get().details[id])
        .filter((d): d is RunDetail => d !== undefined);
      for (const kind of ['latent', 'samples'] as const) for (const w of wantedEpochs(details, epoch, kind)) if (w) read(kind, w);
    },
    exportComparePng: async (draw) => {
      if (exporting) return;
      exporting = true;
      set({ compare: { ...get().compare, exporting: DRAWING_PNG } });
      try {
        await draw();
        set({ compare: { ...get().compare, exporting: null } });
      } catch (err) {
        set({ compare: { ...get().compare, exporting: `Could not export the PNG: ${(err as Error).message}` } });
      } finally {
        exporting = false;
      }
    },
  };
};
