/**
 * What a user can do, not what a test driver can force: a control counts as clickable only when it is
 * inside the window and is the element on top at its centre (Playwright's own click would scroll it
 * into view and hide clipping or overlap).
 */
import { expect, type Locator, type Page } from '@playwright/test';

/** The control is in the window and nothing covers its centre. */
export async function expectOnTop(target: Locator): Promise<{ x: number; y: number }> {
  await expect(target).toBeVisible();
  const page = target.page();
  const box = await target.boundingBox();
  expect(box, 'the control has a box on screen').not.toBeNull();
  const { width, height } = page.viewportSize()!;
  const x = box!.x + box!.width / 2;
  const y = box!.y + box!.height / 2;
  expect(x >= 0 && x <= width && y >= 0 && y <= height, `centre (${x}, ${y}) inside the ${width}×${height} window`).toBe(true);
  const onTop = await target.evaluate((el, [cx, cy]) => {
    const hit = document.elementFromPoint(cx!, cy!);
    return hit !== null && (hit === el || el.contains(hit));
  }, [x, y]);
  expect(onTop, `${target} is the element on top at its centre`).toBe(true);
  return { x, y };
}

/** Clicks at the control's centre with the mouse, after checking a user could see and reach it there. */
export async function clickAsUser(target: Locator): Promise<void> {
  await expect(target).toBeEnabled();
  const { x, y } = await expectOnTop(target);
  await target.page().mouse.click(x, y);
}

export type MenuId = 'file-menu' | 'edit-menu' | 'templates-menu' | 'help-menu';

/** Opens a toolbar menu and picks one of its items, both as a user would. */
export async function menu(page: Page, menuId: MenuId, itemId: string): Promise<void> {
  await clickAsUser(page.getByTestId(menuId));
  await clickAsUser(page.getByTestId(`menu-${itemId}`));
}

/** Loads a template, sets its epochs in the Inspector (no block selected) and trains it to the end. */
export async function trainTemplate(page: Page, template: string, epochs: number): Promise<void> {
  await menu(page, 'templates-menu', `template-${template}`);
  await page.locator('.react-flow__pane').click({ position: { x: 8, y: 8 } });
  const field = page.getByTestId('param-epochs');
  await field.fill(String(epochs));
  await field.press('Enter');
  await clickAsUser(page.getByTestId('train-start'));
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'finished', { timeout: 120_000 });
}

export const SIZES = [
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

/**
 * Waits until the window has its size and the boxes of what `selector` matches stop moving: the same
 * on three frames in a row (after a resize, a fit to the window, a zoom or a layout pass).
 */
export async function layoutSettled(page: Page, selector = 'body *'): Promise<void> {
  const { width, height } = page.viewportSize()!;
  await page.waitForFunction(
    ([sel, w, h]) => {
      const state = window as unknown as { __layout?: string; __layoutSame?: number };
      const boxes = [...document.querySelectorAll(sel as string)].map((el) => {
        const r = el.getBoundingClientRect();
        return `${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)},${Math.round(r.height)}`;
      });
      const now = `${innerWidth}x${innerHeight};${boxes.join(';')}`;
      state.__layoutSame = now === state.__layout ? (state.__layoutSame ?? 0) + 1 : 0;
      state.__layout = now;
      return innerWidth === w && innerHeight === h && state.__layoutSame >= 2;
    },
    [selector, width, height] as const,
    { polling: 'raf' },
  );
}

/** Off every chart: waits until no chart tooltip (echarts draws them at z-index 9999999) is left on screen. */
export async function noChartTooltips(page: Page): Promise<void> {
  await expect(page.locator('div[style*="z-index: 9999999"]').filter({ visible: true })).toHaveCount(0);
}

/** The window's own minimum and the usual screens: the sizes a view is checked and photographed at. */
export const WINDOW_SIZES = [{ width: 1024, height: 680 }, { width: 1280, height: 720 }, ...SIZES] as const;

/** Screenshots at the sizes given (default both the app is checked at, 1440×900 and 1920×1080); the page ends at the first. */
export async function screenshots(page: Page, name: string, prepare?: () => Promise<void>, sizes: readonly { width: number; height: number }[] = SIZES): Promise<void> {
  for (const size of [...sizes].reverse()) {
    await page.setViewportSize(size);
    await layoutSettled(page);
    await prepare?.();
    await page.screenshot({ path: `e2e/screenshots/${name}-${size.width}.png` });
  }
}

/** Every toolbar control whose text is cut short (its content wider than its box). */
export async function truncatedToolbarLabels(page: Page): Promise<string[]> {
  return page.locator('.toolbar button, .canvas__title').evaluateAll((els) =>
    els.filter((el) => el.scrollWidth > el.clientWidth + 1 || [...el.querySelectorAll('span')].some((s) => s.scrollWidth > s.clientWidth + 1 && getComputedStyle(s).overflow === 'hidden')).map((el) => el.textContent ?? ''),
  );
}

/**
 * Every visible control inside `root` (buttons, fields, tabs, links) can be scrolled to, as a user
 * scrolls, and is then inside the window and on top at its centre: nothing is cut off or covered.
 * Returns how many were checked.
 */
export async function expectControlsReachable(root: Locator): Promise<number> {
  const controls = root.locator('button, input, select, textarea, summary, a[href], [role="tab"], [role="radio"]');
  let checked = 0;
  for (let i = 0; i < (await controls.count()); i++) {
    const control = controls.nth(i);
    if (!(await control.isVisible())) continue;
    await control.scrollIntoViewIfNeeded();
    await expectOnTop(control);
    checked++;
  }
  // Nor is anything wider than the view (a panel cut off at the right edge).
  const overflow = await root.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow, 'the view is no wider than the window').toBeLessThanOrEqual(0);
  return checked;
}

export type RunActionId = 'open' | 'explore' | 'export' | 'continue' | 'notes' | 'delete';

/** Picks an action from a run's menu (⋯) in the Runs list, both as a user would. */
export async function runAction(page: Page, runId: string, action: RunActionId): Promise<void> {
  await clickAsUser(page.getByTestId(`run-actions-${runId}`));
  await clickAsUser(page.getByTestId(`menu-run-${action}`));
}
