import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
// tsx by its full address: a working folder outside the repository has no node_modules to find it in.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Runs `bottleneck ARGS` as a user would (a new Node process, from the sources), with its own
 * workspace; `env` adds variables (BOTTLENECK_DEBUG), `cwd` is where the command runs.
 */
export function runCli(home: string, args: readonly string[], timeout = 110_000, { env = {}, cwd = root }: { env?: Record<string, string>; cwd?: string } = {}) {
  return spawnSync(process.execPath, ['--import', TSX, join(root, 'main', 'cli.ts'), ...args], { cwd, env: { ...process.env, BOTTLENECK_HOME: home, ...env }, encoding: 'utf8', timeout });
}
