import { clickAsUser, menu } from './ui';
import { expect, test, type Page } from '@playwright/test';
import { screenshots } from './ui';
import { serializeGraph } from '../core/graph/schema';
import { undercomplete } from '../core/templates/undercomplete';

const count = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-point-count'));

test('opens on the undercomplete template with shapes and parameter counts', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await expect(page.getByTestId('shape-input-1')).toHaveText('28×28×1');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('32');
  await expect(page.getByTestId('params-dense-3')).toHaveText('100,480 params');
  await expect(page.getByTestId('total-params')).toHaveText('209,968');
  // Every edge carries its tensor shape.
  await expect(page.locator('.react-flow__edge-text')).toHaveText(['28×28×1', '784', '128', '32', '128', '784', '28×28×1']);
  await expect(page.getByTestId('backend-badge')).toHaveText(/^cpu/);
});

test('trains live, shows every chart, and stops keeping finished epochs', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  const epochs = page.getByTestId('param-epochs');
  await epochs.fill('8');
  await epochs.press('Enter');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-stop')).toBeVisible();

  // Two epochs: validation points, a full grid, one latent point per validation image.
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-val-point-count', '2', { timeout: 90_000 });
  expect(await count(page, 'loss-chart')).toBeGreaterThan(4);
  expect(await count(page, 'recon-grid')).toBe(16);
  await expect(page.locator('[data-testid=recon-grid] canvas')).toHaveCount(16);
  expect(await count(page, 'latent-scatter')).toBe(1000);
  await expect(page.getByTestId('stat-epoch')).toHaveText(/^[23]$/);
  // ONNX Runtime's CPU provider runs each step's kernels on two threads here.
  await expect(page.getByTestId('stat-threads')).toHaveText('on 2 threads');
  await screenshots(page, 'training-fashion-mnist');

  // Pause holds the run; Resume continues it. (That a paused worker makes no progress over time is
  // checked where time can be observed without a sleep in the window: main/backend/control.test.ts.)
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'paused');
  const pausedAt = await count(page, 'loss-chart');
  await page.getByTestId('train-resume').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'running');
  await expect.poll(() => count(page, 'loss-chart'), { timeout: 60_000 }).toBeGreaterThan(pausedAt + 1);

  // The window stays responsive while training: the inspector reacts at once.
  await page.getByTestId('node-bottleneck-4').click();
  await expect(page.getByTestId('inspector')).toContainText('Code size');

  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 });
  await expect(page.getByText(/Stopped after [2-7] finished epochs; they are saved\./)).toBeVisible();
  await expect(page.getByTestId('train-start')).toBeVisible();
  await page.getByTestId('node-bottleneck-4').click({ position: { x: 5, y: 5 } });
  await page.locator('.react-flow__pane').click({ position: { x: 30, y: 200 } });
  // The toolbar fits the window with a long dataset name: nothing pushes the page sideways.
  const train = await page.getByTestId('train-start').boundingBox();
  expect(train!.x + train!.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  expect(await page.evaluate(() => window.scrollX)).toBe(0);
  await page.screenshot({ path: 'e2e/screenshots/skeleton-trained.png' });

  const runs = await page.evaluate(async () => (await fetch('api/runs:list', { method: 'POST', body: '{}' })).json());
  expect(runs.result[0]).toMatchObject({ status: 'stopped', backend: 'cpu ×2' });
  expect(runs.result[0].epochsDone).toBeGreaterThanOrEqual(2);
});

