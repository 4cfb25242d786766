/**
 * A folder of files written for the user (a model export, a run export) is whole or not there: the
 * files go to a hidden folder inside it and are moved up at the end, and a folder that already holds
 * files is never written into.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { excerpt } from '../../core/limits';
import { describeWriteError, isDiskError } from './diskErrors';
import { outputFault } from './outputFiles';
import { ExportRefused } from './runExport';

/** Refuses a target that exists and is not an empty folder. */
export function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new ExportRefused(`${dir} exists and is not a folder`);
  if (readdirSync(dir).length > 0) throw new ExportRefused(`${dir} is not empty: export into a new or empty folder`);
}

/**
 * Has `fill` write every file into a hidden staging folder inside `dir`, then moves the staged
 * entries up into it. A `dir` that does not exist is made first (a path that cannot be made is an
 * ExportRefused, as a bad --out is); an existing empty one (the user's, with its permissions) is
 * kept. A failure removes whatever was staged or moved, and the folder when it was made here, and
 * throws `cannot write the export to <dir>: <cause>` (an ExportRefused as it is).
 */
export function writeStagedFolder(dir: string, fill: (staging: string) => void): void {
  const made = !existsSync(dir);
  if (made) {
    try {
      mkdirSync(dir);
    } catch (err) {
      // A full or read-only disk is no fault of the path given.
      if (isDiskError(err)) throw new Error(`cannot write the export to ${excerpt(dir, 200)}: ${describeWriteError(err)}`, { cause: err });
      throw new ExportRefused(`cannot make ${excerpt(dir, 200)}: ${describeWriteError(err)}`);
    }
  }
  const staging = join(dir, `.bottleneck-export-${randomBytes(4).toString('hex')}`);
  const moved: string[] = [];
  try {
    mkdirSync(staging);
    fill(staging);
    // The folder may have been filled while the files were written.
    if (readdirSync(dir).some((name) => join(dir, name) !== staging)) throw new ExportRefused(`${dir} is not empty: export into a new or empty folder`);
    for (const name of readdirSync(staging)) {
      renameSync(join(staging, name), join(dir, name));
      moved.push(join(dir, name));
    }
    rmdirSync(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    for (const path of moved) rmSync(path, { recursive: true, force: true });
    if (made) removeIfEmpty(dir);
    if (err instanceof ExportRefused) throw err;
    throw new Error(`cannot write the export to ${excerpt(dir, 200)}: ${outputFault(dir, err)}`, { cause: err });
  }
}

/** Only an empty folder is removed: whatever another program put there stays. */
function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or already gone.
  }
}
