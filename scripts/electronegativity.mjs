#!/usr/bin/env node
// Audits the desktop app's sources with @doyensec/electronegativity, offline: its translation
// download is replaced by the translations it ships, and its one network check (newer Electron
// releases, AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK) is left out. Every finding must be fixed or
// listed with its reason in scripts/electronegativity-justified.json; anything else fails (exit 1).
// Prints one JSON line: { scanned, findings, unjustified, stale }.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const runnerPath = require.resolve('@doyensec/electronegativity/dist/runner.js');
const local = createRequire(runnerPath);

// The offline stand-in for its locales/i18n.js (which fetches translations before every scan).
const i18nPath = local.resolve('./locales/i18n.js');
const i18n = local('i18n');
const offline = async () => {
  i18n.configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: dirname(i18nPath), updateFiles: false, objectNotation: true, register: global });
  i18n.setLocale('en-US');
};
local.cache[i18nPath] = { id: i18nPath, filename: i18nPath, loaded: true, exports: Object.assign(offline, { default: offline, __esModule: true }) };

/** The app's Electron-facing sources (no tests, no build output): the shell, the preload, the page and the renderer. */
const SOURCES = ['main/electron', 'preload', 'renderer/index.html', 'renderer/src', 'package.json'];

function stage() {
  const dir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
  for (const source of SOURCES) {
    cpSync(join(root, source), join(dir, source), { recursive: true, filter: (from) => !/\.test\.tsx?$/.test(from) && !from.includes(`${'/'}testing${'/'}`) });
  }
  return dir;
}

const justified = JSON.parse(readFileSync(join(root, 'scripts', 'electronegativity-justified.json'), 'utf8'));
const dir = stage();
try {
  const runner = local('./runner.js');
  const run = runner.default ?? runner;
  const result = await run({
    input: dir,
    isRelative: true,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    severitySet: undefined,
    confidenceSet: undefined,
    parserPlugins: [],
  });
  const findings = result.issues.map((i) => ({ check: i.id, file: i.file, line: i.location.line, severity: i.severity.name, confidence: i.confidence.name, sample: String(i.sample ?? '').slice(0, 120) }));
  const matches = (f, j) => j.check === f.check && j.file === f.file;
  const unjustified = findings.filter((f) => !justified.some((j) => matches(f, j)));
  const stale = justified.filter((j) => !findings.some((f) => matches(f, j)));
  const scanned = readdirSync(dir, { recursive: true }).filter((p) => /\.(tsx?|html|json)$/.test(String(p))).length;
  console.log(JSON.stringify({ scanned, checks: result.globalChecks + result.atomicChecks, findings, unjustified, stale, parseErrors: result.errors.filter((e) => !e.tolerable).map((e) => `${relative(dir, e.file)}: ${e.message}`) }));
  process.exitCode = unjustified.length || stale.length ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
