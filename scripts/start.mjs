#!/usr/bin/env node
// `npm start`: opens the desktop app. Where Electron's binary is missing and cannot be downloaded,
// or there is no display, it says so in one line and serves the same app to the browser instead.
// `npm run serve` (--browser) goes straight to browser mode. Options: --port N, --host H.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const browserOnly = args.includes('--browser');
const serveArgs = args.filter((a) => a !== '--browser');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than the sources (a fresh clone, a git pull). */
function ensureBuilt() {
  const stamp = join(root, 'dist', 'build-stamp.json');
  const sources = Math.max(...['core', 'main', 'preload', 'renderer'].map((d) => newestSource(join(root, d))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  console.log('Building Bottleneck (first start or changed sources)…');
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * The Electron binary if it is there. Read from the package's path.txt rather than require('electron'):
 * since Electron 42, requiring it starts a download of its own when the binary is missing, which prints
 * an error here and would be tried twice.
 */
function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** npm install skips Electron's download script (package.json allowScripts); fetch the binary on first start. */
function installElectron() {
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return false;
  console.log("Downloading Electron's binary (first start only)…");
  const result = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000, encoding: 'utf8' });
  return result.status === 0 && electronBinary() !== null;
}

function serve(reason) {
  if (reason) console.log(`${reason}, so Bottleneck runs in your browser instead.`);
  const child = spawn(process.execPath, [join(root, 'dist', 'main', 'serve.cjs'), ...serveArgs], { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

ensureBuilt();
const binary = browserOnly ? null : electronBinary() ?? (installElectron() ? electronBinary() : null);
if (browserOnly) serve(null);
else if (!binary) serve("Electron's binary is missing and could not be downloaded");
else if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  serve('No display was found for a desktop window');
} else {
  {
    const started = Date.now();
    const child = spawn(binary, [join(root, 'dist', 'main', 'electron.cjs')], { stdio: 'inherit' });
    child.on('exit', (code) => {
      // A window that dies at once (missing system libraries, say) falls back to the browser.
      if (code !== 0 && Date.now() - started < 5000) serve(`Electron could not start (exit code ${code})`);
      else process.exit(code ?? 0);
    });
  }
}
