/** `bottleneck sweep` and `bottleneck runs --experiment`, as a user runs them; a sweep killed with SIGKILL resumes. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BottleneckBackend } from './backend/service';
import { runCli } from './testCli';

const root = join(import.meta.dirname, '..');
const TINY = 'builtin:fashion-mnist?train=40&validation=16';
const home = () => mkdtempSync(join(tmpdir(), 'bottleneck-sweep-'));

/** The runs of a workspace with their run.json, as another process sees them on disk. */
function runsOnDisk(dir: string): { id: string; status: string; endedAt: string | null; epochsDone: number; experiment?: { id: string; index: number }; metricsBytes: number }[] {
  const runs = join(dir, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((id) => existsSync(join(runs, id, 'run.json')))
    .flatMap((id) => {
      try {
        const run = JSON.parse(readFileSync(join(runs, id, 'run.json'), 'utf8'));
        return [{ id, status: run.status, endedAt: run.endedAt, epochsDone: run.epochsDone, experiment: run.experiment, metricsBytes: statSync(join(runs, id, 'metrics.jsonl')).size }];
      } catch {
        return []; // being replaced this instant
      }
    });
}

describe('bottleneck sweep', () => {
  it('refuses a bad setting or value in one line with exit 2, before anything trains', () => {
    const dir = home();
    for (const [vary, message] of [
      ['bottleneck.size=2,4', /^bottleneck: unknown setting "bottleneck\.size"/],
      ['bottleneck.units=0,4', /^bottleneck: bottleneck\.units: 0 is out of bounds: Code size must be between 1 and/],
      ['training.learningRate=1e-4..1e-2:log', /^bottleneck: training\.learningRate: a range needs a count/],
      ['units', /^bottleneck: --vary takes SETTING=VALUES/],
    ] as const) {
      const r = runCli(dir, ['sweep', '--vary', vary, '--data', TINY]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(runsOnDisk(dir)).toEqual([]);
    expect(existsSync(join(dir, 'experiments')) ? readdirSync(join(dir, 'experiments')) : []).toEqual([]);
  });

  it('trains every run, prints the count first and the results table last; runs --experiment prints it again', () => {
    const dir = home();
    const r = runCli(dir, ['sweep', '--template', 'undercomplete', '--vary', 'bottleneck.units=2,8', '--epochs', '2', '--data', TINY]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^2 runs of bottleneck\.units \(2,8\): no finished run yet to estimate the time from$/);
    const id = /^experiment (\S+)/m.exec(r.stdout)![1]!;
    expect(r.stdout).toMatch(/#\s+bottleneck\.units\s+BEST VAL\s+EPOCH\s+FINAL VAL_LOSS\s+TIME\s+PARAMS\s+STATUS\s+RUN/);
    const rows = r.stdout.split('\n').filter((l) => / finished /.test(l));
    expect(rows.map((l) => l.replace('★', '').trim().split(/\s+/).slice(0, 2))).toEqual([['1', '2'], ['2', '8']]);
    expect(r.stdout.match(/★/g)).toHaveLength(2); // the best row, and the line naming it
    const again = runCli(dir, ['runs', '--experiment', id.slice(-4)]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(r.stdout);
    // A second sweep estimates its time from the runs before it.
    const next = runCli(dir, ['sweep', '--vary', 'training.seed=1,2,3', '--epochs', '2', '--data', TINY, '--random', '1']);
    expect(next.stderr.split('\n')[0]).toMatch(/^1 run of training\.seed \(1,2,3\), 1 random draws with seed 0: about .* \(from run .* per epoch\)$/);
  });

  it('killed with SIGKILL after its second run, resumes the rest at the next start and trains no finished run again', async () => {
    const dir = home();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), 'sweep', '--vary', 'bottleneck.units=2,3,4,5', '--epochs', '40', '--data', TINY], {
      cwd: root,
      env: { ...process.env, BOTTLENECK_HOME: dir },
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    await expect.poll(() => runsOnDisk(dir).filter((r) => r.status === 'finished').length, { timeout: 120_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    child.kill('SIGKILL');
    await exited;
    const before = runsOnDisk(dir).filter((r) => r.status === 'finished');
    const experimentId = readdirSync(join(dir, 'experiments'))[0]!;

    const backend = new BottleneckBackend({ shell: 'browser', runsRoot: join(dir, 'runs'), experimentsRoot: join(dir, 'experiments'), graphsRoot: join(dir, 'graphs'), settingsPath: join(dir, 'settings.json') });
    try {
      expect(await backend.resumeExperiments()).toEqual([experimentId]);
      await expect.poll(async () => (await backend.invoke('experiments:detail', { experimentId })).summary.status, { timeout: 120_000, interval: 100 }).toBe('finished');
      const detail = await backend.invoke('experiments:detail', { experimentId });
      expect(detail.runs.map((r) => [r.values['bottleneck.units'], r.run?.status, r.run?.epochsDone, r.run?.codeSize])).toEqual([
        [2, 'finished', 40, 2],
        [3, 'finished', 40, 3],
        [4, 'finished', 40, 4],
        [5, 'finished', 40, 5],
      ]);
      // The runs that had finished are the experiment's, untouched: same end, same metrics.
      const after = runsOnDisk(dir);
      for (const run of before) {
        expect(after.find((r) => r.id === run.id)).toEqual(run);
        expect(detail.runs[run.experiment!.index]!.runId).toBe(run.id);
      }
      // Each planned run finished once: none was trained twice.
      const finished = after.filter((r) => r.status === 'finished').map((r) => r.experiment!.index);
      expect(finished.sort()).toEqual([0, 1, 2, 3]);
    } finally {
      await backend.dispose();
    }
  });
});
