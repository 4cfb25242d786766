import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HERE } from '../paths';

/**
 * Starts a worker thread by name (as scripts/mainEntries.mjs names the bundles): the bundled
 * `<name>.cjs` beside the bundle, or from source `<name>.ts` through the one dev loader (dev.mjs),
 * which runs TypeScript with tsx. Null when the build has neither.
 */
export function startWorker(name: string, workerData: unknown): Worker | null {
  const bundled = join(HERE, `${name}.cjs`);
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  const source = join(HERE, `${name}.ts`);
  if (existsSync(source)) return new Worker(join(HERE, 'workers', 'dev.mjs'), { workerData, argv: [pathToFileURL(source).href] });
  return null;
}
