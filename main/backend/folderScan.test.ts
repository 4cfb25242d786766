/** The folder scan on folders that change under it or link elsewhere: it finishes, and says what it skipped. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeFolder } from './folderBrowser';
import { scanFolder } from './folderScan';
import { blackPng } from './testImages';

/** A folder with classes a and b, one 4×4 PNG in each; returns its path. */
function twoClasses(): string {
  const root = mkdtempSync(join(tmpdir(), 'scan-'));
  for (const c of ['a', 'b']) {
    mkdirSync(join(root, c));
    writeFileSync(join(root, c, '1.png'), blackPng(4, 4));
  }
  return root;
}

describe('scanning a folder', () => {
  it('does not follow a link to a folder outside the chosen one, and says so; links inside and loops are walked once', async () => {
    const root = twoClasses();
    const elsewhere = twoClasses();
    symlinkSync(elsewhere, join(root, 'out'));
    symlinkSync(root, join(root, 'a', 'loop'));
    symlinkSync(join(root, 'b'), join(root, 'c'));
    const scan = await scanFolder(root);
    expect(scan.files.map((f) => f.path)).toEqual([join(root, 'a', '1.png'), join(root, 'b', '1.png')]);
    expect(scan.skipped).toEqual([{ path: join(root, 'out'), reason: `a link to ${elsewhere}, outside the folder: not followed` }]);
  });

  it('skips a subfolder that vanishes while the scan runs, and lists it', async () => {
    const root = twoClasses();
    let removed = false;
    const scan = await scanFolder(root, undefined, () => {
      // The first call comes once the top folder is listed, before its subfolders are walked.
      if (!removed) rmSync(join(root, 'b'), { recursive: true });
      removed = true;
    });
    expect(scan.files.map((f) => f.path)).toEqual([join(root, 'a', '1.png')]);
    expect(scan.skipped).toEqual([{ path: join(root, 'b'), reason: 'the folder vanished during the scan' }]);
    const summary = await summarizeFolder(root);
    expect(summary.classNames).toEqual(['a']);
  });

  it.skipIf(process.platform !== 'linux')('finishes on a /proc folder without leaving it through cwd or root', async () => {
    const dir = `/proc/${process.pid}`;
    const scan = await scanFolder(dir);
    expect(scan.files.filter((f) => !f.path.startsWith(`${dir}/`))).toEqual([]);
    expect(scan.skipped).toContainEqual({ path: join(dir, 'cwd'), reason: `a link to ${process.cwd()}, outside the folder: not followed` });
    expect(scan.skipped).toContainEqual({ path: join(dir, 'root'), reason: 'a link to /, outside the folder: not followed' });
  }, 20_000);
});
