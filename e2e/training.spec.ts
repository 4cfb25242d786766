/** The training settings users expect: a learning-rate schedule, weight decay, augmentation, and continuing a finished run. */
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { clickAsUser, expectControlsReachable, expectOnTop } from './ui';

const DATA = 'builtin:fashion-mnist?train=1000&validation=200';

async function workspaceOf(page: Page): Promise<string> {
  return (await page.evaluate(async () => (await fetch('api/app:info', { method: 'POST', body: '{}' })).json())).result.workspace;
}

/** Trains a run with the command line into the server's workspace; its id. */
function trainWithCli(workspace: string, epochs: number): string {
  const r = spawnSync(process.execPath, ['dist/main/cli.cjs', 'train', '--data', DATA, '--epochs', String(epochs), '--batch-size', '64', '--json'], {
    env: { ...process.env, BOTTLENECK_HOME: workspace, BOTTLENECK_BACKEND: 'cpu' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.split('\n')[0]!).runId as string;
}

/** A run's metric per epoch, as the server reads it from the run's folder. */
async function perEpoch(page: Page, runId: string, key: string): Promise<number[]> {
  const detail = await page.evaluate(async (id) => (await (await fetch('api/runs:detail', { method: 'POST', body: JSON.stringify({ runId: id }) })).json()).result, runId);
  return (detail.metrics as { key: string; epoch: number; value: number }[]).filter((m) => m.key === key).sort((a, b) => a.epoch - b.epoch).map((m) => m.value);
}

/** Types a number into a training field and applies it, as a user does. */
async function setField(page: Page, testId: string, value: string): Promise<void> {
  const field = page.getByTestId(testId);
  // The training panel scrolls: a user scrolls to the field first.
  await field.scrollIntoViewIfNeeded();
  await clickAsUser(field);
  await field.fill(value);
  await field.press('Enter');
}

test('a cosine schedule with weight decay and augmentation: set in the training panel, its rate drawn per epoch, the augmented images shown', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('inspector')).toHaveAttribute('data-tab', 'training');
  await setField(page, 'param-epochs', '3');
  await page.getByTestId('param-schedule-kind').scrollIntoViewIfNeeded();
  await expectOnTop(page.getByTestId('param-schedule-kind'));
  await page.getByTestId('param-schedule-kind').selectOption('cosine');
  await expect(page.getByTestId('schedule-help')).toContainText('Continuing a run keeps its cosine');
  await setField(page, 'param-schedule-floor', '0.1');
  await setField(page, 'param-weightDecay', '0.01');
  await page.getByTestId('param-horizontalFlip').scrollIntoViewIfNeeded();
  await clickAsUser(page.getByTestId('param-horizontalFlip'));
  await setField(page, 'param-augmentation-rotation', '10');
  for (const size of [{ width: 1024, height: 680 }, { width: 1440, height: 900 }]) {
    await page.setViewportSize(size);
    // Every field of the panel can be scrolled to and is then on top, at the window's minimum too.
    expect(await expectControlsReachable(page.getByTestId('inspector'))).toBeGreaterThanOrEqual(20);
    for (const [name, testId] of [['weight-decay', 'param-weightDecay'], ['schedule', 'schedule-settings'], ['augmentation', 'augmentation-settings']]) {
      await page.getByTestId(testId!).scrollIntoViewIfNeeded();
      await page.getByTestId('inspector').screenshot({ path: `e2e/screenshots/training-panel-${name}-${size.width}.png` });
    }
  }

  await page.setViewportSize({ width: 1440, height: 900 });
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-lr-point-count', '3');
  await expect(page.getByTestId('recon-grid')).toHaveAttribute('data-augmented', '8');
  await expect(page.getByTestId('recon-seen').first().locator('canvas')).toHaveCount(4);
  for (const size of [{ width: 1024, height: 680 }, { width: 1440, height: 900 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `e2e/screenshots/training-dashboard-${size.width}.png` });
  }

  // Recorded in the run: its settings, and the rate per epoch falling along the cosine to its floor.
  const runs = await page.evaluate(async () => (await (await fetch('api/runs:list', { method: 'POST', body: '{}' })).json()).result);
  const runId = runs[0].id as string;
  const detail = await page.evaluate(async (id) => (await (await fetch('api/runs:detail', { method: 'POST', body: JSON.stringify({ runId: id }) })).json()).result, runId);
  expect(detail.graph.training).toMatchObject({ weightDecay: 0.01, schedule: { kind: 'cosine', floor: 0.1 }, augmentation: { horizontalFlip: true, rotation: 10 } });
  const lr = await perEpoch(page, runId, 'lr');
  expect(lr).toHaveLength(3);
  expect(lr[0]!).toBeGreaterThan(lr[1]!);
  expect(lr[1]!).toBeGreaterThan(lr[2]!);
  // The last step starts just before the cosine's end: a hair above the floor (1e-3 × 0.1).
  expect(lr[2]).toBeCloseTo(1e-4, 6);
});

test('Continue… on a finished 2-epoch run trains it to 4, equal to an uninterrupted 4-epoch run', async ({ page }) => {
  await page.goto('/');
  const workspace = await workspaceOf(page);
  const runId = trainWithCli(workspace, 2);
  const whole = trainWithCli(workspace, 4);
  await clickAsUser(page.getByTestId('view-runs'));
  await expect(page.getByTestId(`run-row-${runId}`)).toContainText('finished 2/2');
  // A finished run has no plain Continue: it asks for more epochs.
  await clickAsUser(page.getByTestId(`run-actions-${runId}`));
  await expect(page.getByTestId('menu-run-continue')).toHaveCount(0);
  await clickAsUser(page.getByTestId('menu-run-continue-more'));
  const dialog = page.getByTestId('continue-dialog');
  await expect(dialog).toContainText('A cosine schedule keeps the length it started with');
  const more = page.getByTestId('continue-epochs');
  await more.fill('0');
  await expect(page.getByTestId('continue-start')).toBeDisabled();
  await more.fill('2');
  await expect(page.getByTestId('continue-total')).toContainText('Trains epochs 3 to 4: 4 in all');
  for (const size of [{ width: 1024, height: 680 }, { width: 1440, height: 900 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `e2e/screenshots/continue-dialog-${size.width}.png` });
  }
  await clickAsUser(page.getByTestId('continue-start'));
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId(`run-row-${runId}`)).toContainText('finished 4/4', { timeout: 90_000 });
  for (const key of ['epoch_loss', 'val_loss']) {
    const continued = await perEpoch(page, runId, key);
    const uninterrupted = await perEpoch(page, whole, key);
    expect(continued, key).toHaveLength(4);
    continued.forEach((v, i) => expect(Math.abs(v - uninterrupted[i]!), `${key} at epoch ${i + 1}`).toBeLessThan(1e-5));
  }
});
