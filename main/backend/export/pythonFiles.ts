import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The PyTorch export's fixed Python files, copied into every project as they are. */
export const PYTHON_FILES = ['bottleneck_torch.py', 'train.py'] as const;
export type PythonFile = (typeof PYTHON_FILES)[number];

/**
 * Where they are: python/ beside this module in the source tree (tsx, vitest), and python/ beside
 * the bundle in dist/main (scripts/build.mjs copies them there), so one expression finds both.
 */
export function pythonDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'python');
}

const cache = new Map<PythonFile, string>();

/** One of the files' text, read once. */
export function pythonFile(name: PythonFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    const path = join(pythonDir(), name);
    if (!existsSync(path)) throw new Error(`the PyTorch export's ${name} is missing (looked in ${pythonDir()}): rebuild with npm run build`);
    text = readFileSync(path, 'utf8');
    cache.set(name, text);
  }
  return text;
}
