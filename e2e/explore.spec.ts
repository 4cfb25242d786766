/** Explore (issue 15): a trained VAE's latent space, hovered, clicked, decoded anywhere, interpolated and sampled. */
import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Locator, type Page } from '@playwright/test';
import { clickAsUser, expectControlsReachable, runAction, screenshots, trainTemplate } from './ui';

/** The pixels of a canvas, to tell two images apart. */
const pixels = (canvas: Locator) => canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());

test('Explore a trained VAE: hover, click, decode anywhere, interpolate, sample', async ({ page }) => {
  await page.goto('/');
  await trainTemplate(page, 'variational', 2);
  await clickAsUser(page.getByTestId('dashboard-explore'));
  const chart = page.getByTestId('explore-map');
  await expect(chart).toHaveAttribute('data-point-count', '1000', { timeout: 60_000 });
  await expect(page.getByTestId('explore-facts')).toContainText('code 16 · variational');
  await expect(chart).toHaveAttribute('data-spots', /\[\[/);
  const box = (await chart.boundingBox())!;
  const spots = JSON.parse((await chart.getAttribute('data-spots'))!) as [number, number, number][];

  // Hover a point: its image in a tooltip.
  // (A point drawn under another may not take the hover: the next one is tried.)
  let hovered = false;
  for (const [x, y] of spots) {
    await page.mouse.move(box.x + x, box.y + y);
    hovered = await page.locator('.map-tip img').waitFor({ state: 'visible', timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (hovered) break;
  }
  expect(hovered, 'a tooltip with the image shows over a point').toBe(true);
  await expect(page.locator('.map-tip')).toContainText('error');

  // Click it: the original and its reconstruction side by side.
  await page.mouse.down();
  await page.mouse.up();
  await expect(page.getByTestId('point-original')).toBeVisible();
  await expect(page.getByTestId('point-reconstruction')).toBeVisible();
  await expect(page.getByTestId('explore-point')).toContainText(/reconstruction · error 0\.\d{4}/);
  await clickAsUser(page.getByTestId('point-as-a'));

  // Move over empty space: the image decoded there, changing with the position.
  const decodesSoFar = async () => Number(await page.getByTestId('explore-live').getAttribute('data-decodes'));
  const corner = async (fx: number, fy: number) => {
    const before = await decodesSoFar();
    await page.mouse.move(box.x + 40 + fx * (box.width - 170), box.y + 40 + fy * (box.height - 80), { steps: 4 });
    await expect.poll(decodesSoFar).toBeGreaterThan(before);
  };
  await corner(0.02, 0.03);
  await expect(page.getByTestId('explore-live-image')).toBeVisible();
  const first = await pixels(page.getByTestId('explore-live-image'));
  await corner(0.97, 0.95);
  await expect.poll(() => pixels(page.getByTestId('explore-live-image'))).not.toBe(first);
  const decodes = Number(await page.getByTestId('explore-live').getAttribute('data-decodes'));
  expect(decodes).toBeGreaterThanOrEqual(2);
  console.log(`decode at the pointer: p50 ${await page.getByTestId('explore-live').getAttribute('data-latency-p50')} ms, p95 ${await page.getByTestId('explore-live').getAttribute('data-latency-p95')} ms over ${decodes} moves`);
  await clickAsUser(page.getByTestId('live-as-b'));

  // Interpolate from the picked image to that place: N images.
  await clickAsUser(page.getByTestId('explore-tab-interpolate'));
  await page.getByTestId('interpolate-steps').fill('8');
  await clickAsUser(page.getByTestId('interpolate-run'));
  await expect(page.getByTestId('interpolate-strip')).toHaveAttribute('data-count', '8');
  await expect(page.getByTestId('interpolate-strip').locator('canvas')).toHaveCount(8);
  await screenshots(page, 'explore-interpolate');

  // Sample: 64 images; the same seed gives the same pixels, another seed others.
  await clickAsUser(page.getByTestId('explore-tab-sample'));
  await page.getByTestId('sample-seed').fill('7');
  await clickAsUser(page.getByTestId('sample-run'));
  const grid = page.getByTestId('sample-grid');
  await expect(grid).toHaveAttribute('data-count', '64');
  await expect(grid.locator('canvas')).toHaveCount(64);
  const hash = await grid.getAttribute('data-hash');
  await clickAsUser(page.getByTestId('sample-new-seed'));
  await expect(grid).not.toHaveAttribute('data-hash', hash!);
  await page.getByTestId('sample-seed').fill('7');
  await clickAsUser(page.getByTestId('sample-run'));
  await expect(grid).toHaveAttribute('data-hash', hash!);
  await screenshots(page, 'explore-sample');

  // Traverse: one row per dimension.
  await clickAsUser(page.getByTestId('explore-tab-traverse'));
  await clickAsUser(page.getByTestId('traverse-run'));
  await expect(page.getByTestId('traverse-rows').locator('.explore__row')).toHaveCount(8);
  await screenshots(page, 'explore-traverse');

  // A run deleted meanwhile: the view says so instead of failing silently.
  const runId = await page.getByTestId('explore-run').inputValue();
  await clickAsUser(page.getByTestId('view-runs'));
  await runAction(page, runId, 'delete');
  await clickAsUser(page.getByTestId('view-explore'));
  await page.getByTestId('explore-checkpoint').selectOption('last');
  await expect(page.getByTestId('explore-error')).toContainText(runId);
});

/** A file the page saves: its name and its bytes. */
async function saved(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const download: Promise<Download> = page.waitForEvent('download');
  await click();
  const file = await download;
  return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

/** A PNG's width and height, from its header. */
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

test('picks and a selection stay on their images under PCA, UMAP and t-SNE; hovering a point shows it; everything fits 1024×680 and exports', async ({ page }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await trainTemplate(page, 'undercomplete', 1);
  const runId = (await page.getByTestId('dashboard-run').getAttribute('title'))!.split(' ')[0]!;

  // Explore at the window's own minimum size. "Explore ›" on the dashboard: the run by its name, not its id.
  await clickAsUser(page.getByTestId('dashboard-explore'));
  await page.setViewportSize({ width: 1024, height: 680 });
  await expect(page.getByTestId('explore-run')).toHaveValue(runId);
  await expect(page.getByTestId('explore-run').locator('option:checked')).toHaveText(/^Undercomplete autoencoder( \(\d+\))? · /);
  const chart = page.getByTestId('explore-map');
  await expect(chart).toHaveAttribute('data-spots', /\[\[/, { timeout: 60_000 });
  await expect(page.getByTestId('explore-hint')).toContainText('move over empty space to decode it');
  const live = page.getByTestId('explore-live');

  // Hover a point: the panel shows that point (its image, its reconstruction), the one the tooltip names.
  const box = (await chart.boundingBox())!;
  const [x, y] = (JSON.parse((await chart.getAttribute('data-spots'))!) as [number, number, number][])[3]!;
  await page.mouse.move(box.x + x, box.y + y);
  await expect(page.locator('.map-tip')).toBeVisible();
  const tip = /^(.+?) #(\d+)/.exec((await page.locator('.map-tip').textContent())!)!;
  await expect(live).toHaveAttribute('data-index', tip[2]!);
  await expect(page.getByTestId('explore-live-label')).toHaveText(new RegExp(`^${tip[1]} #${tip[2]}`));
  await expect(page.getByTestId('explore-live-original')).toBeVisible();
  await expect(page.getByTestId('explore-live-image')).toBeVisible();

  // Click it (pick A), then select with a box.
  await page.mouse.down();
  await page.mouse.up();
  await expect(page.getByTestId('explore-point')).toHaveAttribute('data-index', tip[2]!);
  await clickAsUser(page.getByTestId('point-as-a'));
  const picked = tip[2]!;
  await clickAsUser(page.getByTestId('explore-tool-box'));
  await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.15);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.6, { steps: 8 });
  await page.mouse.up();
  const selection = page.getByTestId('explore-selection');
  await expect(selection).toHaveAttribute('data-count', /^[1-9]\d*$/);
  const count = (await selection.getAttribute('data-count'))!;
  await expect(chart).toHaveAttribute('data-brush-areas', '1');
  await expect(chart).toHaveAttribute('data-selection-shown', count);
  // The box drawn, the pointer picks again.
  await expect(chart).toHaveAttribute('data-tool', 'pick');

  // Hovering the pin A shows A's image.
  const hoverPin = async (label: string) => {
    const map = page.getByTestId('explore-map');
    await expect(map).toHaveAttribute('data-marks', new RegExp(`"${label}"`));
    const marks = JSON.parse((await map.getAttribute('data-marks'))!) as [string, number, number][];
    const [, px, py] = marks.find(([l]) => l === label)!;
    const at = (await map.boundingBox())!;
    // The pin's head: its tip is on the point, 26 px below.
    await page.mouse.move(at.x + px, at.y + py - 20);
  };
  await hoverPin('A');
  await expect(live).toHaveAttribute('data-index', picked);
  await expectControlsReachable(page.locator('main.explore'));

  for (const method of ['umap', 'tsne'] as const) {
    // The map under way moves nothing around it.
    const layout = () => Promise.all(['.explore__bar', '.explore__mapcard', '.explore__side'].map((c) => page.locator(c).boundingBox()));
    const before = await layout();
    await clickAsUser(page.getByTestId(`explore-method-${method}`));
    await expect(page.getByTestId('explore-progress')).toBeVisible();
    expect(await layout()).toEqual(before);
    const map = page.getByTestId('explore-map');
    await expect(map).toHaveAttribute('data-method', method, { timeout: 120_000 });
    // The box drawn on PCA is gone; the images it selected are still selected, ringed where this map puts them.
    await expect(map).toHaveAttribute('data-brush-areas', '0');
    await expect(map).toHaveAttribute('data-selection-shown', count);
    await expect(selection).toHaveAttribute('data-count', count);
    // A is on its image here too: hovering it shows the image picked.
    await hoverPin('A');
    await expect(live).toHaveAttribute('data-index', picked);
    // No image off the points here, and the hint does not promise one.
    await expect(page.getByTestId('explore-hint')).not.toContainText('empty space');
    await expectControlsReachable(page.locator('main.explore'));
  }
  await screenshots(page, 'explore-selection-tsne', () => page.mouse.move(4, 600));

  // The selection's images as a PNG, and its files as CSV (one row per image).
  await page.setViewportSize({ width: 1024, height: 680 });
  const png = await saved(page, () => clickAsUser(page.getByTestId('selection-export-png')));
  expect(png.name).toMatch(/^undercomplete-autoencoder(-\d+)?-selection-tsne\.png$/);
  expect(pngSize(png.bytes)[0]).toBeGreaterThan(28);
  const csv = await saved(page, () => clickAsUser(page.getByTestId('selection-export-csv')));
  expect(csv.name).toMatch(/^undercomplete-autoencoder(-\d+)?-selection-tsne\.csv$/);
  const lines = csv.bytes.toString('utf8').trim().split('\n');
  expect(lines[0]).toBe('index,label,class,error,tsne1,tsne2');
  expect(lines).toHaveLength(Number(count) + 1);

  // Sample: the grid says it is stale when the temperature moves; exported as a PNG.
  await clickAsUser(page.getByTestId('explore-tab-sample'));
  await clickAsUser(page.getByTestId('sample-run'));
  const grid = page.getByTestId('sample-grid');
  await expect(grid).toHaveAttribute('data-count', '64');
  await expect(grid).toHaveAttribute('data-stale', 'false');
  await page.getByTestId('sample-temperature').fill('0.5');
  await expect(grid).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('sample-stale')).toBeVisible();
  await expectControlsReachable(page.locator('main.explore'));
  const samples = await saved(page, () => clickAsUser(page.getByTestId('sample-export')));
  expect(samples.name).toMatch(/^undercomplete-autoencoder(-\d+)?-samples-seed-1-t-1\.0\.png$/);
  // 8 × 8 images of 28 px with 2 px between them, 4× larger.
  expect(pngSize(samples.bytes)).toEqual([4 * (8 * 28 + 7 * 2), 4 * (8 * 28 + 7 * 2)]);
  // Back up the tab (a user scrolls) to sample again.
  await page.getByTestId('sample-run').scrollIntoViewIfNeeded();
  await clickAsUser(page.getByTestId('sample-run'));
  await expect(grid).toHaveAttribute('data-stale', 'false');

  // Traverse: each of the 8 rows with its unit's σ; exported as a PNG.
  await clickAsUser(page.getByTestId('explore-tab-traverse'));
  await clickAsUser(page.getByTestId('traverse-run'));
  const labels = page.getByTestId('traverse-label');
  await expect(labels).toHaveCount(8);
  for (const text of await labels.allTextContents()) expect(text).toMatch(/^z\d+ σ \d+\.\d\d$/);
  await expectControlsReachable(page.locator('main.explore'));
  const traverse = await saved(page, () => clickAsUser(page.getByTestId('traverse-export')));
  expect(traverse.name).toMatch(/^undercomplete-autoencoder(-\d+)?-traverse-z\d+(-z\d+){7}\.png$/);
  expect(pngSize(traverse.bytes)).toEqual([4 * (9 * 28 + 8 * 2), 4 * (8 * 28 + 7 * 2)]);
  expect(errors).toEqual([]);
});
