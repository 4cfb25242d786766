import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HERE } from './paths';

/**
 * A worker thread's entry: the bundled `<name>.cjs` beside the bundle, or from source the
 * `<name>.dev.mjs` loader that runs the TypeScript through tsx (loader flags do not reach workers).
 * Null when neither is there.
 */
export function workerFile(name: string): string | null {
  for (const file of [`${name}.cjs`, `${name}.dev.mjs`]) {
    const path = join(HERE, file);
    if (existsSync(path)) return path;
  }
  return null;
}
