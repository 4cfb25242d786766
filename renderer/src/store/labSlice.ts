/**
 * The Lab's state: the clean image (a validation image of the model in use, or a file), the user's
 * mask and corruption, the model's output for the corrupted image, and the σ walk. The model is
 * Explore's (runId, checkpoint, info); syncLab follows it.
 */
import type { CheckpointChoice, ModelInfo } from '../../../core/api';
import { imageFileTooLarge } from '../../../core/limits';
import { corrupt, emptyMask, fromBatch, mse, toModelBatch, type LabCorruption, type LabImage, type Mask } from '../use/labImage';
import type { SliceCreator } from './store';

export type LabTool = 'none' | 'rectangle' | 'brush';

/** The error to the clean image of the noisy input and of the model's output, at one noise σ. */
export interface SigmaPoint {
  sigma: number;
  input: number;
  output: number;
}

export interface LabState {
  /** The validation image shown, unless a file is. */
  index: number;
  /** The image file opened in place of a validation image (its name), or null. */
  fileName: string | null;
  clean: LabImage | null;
  mask: Mask | null;
  corruption: LabCorruption;
  /** The clean image with the mask and corruption applied: what the model is given. */
  corrupted: LabImage | null;
  output: LabImage | null;
  walk: SigmaPoint[];
  tool: LabTool;
  brush: number;
  note: string | null;
  error: string | null;
}

