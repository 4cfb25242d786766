/**
 * model:map: the validation images' codes from the inference worker, laid out by PCA there, or by
 * UMAP or t-SNE in a projection worker of their own (progress as job-progress events, cancellable),
 * and those layouts cached in the run folder per checkpoint epoch.
 */
import { readFileSafe, READ_LIMITS } from './safeRead';
import { join } from 'node:path';
import type { ApiEvent, LatentMap, LatentMethod } from '../../core/api';
import { ApiError } from '../../core/apiChannels';
import { decodeLayout, encodeLayout, type CachedLayout } from '../../core/latent/mapFile';
import { evenSubsample } from '../../core/latent/tsne';
import { makeDirs, writeFileAtomic } from './atomicFile';
import type { ModelHost } from './modelHost';
import { MAP_MAX_IMAGE_BYTES, MAP_MAX_POINTS, type MapBase, type ModelSource } from './modelProtocol';
import type { ProjectionJob, ProjectionOps } from './projectionWorker';
import { WorkerHost } from './workers/host';

/** t-SNE (Barnes-Hut, O(n log n) per iteration) takes about 6 s for 3,000 points here. */
export const TSNE_MAX_POINTS = 3_000;
const SEED = 42;

interface Job {
  promise: Promise<LatentMap>;
  cancel: () => void;
  /** The caller's job id (`jobs:cancel`), when it gave one. */
  jobId?: string;
}

export interface MapLimits {
  maxPoints: number;
  maxImageBytes: number;
  tsneMaxPoints: number;
}

export class LatentMaps {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly host: Pick<ModelHost, 'call'>,
    /** job-progress events (job "map:pca", "map:umap", "map:tsne"). */
    private readonly broadcast: (event: ApiEvent) => void,
    private readonly limits: MapLimits = { maxPoints: MAP_MAX_POINTS, maxImageBytes: MAP_MAX_IMAGE_BYTES, tsneMaxPoints: TSNE_MAX_POINTS },
  ) {}

  /** The map; a request for one already being computed waits for that one. */
  map(source: ModelSource, method: LatentMethod, jobId?: string): Promise<LatentMap> {
    const key = jobKey(source, method);
    const running = this.jobs.get(key);
    if (running) return running.promise;
    let cancelled = false;
    let projection: WorkerHost<ProjectionOps> | null = null;
    let rejectJob: (err: Error) => void = () => {};
    const cancelledError = () => new ApiError(`the ${method.toUpperCase()} map of run ${source.runId} was cancelled`, 'cancelled');
    const progress = (phase: string, done: number, total: number) => {
      if (!cancelled) this.broadcast({ type: 'job-progress', job: `map:${method}`, runId: source.runId, phase, done, total });
    };
    const work = async (): Promise<LatentMap> => {
      const { maxPoints, maxImageBytes, tsneMaxPoints } = this.limits;
      const base = await this.host.call('mapBase', source, { maxPoints, maxImageBytes }, progress);
      if (cancelled) throw cancelledError();
      if (method === 'pca') return assemble(base, method, null, false);
      const picked = method === 'tsne' && base.indices.length > tsneMaxPoints ? evenSubsample(base.indices.length, tsneMaxPoints) : null;
      const codes = picked ? pick(base.codes, picked, base.info.codeSize) : base.codes;
      const indices = picked ? Int32Array.from(picked, (p) => base.indices[p]!) : base.indices;
      const file = join(source.runDir, 'explore', `${method}-e${base.info.epoch}.bin`);
      const cached = readLayout(file, indices);
      if (cached) return assemble(base, method, { positions: picked, x: cached.x, y: cached.y }, true);
      const job: ProjectionJob = { method, codes, n: indices.length, d: base.info.codeSize, seed: SEED };
      if (cancelled) throw cancelledError();
      // A worker of its own per layout, so a UMAP and a t-SNE map are laid out side by side.
      projection = new WorkerHost<ProjectionOps>({ name: 'projectionWorker', label: 'the projection worker', workerData: null, terminateOnCancel: true });
      let layout;
      try {
        layout = await projection.call('layout', job, { progress, jobId: key });
      } catch (err) {
        throw cancelled ? cancelledError() : new Error(`the ${method.toUpperCase()} map failed: ${(err as Error).message}`);
      } finally {
        void projection.dispose();
      }
      writeLayout(file, { method, epoch: base.info.epoch, indices, x: layout.x, y: layout.y });
      return assemble(base, method, { positions: picked, x: layout.x, y: layout.y }, false);
    };
    const promise = new Promise<LatentMap>((resolve, reject) => {
      rejectJob = reject;
      work().then(resolve, reject);
    }).finally(() => {
      if (this.jobs.get(key)?.promise === promise) this.jobs.delete(key);
    });
    this.jobs.set(key, {
      promise,
      cancel: () => {
        cancelled = true;
        (projection as WorkerHost<ProjectionOps> | null)?.cancel(key);
        rejectJob(cancelledError());
      },
      ...(jobId && { jobId }),
    });
    return promise;
  }

  /** Cancels the map being computed for this run, checkpoint and method; false when there is none. */
  cancel(source: Pick<ModelSource, 'runDir' | 'checkpoint'>, method: LatentMethod): boolean {
    const job = this.jobs.get(jobKey(source, method));
    if (!job) return false;
    job.cancel();
    return true;
  }

  /** Cancels the map the caller named `jobId`; false when none is running. */
  cancelJob(jobId: string): boolean {
    const job = [...this.jobs.values()].find((j) => j.jobId === jobId);
    job?.cancel();
    return Boolean(job);
  }

  /** Ends every map being computed (the app is closing). */
  dispose(): void {
    for (const job of this.jobs.values()) job.cancel();
  }
}

