import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { GraphFileInfo, GraphFileText } from '../../core/api';
import { excerpt, MAX_GRAPH_TEXT_BYTES } from '../../core/limits';
import { makeDirs, writeFileAtomic } from './atomicFile';
import { describeReadError, readTextSafe, UnreadableFileError } from './safeRead';

export const GRAPH_SUFFIX = '.bottleneck.json';
/** The longest file name most file systems allow. */
const MAX_NAME_BYTES = 255;

export class GraphFileStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'exists' | 'not-found' | 'bad-name' | 'not-allowed' | 'too-large',
  ) {
    super(message);
  }
}

/**
 * Graph files: by name inside the workspace's graphs/ folder (browser mode), or at absolute paths the
 * user picked in a native dialog (the desktop app registers those with `allow`). Nothing else is reachable.
 */
export class GraphFiles {
  private allowed = new Set<string>();

  constructor(readonly dir: string) {}

  allow(path: string): void {
    this.allowed.add(path);
  }

  resolve(path: string): string {
    if (isAbsolute(path)) {
      if (!this.allowed.has(path)) throw new GraphFileStoreError(`${excerpt(path)}: choose the file in the Open or Save dialog first`, 'not-allowed');
      return path;
    }
    const name = path.endsWith(GRAPH_SUFFIX) ? path : `${path}${GRAPH_SUFFIX}`;
    if (basename(name) !== name || !/^[\w][\w .()-]*\.bottleneck\.json$/.test(name)) {
      throw new GraphFileStoreError(`"${excerpt(path)}" is not a usable file name: use letters, digits, spaces, dots, dashes and underscores`, 'bad-name');
    }
    // The name is ASCII (checked above): its length is its size, which no file system allows past 255.
    if (name.length > MAX_NAME_BYTES) {
      throw new GraphFileStoreError(`"${excerpt(path)}" is too long: a graph's name can have at most ${MAX_NAME_BYTES - GRAPH_SUFFIX.length} characters`, 'bad-name');
    }
    return join(this.dir, name);
  }

  list(): GraphFileInfo[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((f) => f.endsWith(GRAPH_SUFFIX))
      .flatMap((f) => {
        // Only regular files (a link is followed); a dangling link or a FIFO is not a graph.
        let stat;
        try {
          stat = statSync(join(this.dir, f));
        } catch {
          return [];
        }
        return stat.isFile() ? [{ path: f, name: f.slice(0, -GRAPH_SUFFIX.length), modifiedAt: stat.mtime.toISOString(), size: stat.size }] : [];
      })
      .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
  }

  /**
   * Reads a graph file: a regular file, at most MAX_GRAPH_TEXT_BYTES, and for a name in the graphs
   * folder one that really lies there (a link planted in the folder that leads out of it is refused).
   */
  read(path: string): GraphFileText {
    const file = this.resolve(path);
    let real: string;
    try {
      real = realpathSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new GraphFileStoreError(`${excerpt(path)}: no such file`, 'not-found');
      throw new GraphFileStoreError(`${excerpt(path)}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'not-allowed');
    }
    if (!isAbsolute(path)) {
      const folder = realpathSync(this.dir);
      if (dirname(real) !== folder) throw new GraphFileStoreError(`${excerpt(path)}: a link to a file outside the graphs folder; not read`, 'not-allowed');
    }
    return { path, text: readRegularFile(real, path) };
  }

  /** Writes atomically; an existing file is replaced only when asked to. */
  write(path: string, text: string, overwrite: boolean): { path: string } {
    const file = this.resolve(path);
    if (!overwrite && existsSync(file)) throw new GraphFileStoreError(`${basename(file)} already exists`, 'exists');
    if (!isAbsolute(path)) makeDirs(this.dir);
    writeFileAtomic(file, text);
    return { path: isAbsolute(path) ? path : basename(file) };
  }
}

function readRegularFile(file: string, shown: string): string {
  try {
    return readTextSafe(file, MAX_GRAPH_TEXT_BYTES, excerpt(shown));
  } catch (err) {
    if (err instanceof UnreadableFileError) {
      throw new GraphFileStoreError(err.kind === 'too-large' ? `${err.message}, not a graph file` : `${err.message}, not read`, err.kind === 'too-large' ? 'too-large' : 'not-allowed');
    }
    throw new GraphFileStoreError(describeReadError(excerpt(shown), err), 'not-allowed');
  }
}
