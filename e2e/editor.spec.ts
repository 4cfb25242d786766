import { clickAsUser, expectOnTop, layoutSettled, menu } from './ui';
import { serializeGraph } from '../core/graph/schema';
import { undercomplete } from '../core/templates/undercomplete';
import { expect, test, type Page } from '@playwright/test';

/** Drops a palette block at a point of the canvas (offsets from the canvas's top-left corner). */
async function drop(page: Page, kind: string, x: number, y: number) {
  await page.getByTestId(`palette-${kind}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

/** Drags a wire from one block's output handle to another's input handle. */
async function wire(page: Page, from: string, to: string) {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function setField(page: Page, node: string, name: string, value: string) {
  await page.getByTestId(`node-${node}`).click();
  const field = page.getByTestId(`param-${name}`);
  if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
  else {
    await field.fill(value);
    await field.press('Enter');
  }
}

test('builds the undercomplete autoencoder from an empty canvas by drag and drop alone', async ({ page }) => {
  await page.goto('/');
  await menu(page, 'file-menu', 'new');
  await expect(page.locator('.react-flow__node')).toHaveCount(2);
  const blocks: [string, number, number][] = [
    ['Flatten', 320, 60],
    ['Dense', 560, 60],
    ['Bottleneck', 800, 60],
    ['Dense', 320, 400],
    ['Dense', 560, 400],
    ['Reshape', 800, 400],
  ];
  for (const [kind, x, y] of blocks) await drop(page, kind, x, y);
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  const wires: [string, string][] = [
    ['input-1', 'flatten-3'],
    ['flatten-3', 'dense-4'],
    ['dense-4', 'bottleneck-5'],
    ['bottleneck-5', 'dense-6'],
    ['dense-6', 'dense-7'],
    ['dense-7', 'reshape-8'],
    ['reshape-8', 'output-2'],
  ];
  for (const [from, to] of wires) await wire(page, from, to);
  await expect(page.locator('.react-flow__edge')).toHaveCount(7);
  await setField(page, 'dense-7', 'units', '784');
  await setField(page, 'dense-7', 'activation', 'sigmoid');
  await menu(page, 'edit-menu', 'layout');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await expect(page.getByTestId('total-params')).toHaveText('209,968');

  // The code size follows the bottleneck, on its node, its edges and the totals.
  await setField(page, 'bottleneck-5', 'latentSize', '16');
  await expect(page.getByTestId('shape-bottleneck-5')).toHaveText('16');
  await expect(page.getByTestId('params-dense-6')).toHaveText(`${(16 * 128 + 128).toLocaleString('en')} params`);
  await expect(page.getByTestId('compression')).toHaveText('49.0×');
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.screenshot({ path: 'e2e/screenshots/editor-built-by-hand.png' });

  // A shape mismatch shows on the node at fault and disables Train, with the reason.
  await setField(page, 'dense-7', 'units', '500');
  await expect(page.getByTestId('node-reshape-8')).toHaveAttribute('data-error', /cannot reshape 500 \(500 values\) to 28×28×1/);
  await expect(page.getByTestId('node-reshape-8')).toHaveClass(/block--error/);
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await expect(page.getByTestId('train-blocked')).toContainText('cannot reshape 500');
  await page.screenshot({ path: 'e2e/screenshots/editor-shape-error.png' });
  // The toolbar keeps the error count readable and Train on screen; the count selects the block at fault.
  const blocked = page.getByTestId('train-blocked');
  const count = (await blocked.locator('b').boundingBox())!;
  expect((await blocked.boundingBox())!.width).toBeGreaterThanOrEqual(count.width);
  const train = (await page.getByTestId('train-start').boundingBox())!;
  expect(train.x + train.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
  await blocked.click();
  await expect(page.getByTestId('inspector')).toContainText('Reshape');

  // Undo goes back to the valid graph (keyboard), redo forward again, undo once more.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await expect(page.getByTestId('shape-dense-7')).toHaveText('784');
  await page.keyboard.press('Control+Shift+z');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.getByTestId('cmd-undo').click();
  await expect(page.getByTestId('train-start')).toBeEnabled();

  // Save, reload the page, open: the same graph.
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  await menu(page, 'file-menu', 'save');
  // Unique per attempt: a retry or a repeat runs in the same workspace, where the first attempt's file exists.
  const handBuilt = `hand built ${test.info().retry}-${test.info().repeatEachIndex}`;
  await page.getByTestId('save-name').fill(handBuilt);
  await page.getByTestId('save-confirm').click();
  await expect(page.getByTestId('notice')).toContainText(`Saved ${handBuilt}.bottleneck.json`);
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  const before = await page.evaluate(() => document.querySelector('[data-testid=graph-canvas]')!.getAttribute('data-total-params'));
  const shapesBefore = await page.locator('.react-flow__edge-text').allTextContents();
  // A reload comes back to the same graph, saved; an unsaved change comes back unsaved.
  await page.reload();
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-total-params', before!);
  await expect(page.getByTestId('graph-title')).toHaveAttribute('title', `${handBuilt}.bottleneck.json`);
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  await setField(page, 'bottleneck-5', 'latentSize', '12');
  await page.reload();
  await expect(page.getByTestId('shape-bottleneck-5')).toHaveText('12');
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  await menu(page, 'file-menu', 'open');
  await clickAsUser(page.getByTestId('confirm-ok'));
  await page.getByTestId(`file-${handBuilt}`).click();
  await expect(page.getByTestId('graph-canvas')).toHaveAttribute('data-total-params', before!);
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  expect((await page.locator('.react-flow__edge-text').allTextContents()).sort()).toEqual(shapesBefore.sort());
  await expect(page.getByTestId('shape-bottleneck-5')).toHaveText('16');
});

test('saving over an existing file asks first; leaving unsaved work asks first', async ({ page }) => {
  await page.goto('/');
  const twice = `twice ${test.info().retry}-${test.info().repeatEachIndex}`;
  await menu(page, 'file-menu', 'save-as');
  await page.getByTestId('save-name').fill(twice);
  await page.getByTestId('save-confirm').click();
  await expect(page.getByTestId('notice')).toContainText(`Saved ${twice}`);
  await setField(page, 'bottleneck-4', 'latentSize', '8');
  await menu(page, 'file-menu', 'save-as');
  await page.getByTestId('save-name').fill(twice);
  await page.getByTestId('save-confirm').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText(`${twice}.bottleneck.json already exists`);
  await page.getByTestId('confirm-cancel').click();
  // Back in the Save dialog, to choose another name or cancel.
  await expect(page.getByTestId('save-name')).toHaveValue(twice);
  await clickAsUser(page.getByTestId('save-cancel'));
  await expect(page.getByTestId('dirty-marker')).toBeVisible();

  // A template over unsaved work asks; cancelling keeps the work.
  await menu(page, 'templates-menu', 'template-sparse');
  await expect(page.getByTestId('confirm-dialog')).toContainText('has changes that are not saved');
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('8');
  // So does Open (Ctrl+O), before its list shows; cancelling keeps the work and Undo.
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  await page.keyboard.press('Control+o');
  await expect(page.getByTestId('confirm-dialog')).toContainText('Open another graph anyway?');
  await expect(page.getByTestId('file-dialog')).toHaveCount(0);
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('shape-bottleneck-4')).toHaveText('8');
  await expect(page.getByTestId('cmd-undo')).toBeEnabled();
});

test('copy, paste, duplicate and delete, each undoable', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await page.getByTestId('node-dense-3').click();
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  await page.keyboard.press('Control+d');
  await expect(page.locator('.react-flow__node')).toHaveCount(10);
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(1);
  await page.keyboard.press('Delete');
  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  await page.getByTestId('node-bottleneck-4').click();
  await page.keyboard.press('Backspace');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await expect(page.getByTestId('train-blocked')).toContainText('no Bottleneck');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Control+z');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await expect(page.getByTestId('total-params')).toHaveText('209,968');
});

test('mirror decoder rebuilds the decoder from the encoder', async ({ page }) => {
  await page.goto('/');
  await setField(page, 'dense-3', 'units', '256');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await menu(page, 'edit-menu', 'mirror');
  await expect(page.getByTestId('notice')).toHaveText(/mirror image of the encoder/);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  // Dense 256 mirrored: code 32 → 256 → 784 (sigmoid) → 28×28×1.
  await expect(page.locator('.react-flow__edge-text')).toContainText(['256', '32', '256', '784']);
  await expect(page.getByTestId('total-params')).toHaveText((784 * 256 + 256 + 256 * 32 + 32 + 32 * 256 + 256 + 256 * 784 + 784).toLocaleString('en'));
});

/** Boxes on screen of everything matching a selector (those drawn at all). */
async function boxes(page: Page, selector: string) {
  return page.locator(selector).evaluateAll((els) =>
    els
      .filter((el) => getComputedStyle(el).opacity !== '0' && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left, y: r.top, w: r.width, h: r.height, text: el.textContent ?? '', id: el.closest('[data-id]')?.getAttribute('data-id') ?? '' };
      }),
  );
}
type Box = Awaited<ReturnType<typeof boxes>>[number];
const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test('shape labels clear the handles, one arrowhead per wire, a wire over a block shows, a branch says so, a grown block pushes its neighbours', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await layoutSettled(page, '.edge-label, .react-flow__handle, .react-flow__node');
  // Every wire's shape stays off every handle and every block.
  const labels = await boxes(page, '.edge-label');
  expect(labels).toHaveLength(7);
  for (const other of [...(await boxes(page, '.react-flow__handle')), ...(await boxes(page, '.react-flow__node'))]) {
    for (const label of labels) expect(overlap(label, other), `label "${label.text}" over ${other.id}`).toBe(false);
  }
  // Where a wire arrives, only its arrowhead shows: no handle dot beside it to read as a second one.
  expect(await boxes(page, '.react-flow__handle.target')).toHaveLength(0);
  await page.getByTestId('node-dense-3').hover();
  expect(await boxes(page, '[data-id="dense-3"] .react-flow__handle.target')).toHaveLength(1);

  // A wire from the Input straight to the first Dense passes behind the Flatten: it is drawn over it
  // (in the layer above the blocks, across the Flatten), and the Flatten still takes a click there.
  await wire(page, 'input-1', 'dense-3');
  const over = page.locator('[data-over-edge="e-input-1-dense-3"] path');
  await expect(over).toHaveCount(1);
  const flatten = (await page.getByTestId('node-flatten-2').boundingBox())!;
  const line = (await over.boundingBox())!;
  expect(line.x).toBeLessThan(flatten.x);
  expect(line.x + line.width).toBeGreaterThan(flatten.x + flatten.width);
  expect(line.y).toBeGreaterThan(flatten.y);
  expect(line.y).toBeLessThan(flatten.y + flatten.height);
  const above = await over.evaluate((path) => {
    const block = document.querySelector('[data-testid="node-flatten-2"]')!;
    return Boolean(block.compareDocumentPosition(path) & Node.DOCUMENT_POSITION_FOLLOWING) && getComputedStyle(path.closest('.react-flow__viewport-portal')!).zIndex !== '-1';
  });
  expect(above).toBe(true);
  await clickAsUser(page.getByTestId('node-flatten-2').locator('.block__kind'));
  await expect(page.getByTestId('inspector-title')).toContainText('Flatten');
  await page.keyboard.press('Control+z');
  await expect(over).toHaveCount(0);

  // A block off the encoder is a branch, not a decoder.
  await drop(page, 'Dense', 500, 20);
  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  await wire(page, 'dense-3', 'dense-9');
  await expect(page.getByTestId('node-dense-9')).toHaveAttribute('data-role', 'branch');
  await expect(page.getByTestId('node-dense-9')).toContainText('branch');
  await page.getByTestId('node-dense-9').click();
  await expect(page.getByTestId('inspector-title')).toContainText('branch');
  await page.keyboard.press('Delete');

  // A block that grows past its height (here by an error) moves the block laid right under it.
  const tight = undercomplete();
  tight.name = 'Tight';
  tight.nodes.find((n) => n.id === 'dense-6')!.params.units = 500;
  const reshape = tight.nodes.find((n) => n.id === 'reshape-7')!;
  // The Reshape cannot take 500 values: it has no shape, so it is laid out 92 high; the Output 4 under it.
  tight.nodes.find((n) => n.id === 'output-8')!.position = { x: reshape.position.x, y: reshape.position.y + 96 };
  await menu(page, 'file-menu', 'open');
  await clickAsUser(page.getByTestId('confirm-ok'));
  await page.getByTestId('graph-file-input').setInputFiles({ name: 'tight.bottleneck.json', mimeType: 'application/json', buffer: Buffer.from(serializeGraph(tight)) });
  await expect(page.getByTestId('node-reshape-7')).toHaveClass(/block--error/);
  await expect(page.getByTestId('node-reshape-7')).toHaveCSS('min-height', '92px');
  await expect.poll(async () => (await page.getByTestId('node-reshape-7').evaluate((el) => (el as HTMLElement).offsetHeight)) > 92).toBe(true);
  const blocks = await boxes(page, '.react-flow__node');
  for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) expect(overlap(blocks[i]!, blocks[j]!), `${blocks[i]!.id} and ${blocks[j]!.id} overlap`).toBe(false);
  await page.screenshot({ path: 'e2e/screenshots/editor-wires.png' });
});

test('Save As keeps its dialog over a bad name and has Cancel; a notice makes room, never cuts the view, and times out', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 680 });
  await page.goto('/');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  // Where the graph sits: the canvas's transform, which a fit sets.
  const fit = () => page.evaluate(() => getComputedStyle(document.querySelector('.react-flow__viewport')!).transform);
  const fitAlone = await fit();

  // A name the workspace cannot take: the dialog stays, says why, and Cancel closes it.
  await menu(page, 'file-menu', 'save-as');
  await page.getByTestId('save-name').fill('a/b');
  await clickAsUser(page.getByTestId('save-confirm'));
  await expect(page.getByTestId('file-dialog-error')).toContainText('is not a usable file name');
  await expect(page.getByTestId('file-dialog')).toBeVisible();
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await clickAsUser(page.getByTestId('save-cancel'));
  await expect(page.getByTestId('file-dialog')).toHaveCount(0);

  // A good name saves; its notice takes a line, and the canvas refits under it: nothing leaves the window.
  await menu(page, 'file-menu', 'save-as');
  await page.getByTestId('save-name').fill(`room ${test.info().retry}-${test.info().repeatEachIndex}`);
  await clickAsUser(page.getByTestId('save-confirm'));
  await expect(page.getByTestId('notice')).toContainText('Saved');
  await expect.poll(fit).not.toBe(fitAlone);
  const bottom = await page.locator('.dashboard').evaluate((el) => el.getBoundingClientRect().bottom);
  expect(bottom).toBeLessThanOrEqual(680);
  for (const kind of await page.locator('.block__kind').all()) await expectOnTop(kind);
  await page.screenshot({ path: 'e2e/screenshots/notice-1024.png' });
  // Information goes by itself, and the graph takes the room back.
  await expect(page.getByTestId('notice')).toHaveCount(0, { timeout: 12_000 });
  await expect.poll(fit).toBe(fitAlone);
});

test('view keys work from a field, text keys stay in it; the shortcuts list the mouse; the ? menu names the guide and folders', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  const epochs = page.getByTestId('param-epochs');
  await epochs.fill('12');
  // Ctrl+A selects the field's text (not every block), and the view key works from the field, applying what was typed.
  await epochs.press('Control+a');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);
  await epochs.press('Control+2');
  await expect(page.getByTestId('view-runs')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+1');
  await expect(page.getByTestId('param-epochs')).toHaveValue('12');

  await menu(page, 'help-menu', 'shortcuts');
  const shortcuts = page.getByTestId('shortcuts-dialog');
  await expect(shortcuts).toContainText('Shift+drag');
  await expect(shortcuts).toContainText('Ctrl+click');
  await page.keyboard.press('Escape');

  await clickAsUser(page.getByTestId('help-menu'));
  for (const id of ['guide', 'docs-folder', 'workspace-folder']) await expectOnTop(page.getByTestId(`menu-${id}`));
  await clickAsUser(page.getByTestId('menu-workspace-folder'));
  // A browser cannot open a folder on this machine: a dialog shows where it is, to copy.
  const info = await page.evaluate(async () => (await (await fetch('api/app:info', { method: 'POST', body: '{}' })).json()).result);
  await expect(page.getByTestId('workspace-dialog')).toContainText('Workspace folder');
  await expect(page.getByTestId('workspace-path')).toHaveValue(info.workspace);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('workspace-dialog')).toHaveCount(0);
  await menu(page, 'help-menu', 'guide');
  await expect(page.getByTestId('guide-dialog')).toContainText('Guide');
  await expect(page.getByTestId('guide-path')).toHaveValue(info.places.guide);
  expect(info.places.guide).toMatch(/docs\/guide\.md$/);
  await clickAsUser(page.getByTestId('guide-dialog').getByRole('button', { name: 'Close' }));
  await expect(page.getByTestId('guide-dialog')).toHaveCount(0);
});
