/** Explore (issue 15): a trained VAE's latent space, hovered, clicked, decoded anywhere, interpolated and sampled. */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { clickAsUser, menu, runAction, screenshots } from './ui';

async function trainVae(page: Page, epochs: number) {
  await page.goto('/');
  await menu(page, 'templates-menu', 'template-variational');
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  const field = page.getByTestId('param-epochs');
  await field.fill(String(epochs));
  await field.press('Enter');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
}

/** The pixels of a canvas, to tell two images apart. */
const pixels = (canvas: Locator) => canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());

test('Explore a trained VAE: hover, click, decode anywhere, interpolate, sample', async ({ page }) => {
  await trainVae(page, 2);
  await clickAsUser(page.getByTestId('dashboard-explore'));
  const chart = page.getByTestId('explore-map');
  await expect(chart).toHaveAttribute('data-point-count', '1000', { timeout: 60_000 });
  await expect(page.getByTestId('explore-facts')).toContainText('code 16 · variational');
  await expect(chart).toHaveAttribute('data-spots', /\[\[/);
  const box = (await chart.boundingBox())!;
  const spots = JSON.parse((await chart.getAttribute('data-spots'))!) as [number, number, number][];

  // Hover a point: its image in a tooltip.
  let hovered = false;
  for (const [x, y] of spots) {
    await page.mouse.move(box.x + x, box.y + y);
    if (await page.locator('.map-tip img').isVisible().catch(() => false)) {
      hovered = true;
      break;
    }
    await page.waitForTimeout(150);
    if (await page.locator('.map-tip img').isVisible()) {
      hovered = true;
      break;
    }
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
  const corner = async (fx: number, fy: number) => {
    await page.mouse.move(box.x + 40 + fx * (box.width - 170), box.y + 40 + fy * (box.height - 80), { steps: 4 });
    await page.waitForTimeout(300);
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
