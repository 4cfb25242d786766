/** What a newcomer meets in the first hour (issue 12), each as a user does it. */
import { homedir } from 'node:os';
import { expect, test, type Page } from '@playwright/test';
import { TEMPLATE_NAMES } from '../core/templates';
import { makeImageFolder } from './folders';
import { clickAsUser, expectOnTop, layoutSettled, menu, runAction, screenshots, SIZES, truncatedToolbarLabels, type MenuId } from './ui';

async function useFolder(page: Page, folder: string) {
  await clickAsUser(page.getByTestId('dataset-button'));
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await page.getByTestId('dataset-path').fill(folder);
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('dataset-summary')).toBeVisible();
  await clickAsUser(page.getByTestId('dataset-use'));
  await expect(page.getByTestId('dataset-dialog')).toBeHidden();
}

async function setTraining(page: Page, name: string, value: string) {
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  const field = page.getByTestId(`param-${name}`);
  await field.fill(value);
  await field.press('Enter');
}

/** The window's own minimum, a small laptop, and the two sizes the app is made for. */
const WINDOW_SIZES = [{ width: 1024, height: 680 }, { width: 1280, height: 720 }, ...SIZES] as const;

test('every menu item is on top where the user sees it, at 1024, 1280, 1440 and 1920 pixels', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    // A menu closes when the window is resized: let the resize land before opening one.
    await layoutSettled(page, '.toolbar *');
    for (const id of ['file-menu', 'edit-menu', 'templates-menu', 'help-menu'] as MenuId[]) {
      await clickAsUser(page.getByTestId(id));
      await expect(page.getByTestId(`${id}-list`)).toBeVisible();
      const items = page.getByTestId(`${id}-list`).getByRole('menuitem');
      expect(await items.count()).toBeGreaterThan(0);
      for (const item of await items.all()) await expectOnTop(item);
      await page.keyboard.press('Escape');
      await expect(page.getByTestId(`${id}-list`)).toHaveCount(0);
    }
    // Train is on screen, and no toolbar label is cut short, down to the window's minimum.
    await expectOnTop(page.getByTestId('train-start'));
    expect(await truncatedToolbarLabels(page), `${size.width}px`).toEqual([]);
    await expect(page.getByTestId('dataset-button')).toContainText('Fashion-MNIST');
  }
  await page.setViewportSize(SIZES[0]);
  await clickAsUser(page.getByTestId('templates-menu'));
  await screenshots(page, 'menu-templates', async () => {
    if ((await page.getByTestId('templates-menu-list').count()) === 0) await page.getByTestId('templates-menu').click();
  });
  // The menu runs its item: a template loads.
  await clickAsUser(page.getByTestId('menu-template-variational'));
  await expect(page.getByTestId('graph-title')).toContainText('Variational');
  await screenshots(page, 'first-screen-variational');
});

