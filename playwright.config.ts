import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Browser mode, as a user runs it; a fresh workspace for every test session.
const port = Number(process.env.E2E_PORT ?? 7399);
const home = mkdtempSync(join(tmpdir(), 'bottleneck-e2e-'));
process.env.E2E_BOTTLENECK_HOME = home;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // One retry: a test that passes only on its second try is reported as flaky (not hidden) and
  // does not turn CI red on a timing hiccup of a 2-core machine; tests must not depend on attempt order.
  retries: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: `node dist/main/serve.cjs --port ${port}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
    // The CPU provider on every machine, so the tests see the same backend (two threads) wherever they run.
    env: { BOTTLENECK_HOME: home, BOTTLENECK_BACKEND: 'cpu' },
  },
});
