#!/usr/bin/env node
// The `bottleneck` command: the bundled CLI when built, else the TypeScript source through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const bundled = join(__dirname, '..', 'dist', 'main', 'cli.cjs');
if (existsSync(bundled)) {
  require(bundled);
} else {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'main', 'cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
