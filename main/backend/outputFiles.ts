/**
 * Files a command writes where the user asked (a sample grid, codes, scores): each written to a temp
 * file beside it and renamed into place only when all are whole, so a full disk or a refused folder
 * leaves nothing half-written, and the error names the file and the cause in the user's words.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { tempPath, writeAll } from './atomicFile';
import { describeWriteError } from './diskErrors';

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

/** Why `path` cannot be written, from the system's refusal, in words that point at the fix. */
export function outputFault(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const dir = dirname(path);
  if (code === 'ENOENT') return existsSync(dir) ? `${dir} does not take new files` : `the folder ${dir} does not exist`;
  if (code === 'EISDIR') return 'a folder has that name';
  if (code === 'ENOTDIR') return `${dir} is not a folder`;
  return describeWriteError(err);
}

/**
 * Writes every file whole or none: each is staged as a temp file beside it, and only when all are
 * staged are they renamed into place, so a full disk leaves the user's older files as they were.
 * Throws `cannot write <path>: <cause>`.
 */
export function writeOutputFiles(files: readonly OutputFile[]): void {
  const staged: { tmp: string; path: string }[] = [];
  const fail = (path: string, err: unknown): never => {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw new Error(`cannot write ${path}: ${outputFault(path, err)}`, { cause: err });
  };
  for (const file of files) {
    const tmp = tempPath(file.path);
    try {
      staged.push({ tmp, path: file.path });
      const fd = openSync(tmp, 'wx');
      try {
        writeAll(fd, file.data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      fail(file.path, err);
    }
  }
  const placed: string[] = [];
  for (const { tmp, path } of staged) {
    try {
      renameSync(tmp, path);
      placed.push(path);
    } catch (err) {
      // The files already moved belong with this one: none of them stays.
      for (const p of placed) rmSync(p, { force: true });
      fail(path, err);
    }
  }
}
