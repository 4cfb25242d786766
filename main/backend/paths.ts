import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's folder; import.meta.url is defined by the build for the CommonJS bundles too. */
export const HERE = dirname(fileURLToPath(import.meta.url));

/** The repository (or packaged app) root: the nearest folder above this file holding assets/. */
export function appRoot(): string {
  let dir = HERE;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'assets', 'datasets'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function assetsDir(): string {
  return process.env.BOTTLENECK_ASSETS ?? join(appRoot(), 'assets');
}

/**
 * The workspace: BOTTLENECK_HOME, else the per-user data folder the Electron app also uses
 * (so the CLI, the browser mode and the desktop app share runs).
 */
export function workspaceDir(): string {
  if (process.env.BOTTLENECK_HOME) return resolve(process.env.BOTTLENECK_HOME);
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Bottleneck');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Bottleneck');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Bottleneck');
}

export function runsDir(): string {
  return join(workspaceDir(), 'runs');
}
