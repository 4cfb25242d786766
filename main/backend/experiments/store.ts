/**
 * Experiments on disk: one folder per sweep, `experiments/<id>/experiment.json` (its varied settings,
 * the planned runs with their values and, once started, their run ids, its state and owning process)
 * and `graph.json` (the graph swept from). experiment.json is replaced through a temp file and a rename.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ExperimentPlan } from '../../../core/experiments/plan';
import { parseGraphText, serializeGraph } from '../../../core/graph/schema';
import type { GraphDoc } from '../../../core/graph/types';
import { writeFileAtomic } from '../atomicFile';
import { describeIssue } from '../runs/format';
import { isRunId, newRunId } from '../runs/naming';

export const EXPERIMENT_FORMAT = 'bottleneck.experiment';
export const EXPERIMENT_VERSION = 1;

const settingValue = z.union([z.number(), z.string(), z.array(z.number().int())]);

const experimentSchema = z.object({
  format: z.literal(EXPERIMENT_FORMAT),
  version: z.number().int(),
  id: z.string(),
  name: z.string(),
  status: z.enum(['running', 'finished', 'stopped', 'interrupted']),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  datasetId: z.string(),
  settings: z.array(z.object({ path: z.string(), label: z.string(), values: z.string(), numeric: z.boolean(), logScale: z.boolean() })),
  random: z.object({ count: z.number().int(), seed: z.number().int() }).nullable(),
  runs: z.array(z.object({ index: z.number().int(), values: z.record(z.string(), settingValue), runId: z.string().nullable() })),
  /** The process that trains the experiment: one that is gone leaves it to be resumed. */
  owner: z.object({ pid: z.number().int(), host: z.string() }).nullable(),
  /** Why it stopped, when it did not stop by a user's hand (a run that could not start). */
  error: z.string().nullable().default(null),
});
export type ExperimentFile = z.infer<typeof experimentSchema>;

export class ExperimentStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    if (!isRunId(id)) throw new Error(`no experiment "${id}"`);
    return join(this.root, id);
  }

  create(plan: ExperimentPlan, graph: GraphDoc, datasetId: string, name: string, random: ExperimentFile['random']): ExperimentFile {
    const id = newRunId();
    const file: ExperimentFile = {
      format: EXPERIMENT_FORMAT,
      version: EXPERIMENT_VERSION,
      id,
      name,
      status: 'running',
      createdAt: new Date().toISOString(),
      endedAt: null,
      datasetId,
      settings: plan.settings,
      random,
      runs: plan.runs.map((r) => ({ index: r.index, values: r.values, runId: null })),
      owner: { pid: process.pid, host: hostname() },
      error: null,
    };
    mkdirSync(this.dir(id), { recursive: true });
    writeFileSync(join(this.dir(id), 'graph.json'), serializeGraph(graph));
    this.write(file);
    return file;
  }

  read(id: string): ExperimentFile {
    const dir = this.dir(id);
    let text: string;
    try {
      text = readFileSync(join(dir, 'experiment.json'), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `no experiment ${id}` : `experiment ${id}: experiment.json cannot be read (${code})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new Error(`experiment ${id}: experiment.json is not valid JSON (${(err as Error).message})`);
    }
    const head = (value ?? {}) as { version?: unknown };
    if (typeof head.version === 'number' && head.version > EXPERIMENT_VERSION) throw new Error(`experiment ${id}: written by a newer Bottleneck (experiment format version ${head.version})`);
    const parsed = experimentSchema.safeParse(value);
    if (!parsed.success) throw new Error(`experiment ${id}: experiment.json: ${describeIssue(parsed.error.issues[0])}`);
    return parsed.data;
  }

  graph(id: string): GraphDoc {
    return parseGraphText(readFileSync(join(this.dir(id), 'graph.json'), 'utf8'));
  }

  write(file: ExperimentFile): void {
    writeFileAtomic(join(this.dir(file.id), 'experiment.json'), `${JSON.stringify(file, null, 2)}\n`);
  }

  update(id: string, patch: (file: ExperimentFile) => Partial<ExperimentFile>): ExperimentFile {
    const file = this.read(id);
    const next = { ...file, ...patch(file) };
    this.write(next);
    return next;
  }

  /** Every readable experiment, newest first; a folder that cannot be read is left out (it names no runs we could train). */
  list(): ExperimentFile[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter(isRunId)
      .sort()
      .reverse()
      .flatMap((id) => {
        try {
          return [this.read(id)];
        } catch {
          return [];
        }
      });
  }
}
