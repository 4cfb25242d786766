// Builds everything into dist/: the Node side with esbuild (CommonJS bundles of our own code,
// dependencies left in node_modules), the preload as one sandbox-safe file, the renderer with Vite.
import { build as esbuild } from 'esbuild';
import { cpSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import { mainEntries } from './mainEntries.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

// Our sources use import.meta.url (ESM under tsx and vitest); the CommonJS bundles define it.
const esmShims = {
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
};

await esbuild({
  absWorkingDir: root,
  entryPoints: mainEntries,
  outdir: 'dist/main',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  ...esmShims,
});

// The PyTorch export's fixed Python files, found beside the bundles (main/backend/export/pythonFiles.ts).
cpSync(`${root}main/backend/export/python`, `${root}dist/main/python`, { recursive: true, filter: (src) => !src.includes('__pycache__') });

await esbuild({
  absWorkingDir: root,
  entryPoints: { index: 'preload/index.ts' },
  outdir: 'dist/preload',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['electron'],
  logLevel: 'warning',
});

await viteBuild({ configFile: `${root}renderer/vite.config.ts`, logLevel: 'warn' });

writeFileSync(`${root}dist/build-stamp.json`, JSON.stringify({ builtAt: new Date().toISOString() }));
console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
