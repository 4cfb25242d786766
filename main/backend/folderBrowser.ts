/** The backend's folder browser and folder scan summary: what browser mode shows instead of native dialogs. */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import type { FolderListing, FolderSummary } from '../../core/api';
import { IMAGE_EXTENSIONS } from '../../core/data/folder';
import { DatasetError, scanFolder, suggestPreprocessing } from './imageFolder';

const MAX_LISTED_SKIPS = 1000;

/** Subfolders (hidden ones left out) and the number of images directly inside. */
export async function browseFolder(path: string | null): Promise<FolderListing> {
  const dir = resolve(path ?? homedir());
  if (!isAbsolute(dir)) throw new DatasetError(`${path}: give an absolute path`);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(`${dir}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : code === 'EACCES' ? 'permission denied' : `cannot read (${code})`}`);
  }
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  const folders = visible
    .filter((e) => e.isDirectory() || e.isSymbolicLink())
    .map((e) => ({ name: e.name, path: resolve(dir, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const imageCount = visible.filter((e) => e.isFile() && (IMAGE_EXTENSIONS as readonly string[]).includes(extname(e.name).toLowerCase())).length;
  const parent = dirname(dir);
  return { path: dir, parent: parent === dir ? null : parent, folders, imageCount };
}

/** Scans a folder for the dataset dialog: classes, counts, skipped files and suggested settings. */
export async function summarizeFolder(path: string, opts: { signal?: AbortSignal; onFound?: (found: number) => void } = {}): Promise<FolderSummary> {
  const root = resolve(path);
  const scan = await scanFolder(root, opts.signal, opts.onFound);
  if (scan.files.length === 0) {
    throw new DatasetError(`${root}: no image files found (looked for ${IMAGE_EXTENSIONS.join(' ')} in it and its subfolders${scan.skipped.length ? `; ${scan.skipped.length} other files skipped` : ''})`);
  }
  return {
    path: root,
    name: basename(root) || root,
    fileCount: scan.files.length,
    classNames: scan.classNames,
    counts: scan.counts,
    skipped: scan.skipped.slice(0, MAX_LISTED_SKIPS),
    skippedCount: scan.skipped.length,
    suggested: await suggestPreprocessing(scan),
  };
}
