/** `bottleneck train --resume ID --epochs N`: a finished run trains on, exactly as an uninterrupted one. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const DATA = 'builtin:fashion-mnist?train=512&validation=128';

function cli(args: string[], home: string) {
  // One thread: each step's sums come in the same order in both runs.
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), ...args], { cwd: root, env: { ...process.env, BOTTLENECK_HOME: home, BOTTLENECK_THREADS: '1' }, encoding: 'utf8', timeout: 110_000 });
}

type Event = { type: string; runId: string; epoch?: number; val_loss?: number; loss?: number; startEpoch?: number };
const events = (stdout: string): Event[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);
const epochEnds = (stdout: string) => events(stdout).filter((e) => e.type === 'epoch-end');

describe('bottleneck train --resume ID --epochs N', () => {
  it('continues a finished 2-epoch run to 4, equal to a 4-epoch run within 1e-5 per epoch', () => {
    const home = mkdtempSync(join(tmpdir(), 'bottleneck-continue-'));
    // A step schedule with warm-up and weight decay: each depends on the step alone, so continuing is exact.
    const common = ['--data', DATA, '--batch-size', '64', '--schedule', 'step', '--warmup', '1', '--weight-decay', '0.001', '--json'];
    const first = cli(['train', '--epochs', '2', ...common], home);
    expect(first.status, first.stderr).toBe(0);
    const runId = events(first.stdout)[0]!.runId;
    const graph = JSON.parse(readFileSync(join(home, 'runs', runId, 'graph.json'), 'utf8'));
    expect(graph.training).toMatchObject({ weightDecay: 0.001, schedule: { kind: 'step', warmupEpochs: 1 } });

    const refused = cli(['train', '--resume', runId], home);
    expect([refused.status, refused.stderr.trim()]).toEqual([2, `bottleneck: run ${runId} already finished all 2 epochs: give a new total of epochs above 2 to train more`]);

    const continued = cli(['train', '--resume', runId, '--epochs', '4', '--json'], home);
    expect(continued.status, continued.stderr).toBe(0);
    expect(events(continued.stdout).find((e) => e.type === 'run-started')).toMatchObject({ runId, startEpoch: 2 });
    const whole = cli(['train', '--epochs', '4', ...common], home);
    expect(whole.status, whole.stderr).toBe(0);

    const resumed = [...epochEnds(first.stdout), ...epochEnds(continued.stdout)];
    const uninterrupted = epochEnds(whole.stdout);
    expect(resumed.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    resumed.forEach((e, i) => {
      expect(Math.abs(e.val_loss! - uninterrupted[i]!.val_loss!), `val_loss at epoch ${e.epoch}`).toBeLessThan(1e-5);
      expect(Math.abs(e.loss! - uninterrupted[i]!.loss!), `loss at epoch ${e.epoch}`).toBeLessThan(1e-5);
    });
    const shown = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), 'runs', '--json'], { cwd: root, env: { ...process.env, BOTTLENECK_HOME: home }, encoding: 'utf8' });
    expect(JSON.parse(shown.stdout).find((r: { id: string }) => r.id === runId)).toMatchObject({ status: 'finished', epochsDone: 4, epochs: 4 });
  });
});
