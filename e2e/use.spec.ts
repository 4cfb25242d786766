/**
 * Using a trained model (issue 16): a class held out of training and found by the Anomalies view,
 * and a mask drawn with the mouse in the Lab, filled in by an inpainting model.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { makeImageFolder } from './folders';
import { clickAsUser, expectControlsReachable, expectOnTop, menu, noChartTooltips, screenshots, WINDOW_SIZES } from './ui';

async function train(page: Page, template: string, epochs: number) {
  await menu(page, 'templates-menu', `template-${template}`);
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  await expect(page.getByTestId('template-about')).toHaveAttribute('data-template', template);
  const field = page.getByTestId('param-epochs');
  await field.fill(String(epochs));
  await field.press('Enter');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
}

/** A file the page saves: its name and its bytes. */
async function saved(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const download: Promise<Download> = page.waitForEvent('download');
  await click();
  const file = await download;
  return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

/** The run the dashboard shows: its id (the label's title starts with it). */
const dashboardRun = async (page: Page) => (await page.getByTestId('dashboard-run').getAttribute('title'))!.split(' ')[0]!;

test('Anomalies: train without one class, score the validation images, see it ranked high', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  // Data: train on every class but Trouser.
  await clickAsUser(page.getByTestId('dataset-button'));
  await clickAsUser(page.getByTestId('class-choice-1'));
  await expect(page.getByTestId('class-choice-1')).not.toBeChecked();
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('dataset-button')).toContainText('9 of 10');
  await train(page, 'undercomplete', 2);

  // The template says what it is for and leads to the view that shows it.
  await clickAsUser(page.getByTestId('template-about').locator('summary'));
  await expect(page.getByTestId('template-about')).toContainText('anomaly detection');
  await clickAsUser(page.getByTestId('template-try'));
  await expect(page.getByTestId('view-score')).toHaveAttribute('aria-selected', 'true');
  await clickAsUser(page.getByTestId('score-run'));
  const histogram = page.getByTestId('score-histogram');
  await expect(histogram).toHaveAttribute('data-total', '1000', { timeout: 60_000 });
  await expect(page.getByTestId('score-highest')).toHaveAttribute('data-count', '24');
  await expectOnTop(page.getByTestId('score-highest').locator('canvas').first());
  await expect(page.getByTestId('score-per-class')).toContainText('held out');
  const auc = Number(await page.getByTestId('score-auc').textContent());
  console.log(`Trouser held out, 2 epochs: ROC AUC ${auc}`);
  expect(auc).toBeGreaterThan(0.5);

  // The threshold on the ROC curve, with precision and recall there.
  const roc = page.getByTestId('score-roc');
  await expect(roc).toHaveAttribute('data-threshold-at', /^0\.\d{4},0\.\d{4}$/);
  await expect(page.getByTestId('score-precision-recall')).toContainText(/precision \d\.\d{3} .* recall \d\.\d{3}/);
  const at = await roc.getAttribute('data-threshold-at');
  const recall = Number(await page.getByTestId('score-precision-recall').getAttribute('data-recall'));
  expect(Number(at!.split(',')[1])).toBeCloseTo(recall, 4);

  // Drag on the histogram, and click on it: the threshold follows, the count above it changes, the ROC mark moves, no error.
  const before = await page.getByTestId('score-over').textContent();
  const box = (await histogram.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('score-over')).not.toHaveText(before!);
  await expect(roc).not.toHaveAttribute('data-threshold-at', at!);
  for (const f of [0.5, 0.6, 0.4]) {
    const over = await page.getByTestId('score-over').textContent();
    await page.mouse.click(box.x + box.width * f, box.y + box.height * 0.6);
    await expect(page.getByTestId('score-over')).not.toHaveText(over!);
  }
  expect(errors).toEqual([]);

  // The CSV is named after the run and the data, and says which images are of the held-out class.
  const csv = await saved(page, () => clickAsUser(page.getByTestId('score-export')));
  // (Runs of one name are numbered: "Undercomplete autoencoder (2)".)
  expect(csv.name).toMatch(/^undercomplete-autoencoder(-\d+)?-fashion-mnist-built-in-subset-anomalies\.csv$/);
  const rows = csv.bytes.toString('utf8').trim().split('\n').map((line) => line.split(','));
  expect(rows[0]).toEqual(['index', 'label', 'class', 'error', 'held_out', 'new_class', 'anomalous']);
  expect(rows.slice(1).every((row) => row[4] === (row[2] === 'Trouser' ? '1' : '0') && row[5] === '0')).toBe(true);

  // Click an anomaly: it large, with where it comes from.
  await clickAsUser(page.getByTestId('score-highest').locator('button').first());
  await expect(page.getByTestId('score-picked-file')).toContainText(/^Fashion-MNIST \(built-in subset\), validation image #\d+$/);
  await page.setViewportSize({ width: 1024, height: 680 });
  await expectControlsReachable(page.locator('main.score'));
  await page.setViewportSize({ width: 1440, height: 900 });
  // Any folder, browsed to and scored whole (read at the model's 28×28×1).
  const folder = await makeImageFolder('to-score', 10);
  await page.getByTestId('score-folder').fill(folder);
  await clickAsUser(page.getByTestId('score-browse'));
  await clickAsUser(page.getByTestId('folder-choose'));
  await expect(histogram).toHaveAttribute('data-total', '30', { timeout: 60_000 });
  await expect(page.getByTestId('score-per-class')).toContainText('stripes');
  // A folder the model never trained on: its classes are not in the training data (not "held out"), and no AUC is claimed.
  await expect(page.getByTestId('score-per-class')).not.toContainText('held out');
  await expect(page.getByTestId('score-per-class').locator('tr', { hasText: 'not in training data' })).toHaveCount(3);
  await expect(page.getByTestId('score-auc')).toHaveCount(0);
  await expect(page.getByTestId('score-no-auc')).toBeVisible();
  await clickAsUser(page.getByTestId('score-highest').locator('button').first());
  await expect(page.getByTestId('score-picked-file')).toContainText(`${folder}/`);
  await expect(page.getByTestId('score-picked-file')).toHaveText(/\/(bright|dark|stripes)\/\d+\.png$/);
  await clickAsUser(page.getByTestId('score-run'));
  await expect(histogram).toHaveAttribute('data-total', '1000', { timeout: 60_000 });

  // Off the chart, so no tooltip is left in the screenshots.
  await screenshots(page, 'anomalies', async () => {
    await page.mouse.move(4, 600);
    await noChartTooltips(page);
  });

  // A large folder (12,000 images): Cancel beside the progress stops the scoring; the scores shown before stay, no error.
  const large = await makeImageFolder('to-cancel', 4000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByTestId('score-folder').fill(large);
  await clickAsUser(page.getByTestId('score-browse'));
  await clickAsUser(page.getByTestId('folder-choose'));
  await expect(page.getByTestId('score-progress')).toBeVisible();
  await clickAsUser(page.getByTestId('score-cancel'));
  await expect(page.getByTestId('score-progress')).toHaveCount(0);
  await expect(histogram).toHaveAttribute('data-total', '1000');
  await expect(page.getByTestId('score-error')).toHaveCount(0);
  // The worker answers the next scoring, of the same folder, to its end.
  await clickAsUser(page.getByTestId('score-browse'));
  await clickAsUser(page.getByTestId('folder-choose'));
  await expect(page.getByTestId('score-cancel')).toBeVisible();
  await screenshots(page, 'anomalies-scoring', undefined, WINDOW_SIZES);
  await expect(histogram).toHaveAttribute('data-total', '12000', { timeout: 120_000 });
  expect(errors).toEqual([]);
});

test('Lab: draw a mask with the mouse; an inpainting model fills it in, with both errors shown', async ({ page }) => {
  await page.goto('/');
  await train(page, 'inpainting', 1);
  // The dashboard shows what the model was given (the holes), its output and the clean target.
  await expect(page.getByTestId('recon-grid')).toHaveAttribute('data-corrupted', '8');
  await expect(page.getByTestId('recon-grid').locator('.recon__label', { hasText: 'given' })).toHaveCount(1);
  await screenshots(page, 'inpainting-trained');
  await clickAsUser(page.getByTestId('view-lab'));
  await expect(page.getByTestId('lab-clean')).toBeVisible({ timeout: 30_000 });
  await clickAsUser(page.getByTestId('lab-tool-rectangle'));
  await page.getByTestId('lab-sigma').fill('0');

  // A rectangle over the middle of the image, drawn with the pointer.
  const canvas = page.getByTestId('lab-corrupted');
  await expectOnTop(canvas);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.35);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.65, { steps: 6 });
  await page.mouse.up();

  const inputError = page.getByTestId('lab-input-error');
  const outputError = page.getByTestId('lab-output-error');
  await expect(inputError).toContainText('in the mask');
  // The hole is black: on a black background only its outline shows where it is (four sides of a rectangle).
  await expect(page.getByTestId('lab-mask-outline')).toHaveAttribute('data-segments', '4');
  await expect(outputError).toContainText(/in the mask \d\.\d{4}/);
  const masked = async (text: Promise<string | null>) => Number(/in the mask (\d\.\d{4})/.exec((await text) ?? '')![1]);
  const hole = await masked(inputError.textContent());
  const filled = await masked(outputError.textContent());
  console.log(`a drawn mask, inpainting 1 epoch: MSE in the mask ${hole} → ${filled}`);
  expect(filled).toBeLessThan(hole);
  await screenshots(page, 'lab-inpainting');

  // The output saved as a PNG, 8× the model's 28×28, named after the run and the image.
  const png = await saved(page, () => clickAsUser(page.getByTestId('lab-save-output')));
  expect(png.name).toMatch(/^inpainting-autoencoder(-\d+)?-image-0-lab-output\.png$/);
  expect([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)]).toEqual([224, 224]);

  // A watermark's size and opacity are the user's: each changes the corrupted image.
  await page.getByTestId('lab-watermark').fill('AB');
  const stamped = await inputError.textContent();
  await page.getByTestId('lab-watermark-size').fill('0.9');
  await expect(inputError).not.toHaveText(stamped!);
  const larger = await inputError.textContent();
  await page.getByTestId('lab-watermark-opacity').fill('0.3');
  await expect(inputError).not.toHaveText(larger!);
  await page.getByTestId('lab-watermark').fill('');
  await page.setViewportSize({ width: 1024, height: 680 });
  await expectControlsReachable(page.locator('main.lab'));
  await page.setViewportSize({ width: 1440, height: 900 });

  // Noise: the σ slider walks where the model breaks.
  await clickAsUser(page.getByTestId('lab-clear-mask'));
  await page.getByTestId('lab-sigma').fill('0.3');
  await expect(inputError).toContainText(/MSE to clean 0\.0[1-9]/);
  await clickAsUser(page.getByTestId('lab-walk-run'));
  await expect(page.getByTestId('lab-walk')).toHaveAttribute('data-points', '11');
  await screenshots(page, 'lab-noise');
});

