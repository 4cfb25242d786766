import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface AtomicWriteHooks {
  /** Runs after the temp file is written and flushed, before the rename (tests simulate a crash here). */
  beforeRename?: (tmp: string) => void;
}

/**
 * Writes all of `data`: on a disk that fills, write(2) stores what fits and returns a short count
 * without an error, so one writeSync would lose the rest silently. The next write reports ENOSPC.
 */
export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** NAME_MAX on Linux, macOS and Windows. */
const MAX_FILE_NAME_BYTES = 255;

/** The temp file beside `path` (a rename is atomic only within one folder), short enough for any name `path` may have. */
export function tempPath(path: string): string {
  const name = `${basename(path)}.${process.pid}.tmp`;
  if (Buffer.byteLength(name) <= MAX_FILE_NAME_BYTES) return `${path}.${process.pid}.tmp`;
  return join(dirname(path), `.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes through a temp file and a rename, so a crash leaves either the old file or the new one,
 * whole. A write that fails (a full disk) removes its temp file and leaves the old file as it was.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array, hooks: AtomicWriteHooks = {}): void {
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    hooks.beforeRename?.(tmp);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
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

/**
 * Appends and flushes to disk before returning. A write that fails part-way (a full disk) is cut
 * back off, so the file holds whole lines only: what was there before stays readable.
 */
export function appendDurable(path: string, text: string): void {
  const fd = openSync(path, 'a');
  try {
    const { size } = fstatSync(fd);
    try {
      writeAll(fd, text);
      fdatasyncSync(fd);
    } catch (err) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // Nothing more can be done; a reader skips a torn last line.
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * mkdir -p that cannot spin: Node's recursive mkdir retries forever where mkdir answers ENOENT under
 * a folder that exists (/proc, /sys). Finds the nearest folder that exists, then makes each missing
 * one below it once; the first refusal is thrown as it is (its message names the folder).
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(at);
      if (dirname(at) === at) break;
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`ENOTDIR: not a folder, mkdir '${at}'`), { code: 'ENOTDIR', path: at });
    break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
