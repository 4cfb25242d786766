/** At start-up: runs left queued, running or paused by a process that is gone become interrupted. */
import { hostname } from 'node:os';
import { closeTornMetricsLine } from './artifacts';
import { ACTIVE_STATUSES, readRunFile, writeRunFile, type RunFile } from './format';
import { lastWriteMs, listRuns } from './listing';
import { reconcileWithCheckpoint } from './reconcile';

/** Whether a process of this machine still exists (a process another user owns counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks interrupted every run under `root` still marked queued, running or paused whose process is
 * gone (finished, when its checkpoint shows it saved its last epoch). A run owned by another live
 * process on this machine (a CLI training while the app starts) is left alone, as is one `isLive`
 * names. A torn last metrics line is closed so appends start on a new line. Returns the ids marked.
 */
export function markInterrupted(root: string, dirOf: (runId: string) => string, isLive: (runId: string) => boolean = () => false): string[] {
  const marked: string[] = [];
  for (const summary of listRuns(root)) {
    if (summary.damaged || !ACTIVE_STATUSES.includes(summary.status) || isLive(summary.id)) continue;
    const dir = dirOf(summary.id);
    let run: RunFile;
    try {
      run = readRunFile(dir, summary.id);
    } catch {
      continue;
    }
    const owner = run.owner;
    if (owner && owner.pid !== process.pid && owner.host === hostname() && processAlive(owner.pid)) continue;
    try {
      closeTornMetricsLine(dir);
      // A kill after an epoch's checkpoint but before run.json: the checkpoint says how far it got,
      // and a run whose last epoch was saved is finished, not interrupted.
      const reconciled = reconcileWithCheckpoint(dir, run) ?? run;
      // It ended when it last wrote (an epoch's end), not when this start noticed it.
      writeRunFile(dir, reconciled.status === 'finished' ? reconciled : { ...reconciled, status: 'interrupted', endedAt: run.endedAt ?? new Date(lastWriteMs(dir)).toISOString() });
      marked.push(run.id);
    } catch {
      // A full or read-only disk: the run stays as it was, to be marked at a start that can write.
      // Listing and reading go on, so the app and `bottleneck runs` still start.
    }
  }
  return marked;
}
