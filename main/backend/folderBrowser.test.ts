import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browseFolder } from './folderBrowser';

describe('the folder browser', () => {
  it('refuses a relative path instead of listing the server’s working folder', async () => {
    for (const path of ['.', '../..', 'photos']) {
      await expect(browseFolder(path)).rejects.toThrow(`give a full path (from / or a drive), got "${path}"`);
    }
  });

  it('answers a 4,096-character path with a short error', async () => {
    const path = `/${'x'.repeat(4095)}`;
    const err = await browseFolder(path).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^\/x{199}… \(4,096 characters\): (the path is too long|no such folder)$/);
    expect((err as Error).message.length).toBeLessThan(260);
  });

  it('lists a full path’s subfolders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'browse-'));
    mkdirSync(join(root, 'cats'));
    expect(await browseFolder(root)).toMatchObject({ path: root, folders: [{ name: 'cats', path: join(root, 'cats') }], imageCount: 0 });
  });
});