test('the first screen reads at its default zoom, and every template does too, down to 1024×680', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await screenshots(page, 'first-screen');
  for (const name of TEMPLATE_NAMES) {
    await menu(page, 'templates-menu', `template-${name}`);
    await expect(page.getByTestId('train-start')).toBeEnabled();
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      // Fit to the window, as a user does after resizing it.
      await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
      await page.keyboard.press('Control+0');
      await layoutSettled(page, '.react-flow__viewport, .react-flow__node');
      // The smallest block name or setting on screen: its font size times the canvas zoom.
      const px = await page.evaluate(() => {
        const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
        return Math.min(...[...document.querySelectorAll('.block__kind, .block__summary')].map((el) => parseFloat(getComputedStyle(el).fontSize) * zoom));
      });
      console.log(`${name} at ${size.width}×${size.height}: block text at least ${px.toFixed(1)} px on screen`);
      expect(px, `${name} at ${size.width}px: block text ${px.toFixed(1)} px`).toBeGreaterThanOrEqual(size.width >= 1920 ? 13 : 11);
      // No two blocks overlap on screen.
      const boxes = await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i]!, boxes[j]!];
          expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${name}: blocks ${i} and ${j} overlap`).toBe(false);
        }
      }
      // Every block is inside the canvas, and nothing (zoom buttons, map) covers a block's title.
      for (const kind of await page.locator('.block__kind').all()) await expectOnTop(kind);
      // Every wire ends on its target block's facing side.
      const misplaced = await page.evaluate(() => {
        const bad: string[] = [];
        for (const edge of document.querySelectorAll('.react-flow__edge')) {
          const path = edge.querySelector('path.react-flow__edge-path') as SVGPathElement | null;
          const id = edge.getAttribute('data-id') ?? '';
          const target = id.split('-').slice(-2).join('-');
          const node = document.querySelector(`.react-flow__node[data-id="${target}"]`);
          if (!path || !node) continue;
          const end = path.getPointAtLength(path.getTotalLength());
          const m = path.getScreenCTM()!;
          const x = end.x * m.a + m.e;
          const y = end.y * m.d + m.f;
          const r = node.getBoundingClientRect();
          const onEdge = (Math.abs(x - r.left) < 12 || Math.abs(x - r.right) < 12) && y > r.top - 12 && y < r.bottom + 12;
          const onTopOrBottom = (Math.abs(y - r.top) < 12 || Math.abs(y - r.bottom) < 12) && x > r.left - 12 && x < r.right + 12;
          if (!onEdge && !onTopOrBottom) bad.push(`${id} ends at (${Math.round(x)}, ${Math.round(y)}), ${target} is ${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)}`);
        }
        return bad;
      });
      expect(misplaced, name).toEqual([]);
    }
    await page.setViewportSize(SIZES[0]);
    await screenshots(page, `template-${name}`);
  }
  // The smallest window, with the largest template: nothing of the toolbar or the Design view cut off.
  await page.setViewportSize(WINDOW_SIZES[0]);
  await layoutSettled(page);
  await page.screenshot({ path: 'e2e/screenshots/template-inpainting-1024.png' });
  const outside = await page.evaluate(() =>
    [...document.querySelectorAll('.toolbar > *, .canvas__summary > *, .palette, .inspector, .canvas__flow')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.bottom > window.innerHeight + 0.5);
      })
      .map((el) => el.className),
  );
  expect(outside).toEqual([]);
});

test('the Inspector checks values as they are typed, applies a complete one (a pause, Enter or leaving), and is one undo step per field', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('node-bottleneck-4').click();
  await expect(page.getByTestId('inspector-title')).toHaveText(/^Bottleneck/);
  await expect(page.getByTestId('inspector')).not.toContainText('bottleneck-4');
  const code = page.getByTestId('param-latentSize');
  await code.fill('0');
  // No Enter: the reason shows as the value is typed, and nothing changes.
  await expect(page.getByTestId('problem-latentSize')).toHaveText(/between 1 and/);
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('32');
  // A pause applies a complete value; shapes follow.
  await code.fill('16');
  await expect(page.getByTestId('problem-latentSize')).toHaveCount(0);
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('16');
  await code.pressSequentially('4');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('164');
  await code.blur();
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('32');
  await expect(page.getByTestId('cmd-undo')).toBeDisabled();

  // Typed key by key, the valid beginnings of a value are not applied: 100000000 is over the limit
  // (it says so, and the code stays 32), and 1.5 is no whole number (it stays 32, not 1).
  await code.selectText();
  await code.pressSequentially('100000000');
  await expect(page.getByTestId('problem-latentSize')).toHaveText(/between 1 and 65,536/);
  await code.press('Tab');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('32');
  await expect(code).toHaveValue('32');
  await code.selectText();
  await code.pressSequentially('1.5');
  await expect(page.getByTestId('problem-latentSize')).toHaveText('enter a whole number');
  await code.press('Enter');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('32');
  await expect(page.getByTestId('cmd-undo')).toBeDisabled();
  // A decimal typed key by key into a field that takes one arrives whole.
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  const rate = page.getByTestId('param-learningRate');
  await rate.selectText();
  await rate.pressSequentially('0.0015');
  await rate.press('Enter');
  await expect(rate).toHaveValue('0.0015');
  await page.keyboard.press('Control+z');
  await expect(rate).toHaveValue('0.001');
  await expect(page.getByTestId('cmd-undo')).toBeDisabled();
});

test('the dashboard says which run it shows; a template clears it; a reopened run shows that run', async ({ page }) => {
  const folder = await makeImageFolder('dash');
  await page.goto('/');
  await useFolder(page, folder);
  await setTraining(page, 'epochs', '2');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 60_000 });
  const runName = (await page.getByTestId('dashboard-run').textContent())!.replace(/^Run\s*/, '');
  expect(runName).toMatch(/Undercomplete autoencoder/);
  await expect(page.getByTestId('recon-epoch')).toHaveText('after epoch 2');

  // The graph has unsaved changes (the epochs): loading a template asks first.
  await menu(page, 'templates-menu', 'template-sparse');
  await clickAsUser(page.getByTestId('confirm-ok'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'idle');
  await expect(page.getByTestId('dashboard-run')).toHaveText('');
  await expect(page.getByTestId('recon-grid')).toHaveAttribute('data-point-count', '0');

  await clickAsUser(page.getByTestId('view-runs'));
  const row = page.locator('[data-testid^=run-row-]', { hasText: runName }).first();
  await runAction(page, (await row.getAttribute('data-testid'))!.replace('run-row-', ''), 'open');
  await expect(page.getByTestId('graph-title')).toContainText('Undercomplete');
  await expect(page.getByTestId('dashboard-run')).toContainText(`Stored run ${runName}`);
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-val-point-count', '2');
  await expect(page.getByTestId('recon-grid')).toHaveAttribute('data-point-count', '16');
});

test('Stop ends a run whose epochs are a single batch, and the batch size is capped with a word', async ({ page }) => {
  // 3 classes × 14 images: 39 to train on after the validation split, fewer than one batch of 128.
  const folder = await makeImageFolder('tiny', 14);
  await page.goto('/');
  await useFolder(page, folder);
  await setTraining(page, 'epochs', '500');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('run-message')).toContainText(/batch size 128 is larger than the \d+ training images/, { timeout: 30_000 });
  await expect(page.getByTestId('stat-epoch')).not.toHaveText(/^[01]$/, { timeout: 30_000 });
  await clickAsUser(page.getByTestId('train-stop'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'stopped', { timeout: 15_000 });
  const epochs = Number(await page.getByTestId('stat-epoch').textContent());
  expect(epochs).toBeLessThan(500);
  // Escape, the Stop command, does the same.
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('stat-epoch')).not.toHaveText(/^0$/, { timeout: 30_000 });
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'stopped', { timeout: 15_000 });
});

test('a warning that the graph no longer fits the data goes once it is fixed, and stays out of the Runs view', async ({ page }) => {
  const folder = await makeImageFolder('banner');
  await page.goto('/');
  // A graph that is no longer a template: only its Input block follows the new images.
  await page.getByTestId('node-dense-3').click();
  const units = page.getByTestId('param-units');
  await units.fill('100');
  await units.press('Enter');
  await useFolder(page, folder);
  await expect(page.getByTestId('notice')).toContainText('no longer fits');
  await clickAsUser(page.getByTestId('view-runs'));
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await clickAsUser(page.getByTestId('view-editor'));
  await expect(page.getByTestId('notice')).toContainText('no longer fits');
  await menu(page, 'templates-menu', 'template-undercomplete');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('Browse… starts at the home folder the first time, with one button to use a folder', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.removeItem('bottleneck.lastFolder'));
  await page.reload();
  await clickAsUser(page.getByTestId('dataset-button'));
  await clickAsUser(page.getByTestId('dataset-source-folder'));
  await clickAsUser(page.getByTestId('dataset-browse'));
  await expect(page.getByTestId('folder-browser')).toContainText(homedir());
  await expect(page.getByRole('button', { name: 'Scan this folder' })).toHaveCount(1);
});

test('a VAE plots each loss term live, and the screens mid-run look right', async ({ page }) => {
  const folder = await makeImageFolder('vae');
  await page.goto('/');
  await menu(page, 'templates-menu', 'template-variational');
  // The template is rebuilt for the folder's images.
  await useFolder(page, folder);
  await setTraining(page, 'epochs', '1000');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-terms', /kl_loss/, { timeout: 60_000 });
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-terms', /recon_loss/);
  await screenshots(page, 'training-mid-run');
  await clickAsUser(page.getByTestId('train-stop'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'stopped', { timeout: 15_000 });
});
