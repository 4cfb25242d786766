/** The backend's folder browser and folder scan summary: what browser mode shows instead of native dialogs. */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import type { FolderListing, FolderSummary } from '../../core/api';
import { defaultPreprocessing, IMAGE_EXTENSIONS } from '../../core/data/folder';
import { DatasetError, scanFolder } from './folderScan';
import { excerpt } from '../../core/limits';
import { inspectImages } from './imageInspect';

const MAX_LISTED_SKIPS = 1000;

/** Subfolders (hidden ones left out) and the number of images directly inside. */
export async function browseFolder(path: string | null): Promise<FolderListing> {
  // Checked before resolving: a relative path would be taken from wherever the server was started.
  if (path !== null && !isAbsolute(path)) throw new DatasetError(`give a full path (from / or a drive), got "${excerpt(path)}"`);
  const dir = resolve(path ?? homedir());
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : code === 'EACCES' ? 'permission denied' : code === 'ENAMETOOLONG' ? 'the path is too long' : `cannot read (${code})`;
    throw new DatasetError(`${excerpt(dir, 200)}: ${reason}`);
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

/**
 * Scans a folder for the dataset dialog: classes, counts, the files that will be skipped (with the
 * reason), those with transparency, and the settings suggested from every image's header.
 */
export async function summarizeFolder(path: string, opts: { signal?: AbortSignal; onFound?: (found: number) => void; onChecked?: (checked: number, total: number) => void } = {}): Promise<FolderSummary> {
  const root = resolve(path);
  const scan = await scanFolder(root, opts.signal, opts.onFound);
  if (scan.files.length === 0) {
    throw new DatasetError(`${root}: no image files found (looked for ${IMAGE_EXTENSIONS.join(' ')} in it and its subfolders${scan.skipped.length ? `; ${scan.skipped.length} other files skipped` : ''})`);
  }
  const onChecked = opts.onChecked && ((checked: number) => opts.onChecked!(checked, scan.files.length));
  const inspection = await inspectImages(scan, { ...(opts.signal && { signal: opts.signal }), ...(onChecked && { onChecked }) }).catch((err: Error) => {
    throw opts.signal?.aborted ? new DatasetError('cancelled') : err;
  });
  const left = new Set(inspection.skipped.map((s) => s.path));
  const kept = scan.files.filter((f) => !left.has(f.path));
  const skipped = [...scan.skipped, ...inspection.skipped];
  if (kept.length === 0) throw new DatasetError(`${root}: no image can be read (${skipped.length} files skipped; the first: ${skipped[0]!.path}: ${skipped[0]!.reason})`);
  const counts: Record<string, number> = {};
  for (const f of kept) counts[f.label] = (counts[f.label] ?? 0) + 1;
  return {
    path: root,
    name: basename(root) || root,
    fileCount: kept.length,
    classNames: Object.keys(counts).sort(),
    counts,
    skipped: skipped.slice(0, MAX_LISTED_SKIPS),
    skippedCount: skipped.length,
    transparent: inspection.transparent.slice(0, MAX_LISTED_SKIPS),
    transparentCount: inspection.transparent.length,
    suggested: defaultPreprocessing(inspection.probes),
  };
}
