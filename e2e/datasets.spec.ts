import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeImageFolder } from './folders';

test('an image folder: browse to it, see its classes, train one epoch, and the scatter legend names them', async ({ page }) => {
  const folder = await makeImageFolder();
  await page.goto('/');
  await expect(page.getByTestId('dataset-button')).toContainText('Fashion-MNIST');
  await page.getByTestId('dataset-button').click();
  const dialog = page.getByTestId('dataset-dialog');
  await expect(dialog).toBeVisible();

  // Browser mode: the backend's folder browser, starting from a typed parent folder.
  await page.getByTestId('dataset-path').fill(dirname(folder));
  await page.getByTestId('dataset-browse').click();
  await page.getByTestId(`folder-entry-${basename(folder)}`).click();
  await expect(page.getByTestId('folder-browser')).toContainText(folder);
  await page.getByTestId('folder-entry-bright').click();
  await expect(page.getByTestId('folder-browser')).toContainText('40 images directly in this folder');
  await page.getByTestId('folder-up').click();
  await page.getByTestId('folder-choose').click();

  await expect(page.getByTestId('dataset-summary')).toContainText('120 images in 3 classes');
  for (const name of ['bright', 'dark', 'stripes']) await expect(page.getByTestId(`class-count-${name}`)).toContainText('40');
  await page.getByTestId('skipped-toggle').click();
  await expect(page.getByTestId('skip-report')).toContainText('notes.txt');
  await expect(page.getByTestId('skip-report')).toContainText('not an image file (.txt)');
  await expect(page.getByTestId('prep-width')).toHaveValue('16');
  await expect(page.getByTestId('prep-channels')).toHaveValue('1');
  await page.screenshot({ path: 'e2e/screenshots/dataset-dialog.png' });
  await page.getByTestId('dataset-use').click();
  await expect(dialog).toBeHidden();

  // The untouched template is rebuilt for the folder's 16×16×1 images: every shape follows.
  await expect(page.getByTestId('shape-input-1')).toHaveText('16×16×1');
  await expect(page.locator('.react-flow__edge-text').first()).toHaveText('16×16×1');
  await expect(page.locator('.react-flow__edge-text').last()).toHaveText('16×16×1');
  await expect(page.getByTestId('dataset-button')).toContainText('shapes');
  await expect(page.getByTestId('train-blocked')).toHaveCount(0);
  // Undo goes back to the 28×28 graph, redo forward again.
  await page.getByTestId('cmd-undo').click();
  await expect(page.getByTestId('shape-input-1')).toHaveText('28×28×1');
  await page.getByTestId('cmd-redo').click();
  await expect(page.getByTestId('shape-input-1')).toHaveText('16×16×1');
  const epochs = page.getByTestId('param-epochs');
  await epochs.fill('1');
  await epochs.press('Enter');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 60_000 });
  const scatter = page.getByTestId('latent-scatter');
  await expect(scatter).toHaveAttribute('data-classes', 'bright|dark|stripes');
  // 10% of each class is held out: 4 + 4 + 4 validation images.
  await expect(scatter).toHaveAttribute('data-point-count', '12');
  await page.screenshot({ path: 'e2e/screenshots/dataset-trained.png' });

  const runs = await page.evaluate(async () => (await fetch('api/runs:list', { method: 'POST', body: '{}' })).json());
  expect(runs.result[0]).toMatchObject({ status: 'finished' });
  expect(runs.result[0].datasetId).toContain(encodeURIComponent(folder));
});

test('a folder that is not there, or holds no images, says so in the dialog', async ({ page }) => {
  const empty = mkdtempSync(join(tmpdir(), 'e2e-empty-'));
  await page.goto('/');
  await page.getByTestId('dataset-button').click();
  await page.getByTestId('dataset-path').fill(join(empty, 'missing'));
  await page.getByTestId('dataset-scan').click();
  await expect(page.getByTestId('dataset-error')).toHaveText(`${join(empty, 'missing')}: no such folder`);
  await page.getByTestId('dataset-path').fill(empty);
  await page.getByTestId('dataset-scan').click();
  await expect(page.getByTestId('dataset-error')).toContainText(`${empty}: no image files found`);
  await expect(page.getByTestId('dataset-use')).toBeDisabled();
});
