import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MetricPoint } from '../../core/api';
import { EPOCH_FILE } from './runs/artifacts';
import { NOTES_FILE } from './runs/notes';
import type { RunStore } from './runs/store';
import { checkTarget, writeStagedFolder } from './stagedFolder';
import { makeDirs } from './atomicFile';
import { describeWriteError } from './diskErrors';
import { excerpt } from '../../core/limits';

/** The export was refused before anything was written (a user error: the CLI exits 2). */
export class ExportRefused extends Error {}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** metrics.jsonl as CSV: one row per metric value, epoch,step,key,value,t. */
export function metricsCsv(metrics: MetricPoint[]): string {
  const rows = metrics.map((m) => [m.epoch, m.step, csvField(m.key), m.value, m.t].join(','));
  return `epoch,step,key,value,t\n${rows.map((r) => `${r}\n`).join('')}`;
}

/**
 * Copies a run into `out`: run.json, graph.json, metrics.jsonl, metrics.csv, notes.json, latent/ and samples/
 * (not the checkpoints). `out` must be new or empty, and nothing is ever overwritten; the folder
 * appears whole or not at all (a full disk leaves nothing behind).
 */
export function exportRun(store: RunStore, runId: string, out: string): { dir: string; files: string[] } {
  const src = store.dir(runId);
  if (!existsSync(src)) throw new ExportRefused(`no run ${runId} in ${store.root}`);
  const { metrics } = store.readMetrics(runId);
  store.read(runId); // a damaged run.json stops the export with its reason
  const dir = resolve(out);
  checkTarget(dir);
  try {
    makeDirs(dirname(dir));
  } catch (err) {
    throw new ExportRefused(`cannot make ${excerpt(dirname(dir), 200)}: ${describeWriteError(err)}`);
  }
  const files: string[] = [];
  writeStagedFolder(dir, (staging) => {
    const copy = (rel: string) => {
      copyFileSync(join(src, rel), join(staging, rel), constants.COPYFILE_EXCL);
      files.push(rel);
    };
    for (const rel of ['run.json', 'graph.json', 'metrics.jsonl', NOTES_FILE]) if (existsSync(join(src, rel))) copy(rel);
    writeFileSync(join(staging, 'metrics.csv'), metricsCsv(metrics), { flag: 'wx' });
    files.push('metrics.csv');
    for (const folder of ['latent', 'samples']) {
      mkdirSync(join(staging, folder));
      const names = existsSync(join(src, folder)) ? readdirSync(join(src, folder)).filter((n) => EPOCH_FILE.test(n)).sort() : [];
      for (const name of names) copy(`${folder}/${name}`);
    }
  });
  return { dir, files };
}
