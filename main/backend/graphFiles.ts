import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { GraphFileInfo, GraphFileText } from '../../core/api';
import { excerpt, formatMegabytes, MAX_GRAPH_TEXT_BYTES } from '../../core/limits';
import { writeFileAtomic } from './atomicFile';

export const GRAPH_SUFFIX = '.bottleneck.json';

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
      if (!this.allowed.has(path)) throw new GraphFileStoreError(`${path}: choose the file in the Open or Save dialog first`, 'not-allowed');
      return path;
    }
    const name = path.endsWith(GRAPH_SUFFIX) ? path : `${path}${GRAPH_SUFFIX}`;
    if (basename(name) !== name || !/^[\w][\w .()-]*\.bottleneck\.json$/.test(name)) {
      throw new GraphFileStoreError(`"${excerpt(path)}" is not a usable file name: use letters, digits, spaces, dots, dashes and underscores`, 'bad-name');
    }
    return join(this.dir, name);
  }

  list(): GraphFileInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(GRAPH_SUFFIX))
      .map((f) => {
        const stat = statSync(join(this.dir, f));
        return { path: f, name: f.slice(0, -GRAPH_SUFFIX.length), modifiedAt: stat.mtime.toISOString(), size: stat.size };
      })
      .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
  }

  read(path: string): GraphFileText {
    const file = this.resolve(path);
    if (!existsSync(file)) throw new GraphFileStoreError(`${path}: no such file`, 'not-found');
    if (statSync(file).size > MAX_GRAPH_TEXT_BYTES) throw new GraphFileStoreError(`${path}: larger than ${formatMegabytes(MAX_GRAPH_TEXT_BYTES)}, not a graph file`, 'too-large');
    return { path, text: readFileSync(file, 'utf8') };
  }

  /** Writes atomically; an existing file is replaced only when asked to. */
  write(path: string, text: string, overwrite: boolean): { path: string } {
    const file = this.resolve(path);
    if (!overwrite && existsSync(file)) throw new GraphFileStoreError(`${basename(file)} already exists`, 'exists');
    if (!isAbsolute(path)) mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(file, text);
    return { path: isAbsolute(path) ? path : basename(file) };
  }
}
