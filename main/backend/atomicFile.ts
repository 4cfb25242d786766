import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AtomicWriteHooks {
  /** Runs after the temp file is written and flushed, before the rename (tests simulate a crash here). */
  beforeRename?: (tmp: string) => void;
}

/** Writes through a temp file and a rename, so a crash leaves either the old file or the new one, whole. */
export function writeFileAtomic(path: string, text: string, hooks: AtomicWriteHooks = {}): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  hooks.beforeRename?.(tmp);
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/** Flushes a folder's entries so a rename survives power loss (best effort: not every platform allows it). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Appends and flushes to disk before returning. */
export function appendDurable(path: string, text: string): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, text);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
