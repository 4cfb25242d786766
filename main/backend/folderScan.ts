/**
 * Scanning a folder of images: labels from subfolders, hidden entries ignored, links followed only
 * inside the folder, what cannot be read skipped with why. The user's folder is only ever read.
 */
import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { IMAGE_EXTENSIONS, UNLABELED } from '../../core/data/folder';

export interface ScannedFile {
  path: string;
  label: string;
  size: number;
  mtimeMs: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface FolderScan {
  root: string;
  files: ScannedFile[];
  classNames: string[];
  counts: Record<string, number>;
  skipped: SkippedFile[];
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

const isImage = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

/**
 * Walks the folder: hidden entries ignored, labels from the first subfolder. Links are followed
 * only to folders inside the chosen one (so no link leads out, and none can loop); what vanishes
 * while the scan runs, or cannot be read, is skipped and listed with why.
 */
export async function scanFolder(root: string, signal?: AbortSignal, onFound?: (found: number) => void): Promise<FolderScan> {
  let rootStat;
  let realRoot: string;
  try {
    rootStat = await stat(root);
    realRoot = await realpath(root);
  } catch {
    throw new DatasetError(`${root}: no such folder`);
  }
  if (!rootStat.isDirectory()) throw new DatasetError(`${root}: not a folder`);
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>();
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  const walk = async (dir: string): Promise<void> => {
    if (signal?.aborted) throw new DatasetError('cancelled');
    let real: string;
    try {
      real = await realpath(dir);
    } catch (err) {
      skipped.push({ path: dir, reason: unreadable(err, 'folder') });
      return;
    }
    if (!inside(real)) {
      skipped.push({ path: dir, reason: `a link to ${real}, outside the folder: not followed` });
      return;
    }
    if (visited.has(real)) return; // a folder reached twice through a link inside the folder
    visited.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir, reason: unreadable(err, 'folder') });
      return;
    }
    const visible = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
    // Stats in parallel chunks: a folder of 70,000 files would otherwise wait on one stat at a time.
    const infos: (Stats | NodeJS.ErrnoException)[] = [];
    for (let from = 0; from < visible.length; from += 256) {
      infos.push(...(await Promise.all(visible.slice(from, from + 256).map((e) => stat(join(dir, e.name)).catch((err: NodeJS.ErrnoException) => err)))));
    }
    onFound?.(files.length);
    for (let i = 0; i < visible.length; i++) {
      const entry = visible[i]!;
      const path = join(dir, entry.name);
      const info = infos[i]!;
      if (info instanceof Error) {
        skipped.push({ path, reason: entry.isSymbolicLink() && info.code === 'ENOENT' ? 'broken link' : unreadable(info, 'file') });
        continue;
      }
      if (info.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!info.isFile()) continue;
      if (!isImage(entry.name)) {
        skipped.push({ path, reason: `not an image file (${extname(entry.name) || 'no extension'})` });
        continue;
      }
      if (info.size === 0) {
        skipped.push({ path, reason: 'empty file' });
        continue;
      }
      const parts = relative(root, path).split(sep);
      files.push({ path, label: parts.length > 1 ? parts[0]! : UNLABELED, size: info.size, mtimeMs: info.mtimeMs });
    }
  };
  await walk(root);
  const counts: Record<string, number> = {};
  for (const f of files) counts[f.label] = (counts[f.label] ?? 0) + 1;
  return { root, files, classNames: Object.keys(counts).sort(), counts, skipped };
}

/** Why an entry the scan listed could not be read: gone since (ENOENT), or the system's code. */
function unreadable(err: unknown, what: 'file' | 'folder'): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? `the ${what} vanished during the scan` : `cannot read ${what} (${code})`;
}
