import { closeSync, fsyncSync, openSync, renameSync, writeSync, fdatasyncSync } from 'node:fs';

/** Writes through a temp file and a rename, so a crash leaves either the old file or the new one, whole. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
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

