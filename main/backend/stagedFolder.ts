/**
 * A folder of files written for the user (a model export, a run export) appears whole or not at
 * all: the files go to a hidden sibling folder that is renamed into place at the end, and a folder
 * that already holds files is never written into.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { excerpt } from '../../core/limits';
import { makeDirs } from './atomicFile';
import { outputFault } from './outputFiles';
import { ExportRefused } from './runExport';

/** Refuses a target that exists and is not an empty folder. */
export function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new ExportRefused(`${dir} exists and is not a folder`);
  if (readdirSync(dir).length > 0) throw new ExportRefused(`${dir} is not empty: export into a new or empty folder`);
}

/**
 * Has `fill` write every file into a hidden staging folder, then moves it into place: a new `dir`
 * is the staging folder renamed; an existing empty `dir` (the user's, with its permissions) is kept
 * and the staged entries are moved into it. A failure removes whatever was staged or moved and
 * throws `cannot write the export to <dir>: <cause>` (an ExportRefused as it is).
 */
export function writeStagedFolder(dir: string, fill: (staging: string) => void): void {
  const exists = existsSync(dir);
  const staging = join(exists ? dir : dirname(dir), `.bottleneck-export-${randomBytes(4).toString('hex')}`);
  const moved: string[] = [];
  try {
    makeDirs(staging);
    fill(staging);
    if (!exists) {
      if (existsSync(dir)) throw new ExportRefused(`${dir} appeared while the files were written: export again into a new or empty folder`);
      renameSync(staging, dir);
      return;
    }
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
    if (err instanceof ExportRefused) throw err;
    throw new Error(`cannot write the export to ${excerpt(dir, 200)}: ${outputFault(dir, err)}`, { cause: err });
  }
}
