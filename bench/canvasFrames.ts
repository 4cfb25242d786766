/**
 * Canvas smoothness: a 200-block graph (Input, Flatten, 97 Dense, Bottleneck, 97 Dense, the last
 * Dense, Reshape, Output) opened through File > Open in the built app (browser mode, Chromium), then
 * the frame times from requestAnimationFrame while the canvas is panned and while a block is dragged:
 * the figure users feel as smoothness. A measurement, not a pass/fail; prints the figures and writes
 * .bench/canvas-frames.json and a Chrome trace beside it. Needs `npm run build` first.
 *   node --import tsx bench/canvasFrames.ts      (CHROMIUM_PATH=… for another browser than /usr/bin/chromium)
 */
import { chromium, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { autoLayout } from '../core/graph/layout';
import { serializeGraph } from '../core/graph/schema';
import type { BlockKind } from '../core/graph/types';
import { chainGraph } from '../core/templates/undercomplete';

const root = resolve(import.meta.dirname, '..');
const BLOCKS = 200;

function bigGraph() {
  const dense = (units: number, activation = 'relu') => ({ kind: 'Dense' as BlockKind, params: { units, activation } });
  return autoLayout(
    chainGraph('Two hundred blocks', [
      { kind: 'Input', params: { height: 28, width: 28, channels: 1 } },
      { kind: 'Flatten' },
      ...Array.from({ length: 97 }, () => dense(64)),
      { kind: 'Bottleneck', params: { latentSize: 16 } },
      ...Array.from({ length: 97 }, () => dense(64)),
      dense(784, 'sigmoid'),
      { kind: 'Reshape', params: { targetShape: [28, 28, 1] } },
      { kind: 'Output', params: { loss: 'bce' } },
    ]),
  );
}

/** Starts the built server on a free port in a fresh workspace; resolves with the address it prints. */
function startServer(home: string): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, [join(root, 'dist/main/serve.cjs'), '--port', '0'], { env: { ...process.env, BOTTLENECK_HOME: home, BOTTLENECK_BACKEND: 'cpu' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /running at (\S+)/.exec(out)?.[1];
      if (url) resolveUrl({ url, stop: () => server.kill() });
    });
    server.on('exit', (code) => reject(new Error(`bench/canvasFrames: the server exited (${code}) before it was ready`)));
  });
}

// Kept as text: tsx names the functions it compiles (__name), which the page does not have.
const START_RECORDING = `(() => {
  window.__frames = [];
  window.__recording = true;
  let last = performance.now();
  const tick = (t) => {
    window.__frames.push(t - last);
    last = t;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;
const STOP_RECORDING = '(window.__recording = false, window.__frames.slice(1))';

/** Frame times from requestAnimationFrame while `action` runs. */
async function frameTimes(page: Page, action: () => Promise<void>): Promise<number[]> {
  await page.evaluate(START_RECORDING);
  await action();
  return page.evaluate<number[]>(STOP_RECORDING);
}

function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => Number(s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1));
  return { frames: xs.length, medianMs: q(0.5), p95Ms: q(0.95), maxMs: Number(s.at(-1)!.toFixed(1)) };
}

async function measure(page: Page) {
  await page.getByTestId('file-menu').click();
  await page.getByTestId('menu-open').click();
  await page.getByTestId('graph-file-input').setInputFiles({ name: 'big.bottleneck.json', mimeType: 'application/json', buffer: Buffer.from(serializeGraph(bigGraph())) });
  await page.locator(`[data-testid="graph-canvas"][data-node-count="${BLOCKS}"]`).waitFor();
  await page.locator('[data-testid="train-start"]:enabled').waitFor();

  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const cx = pane.x + pane.width / 2;
  const cy = pane.y + pane.height / 2;
  const pan = await frameTimes(page, async () => {
    await page.mouse.move(cx, cy - 120);
    await page.mouse.down();
    for (let i = 0; i < 60; i++) await page.mouse.move(cx + Math.sin(i / 6) * 200, cy - 120 + Math.cos(i / 6) * 40);
    await page.mouse.up();
  });
  const node = (await page.locator('.react-flow__node').nth(50).boundingBox())!;
  const drag = await frameTimes(page, async () => {
    await page.mouse.move(node.x + node.width / 2, node.y + node.height / 2);
    await page.mouse.down();
    for (let i = 0; i < 60; i++) await page.mouse.move(node.x + node.width / 2 + i * 3, node.y + node.height / 2 + Math.sin(i / 5) * 30);
    await page.mouse.up();
  });
  return { pan: summary(pan), drag: summary(drag) };
}

if (!existsSync(join(root, 'dist/main/serve.cjs')) || !existsSync(join(root, 'dist/renderer/index.html'))) {
  console.error('bench/canvasFrames: dist/ is not built; run `npm run build` first');
  process.exit(2);
}
const home = mkdtempSync(join(tmpdir(), 'bottleneck-bench-'));
const server = await startServer(home);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  mkdirSync(join(root, '.bench'), { recursive: true });
  await browser.startTracing(page, { path: join(root, '.bench/canvas-frames-trace.json'), screenshots: false });
  const result = { blocks: BLOCKS, viewport: '1440x900', ...(await measure(page)) };
  await browser.stopTracing();
  const line = (r: ReturnType<typeof summary>) => `${r.frames} frames, median ${r.medianMs} ms, p95 ${r.p95Ms} ms, max ${r.maxMs} ms`;
  console.log(`${BLOCKS}-block canvas: pan ${line(result.pan)}; drag ${line(result.drag)}`);
  writeFileSync(join(root, '.bench/canvas-frames.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  server.stop();
  rmSync(home, { recursive: true, force: true });
}