/** What openLabFile reads: a File, or its likeness in tests. */
export interface LabFile {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface LabSlice {
  lab: LabState;
  /** Follows the model in use: another run drops its images, other weights the output; loads the image shown. Called when the Lab shows and when the model changes. */
  syncLab(): void;
  /** Back to the validation images, at `index` (clamped to the set). */
  showLabImage(index: number): void;
  /** An image file as the clean image, prepared by the backend as the model reads images. */
  openLabFile(file: LabFile): Promise<void>;
  setLabCorruption(patch: Partial<LabCorruption>): void;
  updateLabMask(update: (mask: Mask) => Mask): void;
  clearLabMask(): void;
  setLabTool(tool: LabTool): void;
  setLabBrush(size: number): void;
  /** The model's output for σ from 0 to 1 in tenths, with the mask and the rest of the corruption. */
  walkLabSigma(): Promise<void>;
}

// A watermark as large as a 28×28 image can hold legibly: half its height, nearly opaque.
export const LAB_CORRUPTION: LabCorruption = { sigma: 0.3, saltPepper: 0, watermark: '', watermarkSize: 0.5, watermarkOpacity: 0.9, seed: 1 };

export const LAB_IDLE: LabState = { index: 0, fileName: null, clean: null, mask: null, corruption: LAB_CORRUPTION, corrupted: null, output: null, walk: [], tool: 'rectangle', brush: 2, note: null, error: null };

const WALK_SIGMAS = Array.from({ length: 11 }, (_, i) => i / 10);

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export const createLabSlice: SliceCreator<LabSlice> = ({ api }) => (set, get) => {
  const lab = () => get().lab;
  /** Sets lab state; when the image, mask or corruption changed, corrupts again and asks the model for its output. */
  const patch = (p: Partial<LabState>) => {
    const next = { ...lab(), ...p };
    const changed = 'clean' in p || 'mask' in p || 'corruption' in p;
    if (changed) next.corrupted = next.clean && next.mask ? corrupt(next.clean, next.mask, next.corruption) : null;
    set({ lab: next });
    if (changed && next.corrupted) reconstruct(next.corrupted);
  };
  /** A new clean image comes with an empty mask and no walk. */
  const showClean = (clean: LabImage, p: Partial<LabState> = {}) => patch({ ...p, clean, mask: emptyMask(clean), walk: [] });

  /** The model as last followed: what syncLab compares with. */
  let seen: { runId: string | null; checkpoint: CheckpointChoice; info: ModelInfo | null } | null = null;
  const model = () => ({ runId: get().explore.runId, checkpoint: get().explore.checkpoint });
  const inUse = (m: { runId: string | null; checkpoint: CheckpointChoice }) => get().explore.runId === m.runId && get().explore.checkpoint === m.checkpoint;

  // Each point request gets a number: only the newest may show its image.
  let pointRequest = 0;
  const loadPoint = async () => {
    const { runId, checkpoint, info } = get().explore;
    if (!runId || !info || lab().fileName !== null) return;
    const mine = ++pointRequest;
    try {
      const p = await api.invoke('model:point', { runId, checkpoint, index: lab().index });
      if (mine === pointRequest && lab().fileName === null) showClean(fromBatch(p.images, 0), { note: null, error: null });
    } catch (err) {
      if (mine === pointRequest) patch({ error: (err as Error).message });
    }
  };

  // The model's output: one request in flight, the newest image wins, and a reply for a run or
  // weights no longer in use is dropped.
  let pending: { image: LabImage; runId: string; checkpoint: CheckpointChoice } | null = null;
  let busy = false;
  const reconstruct = (image: LabImage) => {
    const { runId, checkpoint } = model();
    if (!runId) return;
    pending = { image, runId, checkpoint };
    void next();
  };
  const next = async () => {
    if (busy || !pending) return;
    const job = pending;
    pending = null;
    busy = true;
    try {
      const out = await api.invoke('model:reconstruct', { runId: job.runId, checkpoint: job.checkpoint, images: toModelBatch([job.image]) });
      if (inUse(job)) patch({ output: fromBatch(out, 0), error: null });
    } catch (err) {
      if (inUse(job)) patch({ error: (err as Error).message });
    } finally {
      busy = false;
      void next();
    }
  };

  return {
    lab: LAB_IDLE,
    syncLab: () => {
      const now = { ...model(), info: get().explore.info };
      if (seen && seen.runId === now.runId && seen.checkpoint === now.checkpoint && seen.info === now.info) return;
      const before = seen;
      seen = now;
      // Another run has other images; other weights make what was shown the old model's.
      if (before && before.runId !== now.runId) patch({ clean: null, fileName: null, output: null, walk: [] });
      else if (before && before.checkpoint !== now.checkpoint) patch({ output: null, walk: [] });
      if (now.info) patch({ index: Math.min(lab().index, Math.max(0, now.info.count - 1)) });
      void loadPoint();
    },
    showLabImage: (index) => {
      const count = get().explore.info?.count ?? 1;
      const clamped = Math.max(0, Math.min(count - 1, index));
      if (clamped === lab().index && lab().fileName === null) return;
      patch({ index: clamped, fileName: null });
      void loadPoint();
    },
    openLabFile: async (file) => {
      const { runId, checkpoint } = model();
      if (!runId) return;
      const tooLarge = imageFileTooLarge(file.size);
      if (tooLarge) {
        patch({ error: `${file.name}: ${tooLarge}` });
        return;
      }
      try {
        const bytes = base64(new Uint8Array(await file.arrayBuffer()));
        const prepared = await api.invoke('model:prepare-image', { runId, checkpoint, bytes, name: file.name });
        pointRequest++; // a validation image still on its way is no longer wanted
        showClean(fromBatch(prepared.image, 0), { fileName: file.name, note: prepared.note ? `${file.name}: ${prepared.note}` : file.name, error: null });
      } catch (err) {
        patch({ error: (err as Error).message });
      }
    },
    setLabCorruption: (p) => patch({ corruption: { ...lab().corruption, ...p } }),
    updateLabMask: (update) => {
      const mask = lab().mask;
      if (mask) patch({ mask: update(mask) });
    },
    clearLabMask: () => {
      const clean = lab().clean;
      if (clean) patch({ mask: emptyMask(clean) });
    },
    setLabTool: (tool) => patch({ tool }),
    setLabBrush: (brush) => patch({ brush }),
    walkLabSigma: async () => {
      const { clean, mask, corruption } = lab();
      const job = model();
      if (!clean || !mask || !job.runId) return;
      const inputs = WALK_SIGMAS.map((sigma) => corrupt(clean, mask, { ...corruption, sigma }));
      try {
        const out = await api.invoke('model:reconstruct', { runId: job.runId, checkpoint: job.checkpoint, images: toModelBatch(inputs) });
        if (inUse(job) && lab().clean === clean) patch({ walk: WALK_SIGMAS.map((sigma, i) => ({ sigma, input: mse(inputs[i]!, clean)!, output: mse(fromBatch(out, i), clean)! })) });
      } catch (err) {
        patch({ error: (err as Error).message });
      }
    },
  };
};
