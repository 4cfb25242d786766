import { expect, test, type Locator, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { clickAsUser, expectOnTop, runAction, screenshots } from './ui';

/** The window's own minimum, and the usual screens: every view is checked at each. */
const WINDOW_SIZES = [
  { width: 1024, height: 680 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

/** The workspace the server keeps runs in (other specs share it: count from what is there already). */
async function workspaceOf(page: Page): Promise<string> {
  return (await page.evaluate(async () => (await fetch('api/app:info', { method: 'POST', body: '{}' })).json())).result.workspace;
}

/** Trains a small run with the command line into that workspace, as a user's terminal would; its id. */
function trainWithCli(workspace: string, args: string[] = []): string {
  const r = spawnSync(process.execPath, ['dist/main/cli.cjs', 'train', '--data', 'builtin:fashion-mnist?train=1000&validation=200', '--epochs', '1', '--json', ...args], {
    env: { ...process.env, BOTTLENECK_HOME: workspace, BOTTLENECK_BACKEND: 'cpu' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.split('\n')[0]!).runId as string;
}

/** Makes a trained run read as one stopped early in a long schedule ("stopped 1/10000"), as its run.json would after Stop. */
function stopEarlyInLongSchedule(workspace: string, runId: string): void {
  const file = join(workspace, 'runs', runId, 'run.json');
  const run = JSON.parse(readFileSync(file, 'utf8')) as { status: string; config: { epochs: number } };
  writeFileSync(file, JSON.stringify({ ...run, status: 'stopped', config: { ...run.config, epochs: 10_000 } }, null, 2));
}

/** `bottleneck runs show ID` in that workspace. */
function showWithCli(workspace: string, runId: string): string {
  const r = spawnSync(process.execPath, ['dist/main/cli.cjs', 'runs', 'show', runId], { env: { ...process.env, BOTTLENECK_HOME: workspace }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Opens the Runs view and ticks these runs, by mouse; the comparison once every run's images are drawn. */
async function compareRuns(page: Page, runIds: string[]): Promise<Locator> {
  await page.goto('/');
  await clickAsUser(page.getByTestId('view-runs'));
  for (const id of runIds) await clickAsUser(page.getByTestId(`run-select-${id}`));
  await expect(page.getByTestId(`compare-recon-run-${runIds.length - 1}`).locator('canvas')).toHaveCount(8);
  return page.getByTestId('compare-view');
}

/** From the bottom of Compare's charts to the top of the section under them ("What differs", or the latent spaces where it stands beside the charts). */
async function gapUnderCharts(page: Page): Promise<number> {
  const charts = (await page.getByTestId('compare-charts').boundingBox())!;
  const bottom = charts.y + charts.height;
  const tops = await Promise.all(['compare-diff-title', 'compare-latent-title'].map(async (id) => (await page.getByTestId(id).boundingBox())!.y));
  return Math.min(...tops.filter((y) => y >= bottom - 1)) - bottom;
}

/** Turns the mouse wheel over the training dashboard, as a user scrolls it. */
async function scrollDashboard(page: Page, dy: number): Promise<void> {
  const box = (await page.locator('.dashboard').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, dy);
}

/** The panel is whole in the window. */
async function expectWhole(page: Page, testId: string, size: { width: number; height: number }): Promise<void> {
  const box = (await page.getByTestId(testId).boundingBox())!;
  expect(box.x >= 0 && box.x + box.width <= size.width && box.y >= 0 && box.y + box.height <= size.height, `${size.width}×${size.height}: ${testId} is cut off (${JSON.stringify(box)})`).toBe(true);
}

/** How many of the panel's `selector` elements reach past its top or bottom edge. */
async function spillingOut(page: Page, testId: string, selector: string): Promise<number> {
  return page.getByTestId(testId).evaluate((card, sel) => {
    const c = card.getBoundingClientRect();
    return [...card.querySelectorAll(sel)].filter((el) => { const r = el.getBoundingClientRect(); return r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5; }).length;
  }, selector);
}

/** The texts inside `scope` cut short sideways: wider than their box (ellipsis, or spilling out). */
async function cutShort(scope: Locator, selector: string): Promise<string[]> {
  return scope.locator(selector).evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ''));
}

async function train(page: Page) {
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 90_000 });
}

test('two runs with different code sizes, compared side by side', async ({ page }) => {
  await page.goto('/');
  // Other specs share this server's workspace: count from what is there already.
  const before: number = (await page.evaluate(async () => (await fetch('api/runs:list', { method: 'POST', body: '{}' })).json())).result.length;
  const count = (n: number) => String(before + n);
  const epochs = page.getByTestId('param-epochs');
  await epochs.fill('2');
  await epochs.press('Enter');
  await train(page);

  await page.getByTestId('node-bottleneck-4').click();
  const code = page.getByTestId('param-latentSize');
  await code.fill('8');
  await code.press('Enter');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('8');
  // The list follows a run live: listed as it starts, finished when it ends.
  await page.getByTestId('train-start').click();
  await page.getByTestId('view-runs').click();
  const list = page.getByTestId('runs-list');
  await expect(list).toHaveAttribute('data-count', count(2));
  await expect(list.locator('tbody tr').first()).toContainText(/running|queued/);
  await expect(list.locator('tbody tr').first()).toContainText('finished 2/2', { timeout: 90_000 });
  await expect(page.getByTestId('compare-hint')).toBeVisible();
  const rows = list.locator('tbody tr');
  await expect(rows.nth(0)).toContainText('finished');
  // Newest first: the code-8 run is no longer the template, the first one still is.
  await expect(rows.nth(0)).toContainText('custom');
  await expect(rows.nth(1)).toContainText('undercomplete');
  const ids = (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')!.replace('run-row-', '')))).slice(0, 2);
  for (const id of ids) await page.getByTestId(`run-select-${id}`).check();

  const view = page.getByTestId('compare-view');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('compare-chart-train')).toHaveAttribute('data-series-count', '2');
  // Two settings differ: the table stands beside the charts, and the latent spaces follow right under.
  await expect(page.getByTestId('compare-top')).toHaveAttribute('data-beside', 'true');
  expect(await page.getByTestId('compare-diff').boundingBox().then((b) => b!.y)).toBeLessThan(await page.getByTestId('compare-charts').boundingBox().then((b) => b!.y + b!.height));
  expect(await gapUnderCharts(page)).toBeLessThan(60);
  await expect(page.getByTestId('compare-chart-val')).toHaveAttribute('data-series-count', '2');
  for (const i of [0, 1]) await expect(page.getByTestId(`compare-scatter-${i}`).getByTestId('latent-scatter')).toHaveAttribute('data-point-count', '1000');
  await expect(page.getByTestId('compare-recon')).toHaveAttribute('data-columns', '2');
  // The same 8 images across: the inputs, then one row per run, each image with its error.
  await expect(page.getByTestId('compare-recon')).toHaveAttribute('data-images', '8');
  await expect(page.getByTestId('compare-recon').locator('tbody tr')).toHaveCount(3);
  for (const r of [0, 1]) await expect(page.getByTestId(`compare-recon-run-${r}`).locator('canvas')).toHaveCount(8);
  // Only what differs is shown: the code size (and what follows from it), highlighted.
  const codeRow = page.getByTestId('diff-row-codeSize');
  await expect(codeRow).toHaveAttribute('data-differs', 'true');
  await expect(codeRow).toContainText('32');
  await expect(codeRow).toContainText('8');
  await expect(page.getByTestId('diff-row-learningRate')).toHaveCount(0);
  // Blocks and settings by the names the Inspector uses, not internal ids.
  await expect(page.getByTestId('diff-block-bottleneck-4')).toContainText('Bottleneck Code size');
  await expect(page.getByTestId('compare-diff')).not.toContainText('bottleneck-4');
  await page.getByTestId('compare-show-all').check();
  await expect(page.getByTestId('diff-row-learningRate')).toHaveAttribute('data-differs', 'false');
  await page.getByTestId('compare-show-all').uncheck();
  await screenshots(page, 'compare-view', async () => {
    await page.getByTestId('compare-view').scrollIntoViewIfNeeded();
  });

  // Exports: a CSV with both runs' metrics, a PNG of the comparison.
  const csv = page.waitForEvent('download');
  await page.getByTestId('compare-export-csv').click();
  const csvText = await (await (await csv).createReadStream()).toArray();
  const text = Buffer.concat(csvText).toString('utf8');
  expect(text.split('\n')[0]).toBe('run_id,run_name,epoch,step,key,value,t');
  for (const id of ids) expect(text).toContain(`${id},`);
  const png = page.waitForEvent('download');
  await page.getByTestId('compare-export-png').click();
  const pngDownload = await png;
  const pngBytes = Buffer.concat(await (await pngDownload.createReadStream()).toArray());
  await pngDownload.saveAs('e2e/screenshots/compare-export.png');
  expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');

  // Star, rename, delete with undo.
  await page.getByTestId(`run-star-${ids[0]}`).click();
  await expect(page.getByTestId(`run-star-${ids[0]}`)).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId(`run-row-${ids[1]}`).locator('.runs__name').dblclick();
  await page.getByTestId('run-name-input').fill('first try');
  await page.getByTestId('run-name-input').press('Enter');
  await expect(page.getByTestId(`run-row-${ids[1]}`)).toContainText('first try');
  await runAction(page, ids[1]!, 'delete');
  await expect(list).toHaveAttribute('data-count', count(1));
  await expect(page.getByTestId(`run-row-${ids[1]}`)).toHaveCount(0);
  await page.getByTestId('notice-action').click();
  await expect(list).toHaveAttribute('data-count', count(2));
  await expect(page.getByTestId(`run-row-${ids[1]}`)).toContainText('first try');
  // Starred only: the starred run stays, the other goes (runs starred by earlier attempts may be listed too).
  await page.getByTestId('runs-starred-filter').check();
  await expect(page.getByTestId(`run-row-${ids[0]}`)).toBeVisible();
  await expect(page.getByTestId(`run-row-${ids[1]}`)).toHaveCount(0);
});

test.describe('the Runs view at every window size', () => {
  let workspace = '';
  let ids: string[] = [];
  test.beforeAll(async ({ browser }) => {
    const page = await browser.newPage();
    await page.goto('/');
    workspace = await workspaceOf(page);
    await page.close();
    // A plain model and one that corrupts its input (its reconstructions have an extra row).
    ids = [trainWithCli(workspace), trainWithCli(workspace, ['--template', 'denoising'])];
  });

  test('every column of the list is readable and every action within reach of the mouse', async ({ page }) => {
    // A long epoch count ("stopped 1/10000") widens no column past the window's minimum.
    const long = trainWithCli(workspace);
    stopEarlyInLongSchedule(workspace, long);
    await page.goto('/');
    await clickAsUser(page.getByTestId('view-runs'));
    await expect(page.getByTestId(`run-row-${ids[1]}`)).toBeVisible();
    await expect(page.getByTestId(`run-row-${long}`)).toContainText('stopped 1/10000');
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      // The table fits its card: nothing to scroll sideways to, nothing under a sticky column.
      expect(await page.locator('.runs__scroll').evaluate((el) => el.scrollWidth - el.clientWidth), `${size.width}×${size.height}: the table is wider than its card`).toBeLessThanOrEqual(0);
      for (const key of ['name', 'status', 'startedAt', 'durationMs', 'topology', 'codeSize', 'totalParams', 'datasetName', 'backend', 'val_loss', 'best_val_loss']) {
        await expectOnTop(page.getByTestId(`runs-sort-${key}`));
      }
      for (const id of ids) {
        expect(await cutShort(page.getByTestId(`run-row-${id}`), 'td'), `${size.width}×${size.height}: cells cut short`).toEqual([]);
        await clickAsUser(page.getByTestId(`run-actions-${id}`));
        for (const action of ['open', 'explore', 'export', 'notes', 'delete']) await expectOnTop(page.getByTestId(`menu-run-${action}`));
        await page.keyboard.press('Escape');
        await expect(page.getByTestId(`run-actions-${id}-list`)).toHaveCount(0);
      }
    }
    // At the window's minimum a run goes to the trash by mouse, and Undo brings it back.
    await page.setViewportSize(WINDOW_SIZES[0]);
    await runAction(page, ids[0]!, 'delete');
    await expect(page.getByTestId(`run-row-${ids[0]}`)).toHaveCount(0);
    await clickAsUser(page.getByTestId('notice-action'));
    await expect(page.getByTestId(`run-row-${ids[0]}`)).toBeVisible();
  });

  test('the list, Compare and the training dashboard fit the window, nothing cut off', async ({ page }) => {
    const view = await compareRuns(page, ids);
    const names = await Promise.all(ids.map(async (id) => (await page.getByTestId(`run-row-${id}`).locator('.runs__name').textContent())!));
    for (const size of WINDOW_SIZES) {
      const at = `${size.width}×${size.height}`;
      await page.setViewportSize(size);
      expect(await page.locator('.runs-view').evaluate((el) => el.scrollWidth - el.clientWidth), `${at}: the view scrolls sideways`).toBeLessThanOrEqual(0);
      const card = (await view.boundingBox())!;
      expect(card.x + card.width, `${at}: the comparison is wider than the window`).toBeLessThanOrEqual(size.width);
      for (const part of ['compare-charts', 'compare-diff', 'compare-scatter-0', 'compare-scatter-1', 'compare-recon']) {
        const box = (await page.getByTestId(part).boundingBox())!;
        expect(box.x + box.width, `${at}: ${part} runs past the comparison's edge`).toBeLessThanOrEqual(card.x + card.width);
      }
      // The next section starts right under the charts: no empty area there.
      expect(await gapUnderCharts(page), `${at}: empty area under the charts`).toBeLessThan(40);
      // The runs' names in full beside their reconstructions.
      for (const r of [0, 1]) {
        const heading = page.getByTestId(`compare-recon-run-${r}`).locator('th');
        await expect(heading).toContainText(names[r]!);
        expect(await cutShort(heading, ':scope, span'), `${at}: a run's name cut short`).toEqual([]);
      }
      expect(await cutShort(page.getByTestId('compare-diff'), 'th, td'), `${at}: What differs cut short`).toEqual([]);
    }
    await screenshots(page, 'compare-view', async () => view.scrollIntoViewIfNeeded());

    // The dashboard of the denoising run: each panel in the window, the latent space a scroll away.
    const list = (await page.locator('.runs-view').boundingBox())!;
    await page.mouse.move(list.x + list.width / 2, list.y + 40);
    await page.mouse.wheel(0, -10_000);
    await runAction(page, ids[1]!, 'open');
    await expect(page.getByTestId('dashboard-run')).toContainText(names[1]!);
    for (const size of WINDOW_SIZES) {
      const at = `${size.width}×${size.height}`;
      await page.setViewportSize(size);
      // Side by side, each whole in the window, and nothing inside them cut off by a short bottom row.
      for (const panel of ['inspector', 'dashboard-loss', 'dashboard-recon']) await expectWhole(page, panel, size);
      expect(await spillingOut(page, 'dashboard-recon', '.recon__tile'), `${at}: reconstructions cut off`).toBe(0);
      expect(await spillingOut(page, 'dashboard-loss', '.stats, .chart, .run-message'), `${at}: the loss panel's content cut off`).toBe(0);
      await page.screenshot({ path: `e2e/screenshots/dashboard-${size.width}.png` });
      await scrollDashboard(page, 1000);
      const latent = page.getByTestId('dashboard-latent');
      await expect.poll(async () => { const b = (await latent.boundingBox())!; return b.x >= 0 && b.x + b.width <= size.width && b.y + b.height <= size.height; }, { message: `${at}: the latent space cannot be brought into the window` }).toBe(true);
      // The Inspector stays beside it, whole.
      await expectWhole(page, 'inspector', size);
      await expectOnTop(page.getByTestId('dashboard-explore'));
      await page.screenshot({ path: `e2e/screenshots/dashboard-scrolled-${size.width}.png` });
      await scrollDashboard(page, -1000);
    }
    await page.setViewportSize(WINDOW_SIZES[0]);
    await scrollDashboard(page, 1000);
    // Scrolled to the latent space, whole in the window (the Design view's bottom row is 220 px at 680 px high).
    await expect.poll(async () => { const b = (await page.getByTestId('dashboard-latent').boundingBox())!; return b.y + b.height <= WINDOW_SIZES[0].height; }).toBe(true);
    await clickAsUser(page.getByTestId('dashboard-explore'));
    await expect(page.getByTestId('view-explore')).toHaveAttribute('aria-selected', 'true');
  });

  test('a note and tags on a run: written in the list, found by the filter, shown in Compare, listed by the CLI', async ({ page }) => {
    await page.goto('/');
    await clickAsUser(page.getByTestId('view-runs'));
    const id = ids[0]!;
    await runAction(page, id, 'notes');
    const dialog = page.getByTestId('run-notes-dialog');
    await page.getByTestId('run-notes-note').fill('Code 32 is the baseline.\nNext: try 8.');
    // A tag too long is refused before saving, saying why.
    await page.getByTestId('run-notes-tags').fill(`baseline, ${'x'.repeat(41)}`);
    await expect(page.getByTestId('run-notes-tags-error')).toContainText('at most 40 characters');
    await expect(page.getByTestId('run-notes-save')).toBeDisabled();
    await page.getByTestId('run-notes-tags').fill('baseline, code sweep, Baseline');
    await clickAsUser(page.getByTestId('run-notes-save'));
    await expect(dialog).toHaveCount(0);
    const row = page.getByTestId(`run-row-${id}`);
    await expect(row.locator('.tag')).toHaveText(['baseline', 'code sweep']);
    await expect(page.getByTestId(`run-note-${id}`)).toContainText('Code 32 is the baseline.');

    // Found by a word of its note, and by a tag (a click on it).
    const filter = page.getByTestId('runs-filter');
    await filter.fill('next: try');
    await expect(row).toBeVisible();
    await expect(page.getByTestId(`run-row-${ids[1]}`)).toHaveCount(0);
    await filter.fill('');
    await clickAsUser(page.getByTestId(`run-tag-${id}-code sweep`));
    await expect(filter).toHaveValue('#code-sweep');
    await expect(page.getByTestId('runs-list')).toHaveAttribute('data-count', '1');
    await filter.fill('');

    // Shown in Compare, and by the command line; kept across a reload.
    for (const run of ids) await clickAsUser(page.getByTestId(`run-select-${run}`));
    await expect(page.getByTestId('diff-row-tags')).toContainText('baselinecode sweep');
    await expect(page.getByTestId('diff-row-note')).toContainText('Next: try 8.');
    const shown = showWithCli(workspace, id);
    expect(shown).toMatch(/^tags +baseline, code sweep$/m);
    expect(shown).toContain('note      Code 32 is the baseline.\n          Next: try 8.');
    await page.reload();
    await clickAsUser(page.getByTestId('view-runs'));
    await expect(page.getByTestId(`run-row-${id}`).locator('.tag')).toHaveText(['baseline', 'code sweep']);
  });

  test('the workspace folder, shown with a Copy button; the trash emptied, its size said first', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const id = trainWithCli(workspace);
    await page.goto('/');
    await clickAsUser(page.getByTestId('view-runs'));
    await clickAsUser(page.getByTestId('workspace-menu'));
    await clickAsUser(page.getByTestId('menu-workspace-folder'));
    await expect(page.getByTestId('workspace-path')).toHaveValue(workspace);
    await clickAsUser(page.getByTestId('workspace-copy'));
    await expect(page.getByTestId('workspace-copied')).toHaveText('Copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(workspace);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('workspace-dialog')).toHaveCount(0);

    await runAction(page, id, 'delete');
    const trash = join(workspace, 'runs', '.trash');
    // The click only asks the backend: the move into the trash follows.
    await expect.poll(() => (existsSync(trash) ? readdirSync(trash) : [])).toContain(id);
    await clickAsUser(page.getByTestId('workspace-menu'));
    await expect(page.getByTestId('menu-empty-trash')).toContainText(/\d+ runs?, \d+ (kB|MB) deleted, waiting to be restored/);
    await clickAsUser(page.getByTestId('menu-empty-trash'));
    await expect(page.getByTestId('confirm-dialog')).toContainText(/The trash holds \d+ runs?, \d+ (kB|MB) \(.*\.trash\)\. Emptying it deletes them for good/);
    await clickAsUser(page.getByTestId('confirm-ok'));
    await expect(page.getByTestId('notice')).toContainText(/Emptied the trash: \d+ runs?, \d+ (kB|MB) deleted for good\./);
    expect(readdirSync(trash)).toEqual([]);
    await clickAsUser(page.getByTestId('workspace-menu'));
    await expect(page.getByTestId('menu-empty-trash')).toBeDisabled();
    await expect(page.getByTestId('menu-empty-trash')).toContainText('The trash is empty');
  });

  test.describe('at twice the pixels', () => {
    test.use({ deviceScaleFactor: 2 });

    test("Compare's PNG is the comparison as drawn on screen: its text, its tables, its names", async ({ page }) => {
      const view = await compareRuns(page, ids);
      await page.getByTestId('compare-show-all').check();
      const download = page.waitForEvent('download');
      await clickAsUser(page.getByTestId('compare-export-png'));
      const file = await download;
      await file.saveAs('e2e/screenshots/compare-export.png');
      const png = Buffer.concat(await (await file.createReadStream()).toArray());
      const meta = await sharp(png).metadata();
      const size = await view.evaluate((el) => [(el as HTMLElement).offsetWidth * 2, (el as HTMLElement).offsetHeight * 2]);
      expect([meta.width, meta.height]).toEqual(size);
      // Each part, cut from the PNG, against the same part on screen (both at 2×): the same picture.
      for (const part of ['compare-diff', 'compare-recon']) {
        const target = page.getByTestId(part);
        const shot = await sharp(await target.screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const offset = await target.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const card = el.closest('[data-testid="compare-view"]')!.getBoundingClientRect();
          return { x: r.left - card.left, y: r.top - card.top };
        });
        // Text is smoothed a little differently in a picture than on screen: a few pixels of its edges
        // differ (1 % of the table's); text drawn elsewhere, squeezed or missing differs in 4 % and more.
        const share = await differingShare(png, shot.data, shot.info.width, shot.info.height, Math.round(offset.x * 2), Math.round(offset.y * 2));
        expect(share, `${part}: share of pixels that differ`).toBeLessThan(0.02);
      }
    });
  });
});

/**
 * The share of pixels of `shot` (raw RGB, width × height) that differ clearly (by more than 100 of
 * 255 in a channel) from the region of `png` at (x, y), at the best of a few pixels' shift either way
 * (layout rounds differently in an element screenshot and in a picture of the whole card).
 */
async function differingShare(png: Buffer, shot: Buffer, width: number, height: number, x: number, y: number): Promise<number> {
  const pad = 3;
  const meta = await sharp(png).metadata();
  const left = Math.max(0, x - pad);
  const top = Math.max(0, y - pad);
  const region = await sharp(png)
    .removeAlpha()
    .extract({ left, top, width: Math.min(width + 2 * pad, meta.width! - left), height: Math.min(height + 2 * pad, meta.height! - top) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  let best = Infinity;
  for (let dy = -pad; dy <= pad; dy++) {
    for (let dx = -pad; dx <= pad; dx++) {
      const ox = x + dx - left;
      const oy = y + dy - top;
      if (ox < 0 || oy < 0 || ox + width > region.info.width || oy + height > region.info.height) continue;
      let off = 0;
      for (let row = 0; row < height; row++) {
        const a = row * width * 3;
        const b = ((oy + row) * region.info.width + ox) * 3;
        for (let i = 0; i < width * 3; i += 3) {
          const d = Math.max(Math.abs(shot[a + i]! - region.data[b + i]!), Math.abs(shot[a + i + 1]! - region.data[b + i + 1]!), Math.abs(shot[a + i + 2]! - region.data[b + i + 2]!));
          if (d > 100) off++;
        }
      }
      best = Math.min(best, off / (width * height));
    }
  }
  return best;
}
