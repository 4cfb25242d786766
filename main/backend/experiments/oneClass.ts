/**
 * The one-class study of an experiment that trains one run per class: each finished run scored on
 * the validation split of every class, its AUC kept in the experiment's oneClass.json (a run is scored
 * once; a run that trained again since is scored again), and the per-class table made from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ExperimentDetail, OneClassResult, ScoreResult } from '../../../core/api';
import { withClasses } from '../../../core/data/datasetId';
import { isOneClassStudy, normalClassOf, oneClassAuc, oneClassStudy, seedOf, type OneClassScore } from '../../../core/experiments/oneClass';
import { writeFileAtomic } from '../atomicFile';

export const ONE_CLASS_FILE = 'oneClass.json';
const FORMAT = 'bottleneck.one-class';

const cacheSchema = z.object({
  format: z.literal(FORMAT),
  classNames: z.array(z.string()).nullable(),
  runs: z.array(z.object({ runId: z.string(), endedAt: z.string().nullable(), normalClass: z.number().int(), seed: z.number().nullable(), auc: z.number().nullable() })),
});
type Cache = z.infer<typeof cacheSchema>;
type CachedScore = Cache['runs'][number];

export interface OneClassHost {
  detail(experimentId: string): ExperimentDetail;
  dir(experimentId: string): string;
  /** Scores a run's model on a dataset's validation split. */
  score(runId: string, datasetId: string): Promise<Pick<ScoreResult, 'errors' | 'labels' | 'classNames'>>;
}

/** The study, or null when the experiment is not one (it varies more than the classes and the seed, or trains runs on several classes). */
export async function oneClassStudyOf(host: OneClassHost, experimentId: string): Promise<OneClassResult | null> {
  const detail = host.detail(experimentId);
  if (!isOneClassStudy(detail.summary.settings, detail.runs)) return null;
  const file = join(host.dir(experimentId), ONE_CLASS_FILE);
  const cached = readCache(file);
  // Every class's images, whatever the run trained on.
  const datasetId = withClasses(detail.summary.datasetId, null);
  let classNames = cached.classNames;
  const runs: CachedScore[] = [];
  for (const row of detail.runs) {
    if (!row.runId || row.run?.status !== 'finished') continue;
    const normalClass = normalClassOf(row.values)!;
    const seed = seedOf(row.values);
    const endedAt = row.run.endedAt;
    const known = cached.runs.find((c) => c.runId === row.runId && c.endedAt === endedAt);
    if (known) {
      runs.push(known);
      continue;
    }
    let scored;
    try {
      scored = await host.score(row.runId, datasetId);
    } catch (err) {
      // What was scored so far is kept for the next try.
      save(file, classNames, runs, experimentId, datasetId);
      throw new Error(`run ${row.index + 1} (${row.runId}) could not be scored: ${(err as Error).message}`);
    }
    classNames = scored.classNames;
    const auc = oneClassAuc(scored.errors, scored.labels, normalClass);
    runs.push({ runId: row.runId, endedAt, normalClass, seed, auc: Number.isFinite(auc) ? auc : null });
  }
  return save(file, classNames, runs, experimentId, datasetId);
}

/** The table from the runs' figures, written with them to oneClass.json. */
function save(file: string, classNames: string[] | null, runs: CachedScore[], experimentId: string, datasetId: string): OneClassResult {
  const scores: OneClassScore[] = runs.flatMap((r) => (r.auc === null ? [] : [{ runId: r.runId, normalClass: r.normalClass, seed: r.seed, auc: r.auc }]));
  const result: OneClassResult = { experimentId, datasetId, ...oneClassStudy(scores, classNames) };
  writeFileAtomic(file, `${JSON.stringify({ format: FORMAT, classNames, runs, study: result }, null, 2)}\n`);
  return result;
}

function readCache(file: string): Cache {
  const none: Cache = { format: FORMAT, classNames: null, runs: [] };
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : none;
  } catch {
    // None yet, or unreadable: every run is scored again.
    return none;
  }
}
