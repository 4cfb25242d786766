/** Deleted runs wait in runs/.trash/<id> (or <id>~2, <id>~3, … when deleted again) until restored. */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const TRASH = '.trash';

/** Names in the trash for a run, oldest first: <id>, <id>~2, <id>~3, … */
function trashNames(trashDir: string, id: string): string[] {
  let names: string[];
  try {
    names = readdirSync(trashDir);
  } catch {
    return [];
  }
  const n = (name: string) => (name === id ? 1 : Number(name.slice(id.length + 1)));
  return names.filter((name) => name === id || (name.startsWith(`${id}~`) && /^\d+$/.test(name.slice(id.length + 1)))).sort((a, b) => n(a) - n(b));
}

/** Whether a run is in the trash (deleted, not restored). */
export function inTrash(trashDir: string, id: string): boolean {
  return trashNames(trashDir, id).length > 0;
}

function freeTrashName(trashDir: string, id: string): string {
  const names = trashNames(trashDir, id);
  if (names.length === 0) return id;
  const last = names.at(-1)!;
  return `${id}~${(last === id ? 1 : Number(last.slice(id.length + 1))) + 1}`;
}

/** Moves run folders into the trash; `refusal` is asked for each first and stops everything with its reason. */
export function moveToTrash(trashDir: string, ids: string[], dirOf: (id: string) => string, refusal: (id: string) => string | null): string[] {
  for (const id of ids) {
    if (!existsSync(dirOf(id))) throw new Error(`no run ${id}`);
    const reason = refusal(id);
    if (reason) throw new Error(reason);
  }
  mkdirSync(trashDir, { recursive: true });
  for (const id of ids) renameSync(dirOf(id), join(trashDir, freeTrashName(trashDir, id)));
  return ids;
}

/** Brings runs back from the trash (the most recently deleted copy of each); all are checked before any moves. */
export function restoreFromTrash(trashDir: string, ids: string[], dirOf: (id: string) => string): string[] {
  const found = new Map<string, string>();
  for (const id of ids) {
    if (existsSync(dirOf(id))) throw new Error(`run ${id} already exists: nothing to restore`);
    const name = trashNames(trashDir, id).at(-1);
    if (!name) throw new Error(`run ${id} is not in the trash`);
    found.set(id, name);
  }
  for (const [id, name] of found) renameSync(join(trashDir, name), dirOf(id));
  return ids;
}

/** The bytes under a path: files' sizes, folders walked, links counted as themselves (never followed). */
function sizeOf(path: string): number {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** Deleted runs waiting in the trash (one per folder: a run deleted twice counts twice) and the bytes they take. */
export function trashUsage(trashDir: string): { runs: number; bytes: number } {
  const names = existsSync(trashDir) ? readdirSync(trashDir) : [];
  return { runs: names.length, bytes: names.reduce((sum, name) => sum + sizeOf(join(trashDir, name)), 0) };
}

/** Deletes everything in the trash for good; says what it removed. The trash folder itself stays. */
export function emptyTrash(trashDir: string): { runs: number; bytes: number } {
  const usage = trashUsage(trashDir);
  for (const name of existsSync(trashDir) ? readdirSync(trashDir) : []) rmSync(join(trashDir, name), { recursive: true, force: true });
  return usage;
}
