import { expect, test, type Page } from '@playwright/test';
import { clickAsUser, expectOnTop, WINDOW_SIZES } from './ui';

/** A small subset of the built-in set, chosen in Data ▾ as a user would. */
async function useSmallSubset(page: Page) {
  await clickAsUser(page.getByTestId('dataset-button'));
  await page.getByTestId('builtin-train').fill('300');
  await page.getByTestId('builtin-validation').fill('100');
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('dataset-dialog')).toBeHidden();
}

/** Sets the graph's epochs in the Inspector's Training tab (no block selected). */
async function setEpochs(page: Page, epochs: number) {
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  const field = page.getByTestId('param-epochs');
  await field.fill(String(epochs));
  await field.press('Enter');
}

test('a sweep of code size over 4 values trains 4 runs; the experiment charts them, brushing filters the table, Compare opens on them', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await useSmallSubset(page);
  await setEpochs(page, 1);

  // Sweep… sits in the Training tab, reachable down to the window's minimum.
  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    await expectOnTop(page.getByTestId('sweep-open'));
    await page.screenshot({ path: `e2e/screenshots/design-sweep-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await clickAsUser(page.getByTestId('sweep-open'));
  const dialog = page.getByTestId('sweep-dialog');
  await expect(page.getByTestId('sweep-setting-0')).toHaveValue('bottleneck.units');
  // A value out of bounds is refused, naming the setting, and Start waits for a plan that can run.
  await page.getByTestId('sweep-values-0').fill('0,4');
  await expect(page.getByTestId('sweep-error')).toContainText('bottleneck.units: 0 is out of bounds');
  await expect(page.getByTestId('sweep-start')).toBeDisabled();
  await page.getByTestId('sweep-values-0').fill('2,4,8,16');
  await expect(page.getByTestId('sweep-plan')).toContainText(/^4 runs/);
  // Random search draws as many runs as asked instead of the grid; off again, the grid is back.
  await clickAsUser(page.getByTestId('sweep-random'));
  await page.getByTestId('sweep-random-count').fill('3');
  await expect(page.getByTestId('sweep-plan')).toContainText(/^3 runs/);
  await page.setViewportSize(WINDOW_SIZES[0]);
  await page.screenshot({ path: 'e2e/screenshots/sweep-dialog-random-1024.png' });
  await clickAsUser(page.getByTestId('sweep-random'));
  await expect(page.getByTestId('sweep-plan')).toContainText(/^4 runs/);
  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    await expectOnTop(page.getByTestId('sweep-start'));
    await page.screenshot({ path: `e2e/screenshots/sweep-dialog-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await clickAsUser(page.getByTestId('sweep-start'));
  await expect(dialog).toBeHidden();

  // The Experiments view follows the runs to the end.
  const view = page.getByTestId('experiment-view');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('experiment-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
  await expect(page.getByTestId('experiment-runs')).toHaveAttribute('data-count', '4');
  // The lesson's curve: validation loss against code size, on a log axis, one point per run; four lines across the axes.
  await expect(page.getByTestId('experiment-chart')).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('experiment-chart')).toHaveAttribute('data-x-axis', 'log');
  await expect(page.getByTestId('experiment-parallel')).toHaveAttribute('data-lines', '4');
  const codeSizes = page.getByTestId('experiment-runs').locator('tbody tr td:nth-child(3)');
  await expect(codeSizes).toHaveText(['2', '4', '8', '16']);
  await expect(page.getByTestId('experiment-runs').getByText('★')).toHaveCount(1);
  // Each run's reconstructions of the same 8 validation images, in its row, under those images.
  await expect(page.getByTestId('experiment-originals').locator('canvas')).toHaveCount(8);
  for (let i = 0; i < 4; i++) await expect(page.getByTestId(`experiment-recon-${i}`).locator('canvas')).toHaveCount(8);

  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    await expectOnTop(page.getByTestId('experiment-compare'));
    await page.screenshot({ path: `e2e/screenshots/experiment-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Brushing the code-size axis from the top down to between 4 and 8 keeps the runs of 8 and 16 in the table.
  const plot = page.getByTestId('experiment-parallel');
  // The chart has followed the window back to this size (echarts resizes on its own next frame).
  await expect.poll(() => plot.evaluate((el) => Math.round(el.querySelector('canvas')!.getBoundingClientRect().width) === Math.round(el.getBoundingClientRect().width))).toBe(true);
  const box = (await plot.boundingBox())!;
  const axisX = box.x + 40; // the first axis sits at the grid's left edge
  const top = box.y + 30;
  const bottom = box.y + box.height - 20;
  // On a log axis from 2 to 16, 6 (between 4 and 8) sits a little more than half-way up.
  const at = (value: number) => bottom - ((Math.log(value) - Math.log(2 / 1.02)) / (Math.log(16 * 1.02) - Math.log(2 / 1.02))) * (bottom - top);
  await page.mouse.move(axisX, top - 4);
  await page.mouse.down();
  await page.mouse.move(axisX, (top + at(6)) / 2, { steps: 4 });
  await page.mouse.move(axisX, at(6), { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('experiment-runs')).toHaveAttribute('data-count', '2');
  await expect(codeSizes).toHaveText(['8', '16']);
  await page.screenshot({ path: 'e2e/screenshots/experiment-brushed-1440.png' });

  // Compare on the two runs shown.
  await expect(page.getByTestId('experiment-compare')).toHaveText('Compare 2 runs');
  await clickAsUser(page.getByTestId('experiment-compare'));
  await expect(page.getByTestId('compare-view')).toBeVisible();
  await expect(page.getByTestId('compare-recon-run-1').locator('canvas')).toHaveCount(8);
  // The best epoch beside the last; pinned, the first run is the baseline the other's difference is from.
  await expect(page.getByTestId('diff-best_val_loss-1')).toHaveText(/^\d\.\d{4} \(1\)$/);
  await clickAsUser(page.getByTestId('compare-pin-0'));
  await expect(page.getByTestId('compare-pin-0')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('diff-best_val_loss-1')).toHaveText(/^\d\.\d{4} \(1\) [+−±]\d\.\d{4} \([+−±]\d+\.\d %\)$/);
  await expect(page.getByTestId('diff-best_val_loss-0')).toHaveText(/^\d\.\d{4} \(1\)$/);
  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    await page.getByTestId('compare-diff').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `e2e/screenshots/compare-baseline-${size.width}.png` });
  }
});

test('a sweep of the classes trained on, one class a run, is a one-class study: each run its AUC, and the mean', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await useSmallSubset(page);
  await setEpochs(page, 1);
  await clickAsUser(page.getByTestId('sweep-open'));
  await page.getByTestId('sweep-setting-0').fill('data.classes');
  await page.getByTestId('sweep-values-0').fill('0,1,2');
  await expect(page.getByTestId('sweep-plan')).toContainText(/^3 runs/);
  await clickAsUser(page.getByTestId('sweep-start'));
  await expect(page.getByTestId('sweep-dialog')).toBeHidden();
  await expect(page.getByTestId('experiment-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
  // Each run scored on every class's validation images once it finished; the mean over the three classes in the heading.
  const cells = [0, 1, 2].map((i) => page.getByTestId(`experiment-auc-${i}`));
  for (const cell of cells) await expect(cell).toHaveText(/^[01]\.\d{4}$/);
  const aucs = await Promise.all(cells.map(async (cell) => Number(await cell.textContent())));
  const mean = page.getByTestId('experiment-one-class-mean');
  await expect(mean).toHaveText(/^mean AUC [01]\.\d{4} over 3 classes$/);
  const shownMean = Number(/mean AUC (\S+)/.exec((await mean.textContent())!)![1]);
  expect(Math.abs(shownMean - (aucs[0]! + aucs[1]! + aucs[2]!) / 3)).toBeLessThanOrEqual(1e-4);
  // The chart opens on the study's figure: AUC against the class, a point per run.
  await expect(page.getByTestId('experiment-metric')).toHaveValue('auc');
  await expect(page.getByTestId('experiment-chart')).toHaveAttribute('data-points', '3');
  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    await expectOnTop(mean);
    await page.screenshot({ path: `e2e/screenshots/experiment-one-class-${size.width}.png` });
  }
});
