import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { makeIconFolder, makeImageFolder } from './folders';
import { clickAsUser, expectOnTop } from './ui';

/** Whether a path's first character is drawn left of its last (a right-to-left box shows a leading "/" at the end). */
async function firstCharacterFirst(target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    const text = [...(el.querySelector('bdi') ?? el).childNodes].find((n) => n.nodeType === Node.TEXT_NODE)!;
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, 1);
    const first = range.getBoundingClientRect().left;
    range.setStart(text, text.textContent!.length - 1);
    range.setEnd(text, text.textContent!.length);
    return first < range.getBoundingClientRect().left;
  });
}

test('an image folder: browse to it, see its classes, train one epoch, and the scatter legend names them', async ({ page }) => {
  const folder = await makeImageFolder();
  await page.goto('/');
  await expect(page.getByTestId('dataset-button')).toContainText('Fashion-MNIST');
  await page.getByTestId('dataset-button').click();
  const dialog = page.getByTestId('dataset-dialog');
  await expect(dialog).toBeVisible();

  // Browser mode: the backend's folder browser, starting from a typed parent folder.
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await expect(page.getByTestId('dataset-use')).toHaveText('Scan this folder');
  await page.getByTestId('dataset-path').fill(dirname(folder));
  await page.getByTestId('dataset-browse').click();
  // The folder icons are the app's own drawing (no emoji font needed), the path starts with its "/".
  const entry = page.getByTestId(`folder-entry-${basename(folder)}`);
  await expect(entry.locator('svg')).toHaveCount(1);
  expect(await entry.textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
  await expect(page.getByTestId('folder-path')).toHaveText(dirname(folder));
  expect(await firstCharacterFirst(page.getByTestId('folder-path'))).toBe(true);
  await entry.click();
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
  // Only the folder's classes show, and the primary button says what it does now.
  await expect(page.getByTestId('class-choice')).toHaveCount(1);
  await expect(page.getByTestId('class-choice')).toContainText('stripes');
  await expect(page.getByTestId('dataset-use')).toHaveText('Use this folder');
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
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await page.getByTestId('dataset-path').fill(join(empty, 'missing'));
  await page.getByTestId('dataset-use').click();
  await expect(page.getByTestId('dataset-error')).toHaveText(`${join(empty, 'missing')}: no such folder`);
  await page.getByTestId('dataset-path').fill(empty);
  await page.getByTestId('dataset-use').click();
  await expect(page.getByTestId('dataset-error')).toContainText(`${empty}: no image files found`);
  // Nothing to use: the button still only scans.
  await expect(page.getByTestId('dataset-use')).toHaveText('Scan this folder');
});

test('the built-in set: hold a class out and take its first images right on its card; the button says what it does', async ({ page }) => {
  await page.goto('/');
  await clickAsUser(page.getByTestId('dataset-button'));
  await expect(page.getByTestId('dataset-source-builtin').locator('input')).toBeChecked();
  await expect(page.getByTestId('dataset-use')).toHaveText(/^Use Fashion-MNIST/);
  await expect(page.getByTestId('class-choice')).toHaveCount(1);
  await clickAsUser(page.getByTestId('class-choice-1'));
  await page.getByTestId('builtin-train').fill('2000');
  await page.getByTestId('builtin-validation').fill('500');
  for (const size of [{ width: 1024, height: 680 }, { width: 1280, height: 720 }, { width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    await expectOnTop(page.getByTestId('dataset-use'));
    await page.screenshot({ path: `e2e/screenshots/dataset-builtin-${size.width}.png` });
  }
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('dataset-dialog')).toBeHidden();
  await expect(page.getByTestId('dataset-button')).toHaveAttribute('title', /Fashion-MNIST \(built-in subset\) · first 2,000 \+ 500 · 9 of 10 classes/);
  // Opened again, the dialog shows the choice; the folder source hides the built-in classes.
  await clickAsUser(page.getByTestId('dataset-button'));
  await expect(page.getByTestId('builtin-train')).toHaveValue('2000');
  await expect(page.getByTestId('class-choice-1')).not.toBeChecked();
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await expect(page.getByTestId('class-choice')).toHaveCount(0);
  await expect(page.getByTestId('dataset-use')).toBeDisabled();
  await expect(page.getByTestId('dataset-use')).toHaveText('Scan this folder');
});

test('transparent icons: the scan says which, they go onto white by default, or keep alpha as a channel', async ({ page }) => {
  const folder = await makeIconFolder();
  await page.goto('/');
  await clickAsUser(page.getByTestId('dataset-button'));
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await page.getByTestId('dataset-path').fill(folder);
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('transparent-toggle')).toHaveText('12 with transparency');
  await expect(page.getByTestId('prep-background')).toHaveValue('white');
  await clickAsUser(page.getByTestId('transparent-toggle'));
  await expect(page.getByTestId('transparent-report')).toContainText('transparent pixels composited onto white');
  await page.screenshot({ path: 'e2e/screenshots/dataset-transparency.png' });
  for (const size of [{ width: 1024, height: 680 }, { width: 1280, height: 720 }, { width: 1920, height: 1080 }, { width: 1440, height: 900 }]) {
    await page.setViewportSize(size);
    await expectOnTop(page.getByTestId('prep-background'));
    await page.screenshot({ path: `e2e/screenshots/dataset-folder-${size.width}.png` });
  }
  await page.getByTestId('prep-background').selectOption('alpha');
  await expect(page.getByTestId('prep-summary')).toContainText('RGBA, transparency kept as an alpha channel');
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('shape-input-1')).toHaveText('16×16×4');
});

test('the folder browser opens where it was last left, not at home', async ({ page }) => {
  const folder = await makeImageFolder('last-used', 2);
  await page.goto('/');
  await clickAsUser(page.getByTestId('dataset-button'));
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await page.getByTestId('dataset-path').fill(dirname(folder));
  await clickAsUser(page.getByTestId('dataset-browse'));
  await clickAsUser(page.getByTestId(`folder-entry-${basename(folder)}`));
  await clickAsUser(page.getByTestId('folder-entry-bright'));
  await expect(page.getByTestId('folder-path')).toHaveText(join(folder, 'bright'));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('dataset-dialog')).toBeHidden();
  // A reload too: the last folder is kept.
  await page.reload();
  await clickAsUser(page.getByTestId('dataset-button'));
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await page.getByTestId('dataset-path').fill('');
  await clickAsUser(page.getByTestId('dataset-browse'));
  await expect(page.getByTestId('folder-path')).toHaveText(join(folder, 'bright'));
});
