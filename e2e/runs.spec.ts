import { expect, test, type Page } from '@playwright/test';
import { expectOnTop, screenshots } from './ui';

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
  // Nothing in the list is out of reach sideways: every run's Delete is on top where it is drawn.
  for (const id of ids) await expectOnTop(page.getByTestId(`run-delete-${id}`));

  const view = page.getByTestId('compare-view');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('compare-chart-train')).toHaveAttribute('data-series-count', '2');
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
  await page.getByTestId(`run-delete-${ids[1]}`).click();
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
