import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';

/** Three classes that look different (bright, dark, striped), 16×16 grayscale PNGs, and one stray text file. */
async function makeFolder(): Promise<string> {
  const root = join(mkdtempSync(join(tmpdir(), 'e2e-data-')), 'shapes');
  const classes: Record<string, (x: number, y: number, i: number) => number> = {
    bright: (_x, _y, i) => 220 + (i % 20),
    dark: (_x, _y, i) => 20 + (i % 20),
    stripes: (x, _y, i) => (x % 4 < 2 ? 250 : 10) - (i % 10),
  };
  for (const [name, pixel] of Object.entries(classes)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < 40; i++) {
      const data = Buffer.from(Array.from({ length: 256 }, (_, k) => pixel(k % 16, Math.floor(k / 16), i)));
      await sharp(data, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').png().toFile(join(root, name, `${i}.png`));
    }
  }
  writeFileSync(join(root, 'stripes', 'notes.txt'), 'not an image');
  return root;
}

test('an image folder: browse to it, see its classes, train one epoch, and the scatter legend names them', async ({ page }) => {
  const folder = await makeFolder();
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