test('Lab: the run just trained is listed and chosen; a file that is not an image, and an image of another size, say so', async ({ page }) => {
  await page.goto('/');
  await train(page, 'undercomplete', 1);
  const first = await dashboardRun(page);
  await clickAsUser(page.getByTestId('view-lab'));
  await expect(page.getByTestId('explore-run')).toHaveValue(first);
  await expect(page.getByTestId('lab-clean')).toBeVisible({ timeout: 30_000 });
  // Another run trained in Design meanwhile: listed by name and chosen when the Lab (or Anomalies) opens again.
  await clickAsUser(page.getByTestId('view-editor'));
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
  const second = await dashboardRun(page);
  expect(second).not.toBe(first);
  for (const view of ['view-lab', 'view-score']) {
    await clickAsUser(page.getByTestId(view));
    await expect(page.getByTestId('explore-run')).toHaveValue(second);
    await expect(page.getByTestId('explore-run').locator('option:checked')).toHaveText(/^Undercomplete autoencoder( \(\d+\))? · undercomplete · 1\/1 epochs$/);
    await expect(page.getByTestId('explore-run').locator(`option[value="${first}"]`)).toHaveCount(1);
  }
  await clickAsUser(page.getByTestId('view-lab'));
  await expect(page.getByTestId('lab-clean')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('lab-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await expect(page.getByTestId('lab-error')).toContainText('notes.txt');
  // A 40×60 RGB PNG for a 28×28 grayscale model.
  const png = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 60;
    c.height = 40;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#c33';
    ctx.fillRect(0, 0, 60, 40);
    const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  await page.getByTestId('lab-file').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  await expect(page.getByTestId('lab-note')).toContainText('wide.png');
  await expect(page.getByTestId('lab-note')).toContainText(/28×28/);
  await expect(page.getByTestId('lab-error')).toHaveCount(0);
  // The file is shown, not validation image 0: the index is empty until one is chosen again.
  await expect(page.getByTestId('lab-index')).toHaveValue('');
  await clickAsUser(page.getByTestId('lab-next'));
  await expect(page.getByTestId('lab-index')).toHaveValue('1');
  await expect(page.getByTestId('lab-note')).toHaveCount(0);
});
