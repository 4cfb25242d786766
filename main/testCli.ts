import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Runs `bottleneck ARGS` as a user would (a new Node process, from the sources), with its own workspace. */
export function runCli(home: string, args: readonly string[], timeout = 110_000) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), ...args], { cwd: root, env: { ...process.env, BOTTLENECK_HOME: home }, encoding: 'utf8', timeout });
}
