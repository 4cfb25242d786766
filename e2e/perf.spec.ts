import { menu } from './ui';
import { expect, test } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { autoLayout } from '../core/graph/layout';
import { serializeGraph } from '../core/graph/schema';
import type { BlockKind } from '../core/graph/types';
import { chainGraph } from '../core/templates/undercomplete';

/** 200 blocks: Input, Flatten, 97 Dense, Bottleneck, 97 Dense, the last Dense, Reshape, Output. */
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

/** Frame times from requestAnimationFrame while `action` runs: the figure users feel as smoothness. */
async function frameTimes(page: import('@playwright/test').Page, action: () => Promise<void>): Promise<number[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await action();
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames.slice(1);
  });
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `${xs.length} frames, median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${s.at(-1)!.toFixed(1)} ms`;
};

// A measurement, not a pass/fail on speed: the figures go to the console and e2e/screenshots/perf.json.
test('200 blocks on the canvas: pan and drag frame times', async ({ page, browser }) => {
  await page.goto('/');
  await menu(page, 'file-menu', 'open');
  await page.getByTestId('graph-file-input').setInputFiles({ name: 'big.bottleneck.json', mimeType: 'application/json', buffer: Buffer.from(serializeGraph(bigGraph())) });
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-node-count', '200');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.waitForTimeout(500);

  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const cx = pane.x + pane.width / 2;
  const cy = pane.y + pane.height / 2;
  await browser.startTracing(page, { path: 'test-results/perf-trace.json', screenshots: false });
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
  await browser.stopTracing();
  const result = { nodes: 200, pan: summary(pan), drag: summary(drag) };
  console.log(`200-block canvas: pan ${result.pan}; drag ${result.drag}`);
  mkdirSync('e2e/screenshots', { recursive: true });
  writeFileSync('e2e/screenshots/perf.json', JSON.stringify(result, null, 2));
  await page.screenshot({ path: 'e2e/screenshots/perf-200-blocks.png' });
  expect(pan.length).toBeGreaterThan(10);
  expect(drag.length).toBeGreaterThan(10);
});
