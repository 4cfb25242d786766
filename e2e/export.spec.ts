/** Export (issue 17): a finished run's model from the Runs view, in each format; the dialog says where the files went. */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { clickAsUser, menu, runAction, screenshots } from './ui';

test('export a finished run as ONNX, TensorFlow.js and a PyTorch project', async ({ page }) => {
  await page.goto('/');
  await menu(page, 'templates-menu', 'template-convolutional');
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  const epochs = page.getByTestId('param-epochs');
  await epochs.fill('1');
  await epochs.press('Enter');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });

  await clickAsUser(page.getByTestId('view-runs'));
  const row = page.locator('[data-testid^="run-row-"]').first();
  const runId = (await row.getAttribute('data-testid'))!.replace('run-row-', '');
  const out = mkdtempSync(join(tmpdir(), 'bottleneck-e2e-export-'));

  const expected = {
    onnx: ['README.md', 'autoencoder.onnx', 'decoder.onnx', 'encoder.onnx'],
    tfjs: ['README.md', 'autoencoder', 'decoder', 'encoder'],
    pytorch: ['README.md', 'model.py', 'requirements.txt', 'train.py'],
  };
  for (const format of ['onnx', 'tfjs', 'pytorch'] as const) {
    await runAction(page, runId, 'export');
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog).toBeVisible();
    await clickAsUser(page.getByTestId(`export-format-${format}`));
    let dir = join(out, format);
    if (format === 'onnx') {
      // Browser mode's folder picker: browse to a folder and export into a new folder there, named after the run.
      await page.getByTestId('export-path').fill(out);
      await clickAsUser(page.getByTestId('export-browse'));
      await expect(page.getByTestId('folder-path')).toHaveText(out);
      await screenshots(page, 'export-browse');
      await clickAsUser(page.getByTestId('folder-choose'));
      await expect(page.getByTestId('folder-browser')).toHaveCount(0);
      dir = await page.getByTestId('export-path').inputValue();
      expect(dir).toMatch(new RegExp(`^${out}/[\\w.-]+-onnx$`));
    } else await page.getByTestId('export-path').fill(dir);
    await clickAsUser(page.getByTestId('export-run'));
    await expect(page.getByTestId('export-dir')).toHaveText(dir, { timeout: 60_000 });
    const written = readdirSync(dir);
    for (const name of expected[format]) expect(written, `${format}: ${name}`).toContain(name);
    if (format === 'onnx') await screenshots(page, 'export-dialog');
    // The same folder again: refused, and what is there stays.
    await clickAsUser(page.getByTestId('export-run'));
    await expect(page.getByTestId('export-error')).toContainText('is not empty');
    expect(readdirSync(dir).sort()).toEqual(written.sort());
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  }
  expect(existsSync(join(out, 'pytorch', 'weights.npz'))).toBe(true);
});