test('a bad graph file explains itself and leaves the current graph alone', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  const open = async (name: string, text: string) => {
    if (!(await page.getByTestId('file-dialog').isVisible())) await menu(page, 'file-menu', 'open');
    await page.getByTestId('graph-file-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  };
  const cyclic = undercomplete();
  cyclic.edges.push({ id: 'loop', source: 'dense-5', target: 'flatten-2' });
  const unknown = { ...undercomplete(), nodes: [...undercomplete().nodes, { id: 'x1', kind: 'Transformer', params: {}, position: { x: 0, y: 0 } }] };
  const cases: [string, string, RegExp][] = [
    ['broken.bottleneck.json', '{ "format": "bottleneck.graph", ', /Could not open broken\.bottleneck\.json: not valid JSON/],
    ['unknown.bottleneck.json', JSON.stringify(unknown), /Could not open unknown\.bottleneck\.json: node "x1": unknown block kind "Transformer"/],
    ['cycle.bottleneck.json', serializeGraph(cyclic), /Could not open cycle\.bottleneck\.json: the graph has a cycle: flatten-2 -> dense-3 -> bottleneck-4 -> dense-5 -> flatten-2/],
  ];
  for (const [name, text, message] of cases) {
    await open(name, text);
    await expect(page.getByTestId('notice')).toHaveText(message);
    await expect(page.locator('.react-flow__node')).toHaveCount(8);
    await expect(page.getByTestId('total-params')).toHaveText('209,968');
  }
  await page.screenshot({ path: 'e2e/screenshots/bad-graph-file.png' });

  // A good file opens.
  const small = undercomplete();
  small.name = 'Code 16';
  small.nodes.find((n) => n.id === 'bottleneck-4')!.params.latentSize = 16;
  await open('code16.bottleneck.json', serializeGraph(small));
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('16');
  await expect(page.getByTestId('total-params')).toHaveText((209_968 - 2 * (32 * 128) + 2 * (16 * 128) - 16).toLocaleString('en'));
});

test('a block edit updates shapes and, when it breaks the graph, disables Train with the reason', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('node-dense-6').click();
  const units = page.getByTestId('param-units');
  await units.fill('780');
  await units.press('Enter');
  await expect(page.getByTestId('node-reshape-7')).toHaveAttribute('data-error', /cannot reshape 780/);
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await expect(page.getByTestId('train-start')).toHaveAttribute('title', /Fix the graph first: cannot reshape 780/);
  await expect(page.getByTestId('train-blocked')).toHaveText(/^1 error: cannot reshape 780/);
  await page.screenshot({ path: 'e2e/screenshots/shape-error.png' });
  await units.fill('784');
  await units.press('Enter');
  await expect(page.getByTestId('train-start')).toBeEnabled();
});

test('while a run trains the graph can be edited and queued as the next run; the canvas says which graph trains', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  // The workspace is the whole session's: only the runs this test makes count.
  const listRuns = async (): Promise<{ id: string; codeSize: number }[]> => page.evaluate(async () => (await (await fetch('api/runs:list', { method: 'POST', body: '{}' })).json()).result);
  const before = new Set((await listRuns()).map((r) => r.id));
  const epochs = page.getByTestId('param-epochs');
  await epochs.fill('500');
  await epochs.press('Enter');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  const first = (await page.getByTestId('dashboard-run').textContent())!.replace(/^Run\s*/, '');
  const firstId = (await page.getByTestId('dashboard-run').getAttribute('title'))!.split(' ')[0]!;
  await expect(page.getByTestId('training-chip')).toHaveAttribute('data-canvas', 'training');

  // Edit while it trains: the canvas becomes a copy, and Queue sends it.
  await page.getByTestId('node-bottleneck-4').click();
  const code = page.getByTestId('param-latentSize');
  await code.fill('8');
  await code.press('Enter');
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('8');
  await expect(page.getByTestId('training-chip')).toHaveAttribute('data-canvas', 'edited');
  expect(await page.getByTestId('training-chip').getAttribute('title')).toContain(`"${first}" trains the graph as it was`);
  await page.screenshot({ path: 'e2e/screenshots/edit-while-training.png' });
  await clickAsUser(page.getByTestId('train-queue'));
  await expect(page.getByTestId('training-chip')).toHaveAttribute('data-canvas', 'queued');
  await expect(page.getByTestId('notice')).toContainText(`it trains when "${first}" ends`);

  // The first stops: the dashboard turns to the queued run, which trains the edited graph.
  await clickAsUser(page.getByTestId('train-stop'));
  await expect(page.getByTestId('dashboard-run')).not.toHaveAttribute('title', new RegExp(`^${firstId}`), { timeout: 30_000 });
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('training-chip')).toHaveAttribute('data-canvas', 'training');
  await clickAsUser(page.getByTestId('train-stop'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 });
  const made = (await listRuns()).filter((r) => !before.has(r.id));
  expect(made.map((r) => r.codeSize).sort()).toEqual([32, 8].sort());
});