function jobKey(source: Pick<ModelSource, 'runDir' | 'checkpoint'>, method: LatentMethod): string {
  return `${source.runDir}|${source.checkpoint}|${method}`;
}

function pick(codes: Float32Array, positions: number[], d: number): Float32Array {
  const out = new Float32Array(positions.length * d);
  positions.forEach((p, i) => out.set(codes.subarray(p * d, (p + 1) * d), i * d));
  return out;
}

/** A cached layout of exactly these points, or null (none, damaged, or of other points: recomputed). */
function readLayout(file: string, indices: Int32Array): CachedLayout | null {
  let layout: CachedLayout;
  try {
    layout = decodeLayout(new Uint8Array(readFileSafe(file, READ_LIMITS.epochArtifact)));
  } catch {
    return null;
  }
  if (layout.indices.length !== indices.length || layout.indices.some((v, i) => v !== indices[i])) return null;
  return layout;
}

/** Best effort: a map that cannot be cached (a full disk) is still shown. */
function writeLayout(file: string, layout: CachedLayout): void {
  try {
    makeDirs(join(file, '..'));
    writeFileAtomic(file, encodeLayout(layout));
  } catch {
    // Computed again next time.
  }
}

function note(base: MapBase, method: LatentMethod, shown: number): string {
  const parts: string[] = [];
  const d = base.info.codeSize;
  if (shown < base.total) parts.push(`${shown.toLocaleString('en')} of the ${base.total.toLocaleString('en')} validation images (evenly spaced)${method === 'tsne' && shown < base.indices.length ? ': t-SNE’s cost grows faster than the points' : ''}`);
  if (method === 'pca' && base.raw) parts.push('the code is 2-D: the map is the code itself');
  else if (method === 'pca') parts.push(`off the points, the map decodes the code on the PCA plane (the other ${d - 2} component${d - 2 === 1 ? '' : 's'} at the data’s mean)`);
  else parts.push(`${method === 'umap' ? 'UMAP' : 't-SNE'} has no inverse: decode from the points, not from empty space`);
  const text = parts.join('; ');
  return `${text.startsWith('t-SNE') ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`}.`;
}

/** The map as it crosses the contract; `layout` for UMAP and t-SNE (of the points at `positions` of the base, or all). */
function assemble(base: MapBase, method: LatentMethod, layout: { positions: number[] | null; x: Float32Array; y: Float32Array } | null, fromCache: boolean): LatentMap {
  const d = base.info.codeSize;
  const positions = layout?.positions ?? null;
  const at = <T>(all: ArrayLike<T>): T[] => (positions ? positions.map((p) => all[p]!) : Array.from(all));
  let images = base.images;
  let codes = base.codes;
  if (positions) {
    const size = images.height * images.width * images.channels;
    const all = Buffer.from(images.pixels, 'base64');
    const kept = Buffer.alloc(positions.length * size);
    positions.forEach((p, i) => all.copy(kept, i * size, p * size, (p + 1) * size));
    images = { ...images, count: positions.length, pixels: kept.toString('base64') };
    codes = pick(base.codes, positions, d);
  }
  const shown = positions?.length ?? base.indices.length;
  return {
    runId: base.info.runId,
    epoch: base.info.epoch,
    method,
    x: Array.from(layout?.x ?? base.x),
    y: Array.from(layout?.y ?? base.y),
    labels: at(base.labels),
    indices: at(base.indices),
    errors: at(base.errors),
    files: base.files ? at(base.files) : null,
    images,
    codes: Array.from(codes),
    codeSize: d,
    plane: layout ? null : base.plane,
    raw: !layout && base.raw,
    fromCache,
    note: note(base, method, shown),
  };
}
