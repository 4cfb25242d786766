/** `bottleneck one-class` as a user runs it: the per-class AUC table, equal to core's figures from the runs' scores. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withClasses } from '../core/data/datasetId';
import { oneClassAuc } from '../core/experiments/oneClass';
import { BottleneckBackend } from './backend/service';
import { runCli } from './testCli';

// The first 300 training images hold about 30 of each class; the first 60 validation images hold both classes tested.
const TINY = 'builtin:fashion-mnist?train=300&validation=60';
const home = () => mkdtempSync(join(tmpdir(), 'bottleneck-one-class-'));

/** The table's rows: class, name, then the cells. */
function tableRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => /^CLASS\s+NAME\s+AUC SEED 1\s+MEAN ± STD$/.test(l.trim()));
  expect(head, stdout).toBeGreaterThanOrEqual(0);
  return lines.slice(head + 1, head + 4).map((l) => l.trim().split(/\s{2,}/));
}

describe('bottleneck one-class', () => {
  it('trains a run per class, prints the per-class AUC table with core’s figures from the scores, writes oneClass.json; runs --experiment prints it again', async () => {
    const dir = home();
    const r = runCli(dir, ['one-class', '--template', 'undercomplete', '--classes', '0,1', '--seeds', '1', '--epochs', '1', '--batch-size', '16', '--data', TINY]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^2 runs of data\.classes \(0,1\) × training\.seed \(1\): /);
    const rows = tableRows(r.stdout);
    expect(rows.map((row) => row[0])).toEqual(['0', '1', 'mean']);

    const experimentId = readdirSync(join(dir, 'experiments'))[0]!;
    const backend = new BottleneckBackend({ shell: 'browser', runsRoot: join(dir, 'runs'), experimentsRoot: join(dir, 'experiments'), graphsRoot: join(dir, 'graphs'), settingsPath: join(dir, 'settings.json') });
    let aucs: number[];
    try {
      const detail = await backend.invoke('experiments:detail', { experimentId });
      aucs = await Promise.all(
        detail.runs.map(async (run) => {
          const scored = await backend.invoke('model:score', { runId: run.runId!, checkpoint: 'last', datasetId: withClasses(TINY, null), extremes: 0 });
          expect(scored.count).toBe(60);
          expect((await backend.invoke('runs:detail', { runId: run.runId! })).graph.training.batchSize).toBe(16);
          expect(scored.labels).toContain(0);
          expect(scored.labels).toContain(1);
          return oneClassAuc(scored.errors, scored.labels, (run.values['data.classes'] as number[])[0]!);
        }),
      );
    } finally {
      await backend.dispose();
    }
    // Each class's AUC (under its one seed and as its mean), and the mean of the two.
    const mean = (aucs[0]! + aucs[1]!) / 2;
    expect(rows).toEqual([
      ['0', 'T-shirt/top', aucs[0]!.toFixed(4), aucs[0]!.toFixed(4)],
      ['1', 'Trouser', aucs[1]!.toFixed(4), aucs[1]!.toFixed(4)],
      ['mean', mean.toFixed(4), mean.toFixed(4)],
    ]);
    expect(r.stdout).toContain(`mean AUC over 2 classes: ${mean.toFixed(4)}`);
    const saved = JSON.parse(readFileSync(join(dir, 'experiments', experimentId, 'oneClass.json'), 'utf8'));
    expect(saved.study.rows.map((row: { normalClass: number; aucs: number[] }) => [row.normalClass, row.aucs])).toEqual([
      [0, [aucs[0]]],
      [1, [aucs[1]]],
    ]);
    expect(saved.study.mean).toBeCloseTo(mean, 12);

    const again = runCli(dir, ['runs', '--experiment', experimentId]);
    expect(again.status, again.stderr).toBe(0);
    expect(tableRows(again.stdout)).toEqual(rows);
  });

  it('refuses a class list with + and a seed count out of range in one line, before anything trains', () => {
    const dir = home();
    for (const [args, message] of [
      [['--classes', '0+1'], /^bottleneck: --classes lists the normal classes, one run each/],
      [['--seeds', '0'], /^bottleneck: --seeds must be a whole number from 1 to 20, got "0"/],
      [['--batch-size', '0'], /^bottleneck: --batch-size must be a whole number from 1 to 65,536, got "0"/],
      [['--classes', '0,11'], /^bottleneck: data\.classes: 11 is out of bounds: class 11 is out of range/],
    ] as const) {
      const r = runCli(dir, ['one-class', ...args, '--data', TINY]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(dir).includes('runs') ? readdirSync(join(dir, 'runs')) : []).toEqual([]);
  });
});
