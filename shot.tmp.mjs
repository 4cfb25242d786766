import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
const home = '/tmp/bn-home-' + Date.now();
const server = spawn(process.execPath, ['dist/main/serve.cjs', '--port', '7411'], { env: { ...process.env, BOTTLENECK_HOME: home, BOTTLENECK_BACKEND: 'wasm' }, stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 2500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [w, h] of [[1440, 900], [1920, 1080]]) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  page.on('console', (m) => m.type() === 'error' && console.log('CONSOLE', m.text()));
  await page.goto('http://127.0.0.1:7411/');
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `/tmp/shots/first-${w}.png` });
  await page.getByTestId('templates-menu').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `/tmp/shots/menu-${w}.png` });
  await page.keyboard.press('Escape');
  await page.close();
}
await browser.close();
server.kill();
