/**
 * electron-builder.yml ships Dawn (the webgpu package's dawn.node) outside the asar archive and only
 * the target platform's build. Checked with electron-builder's own matching (minimatch, dot files on,
 * ${arch} expanded; a platform's "!" patterns filter node_modules) on the files the package holds.
 * (A packaged build was inspected by hand the same way: linux-x64 and win32-x64 each kept only their own.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

async function config(): Promise<Record<string, unknown>> {
  // js-yaml comes with electron-builder; it has no types of its own.
  const yaml = (await import('js-yaml' as string)) as { load(text: string): unknown };
  return yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

/** The webgpu package's files, relative to the app folder. */
function dawnFiles(): string[] {
  const dist = join(root, 'node_modules', 'webgpu', 'dist');
  return readdirSync(dist).flatMap((platform) => readdirSync(join(dist, platform)).map((f) => `node_modules/webgpu/dist/${platform}/${f}`));
}

const patterns = (value: unknown) => (Array.isArray(value) ? value : []).filter((p): p is string => typeof p === 'string');

describe('packaging Dawn', () => {
  it.each([
    ['linux', 'x64', 'linux-x64'],
    ['linux', 'arm64', 'linux-arm64'],
    ['mac', 'universal', 'darwin-universal'],
    ['win', 'x64', 'win32-x64'],
    ['win', 'arm64', 'win32-arm64'],
  ])('%s %s ships only %s, unpacked from the asar', async (platform, arch, folder) => {
    const c = await config();
    const excluded = [...patterns(c.files), ...patterns((c[platform] as { files?: unknown } | undefined)?.files)]
      .filter((p) => p.startsWith('!'))
      .map((p) => p.slice(1).replaceAll('${arch}', arch));
    const shipped = dawnFiles().filter((f) => !excluded.some((p) => minimatch(f, p, { dot: true })));
    expect(shipped.length).toBeGreaterThan(0);
    expect(new Set(shipped.map((f) => f.split('/')[3]))).toEqual(new Set([folder]));
    expect(shipped).toContain(`node_modules/webgpu/dist/${folder}/dawn.node`);
    for (const file of shipped) expect(patterns(c.asarUnpack).some((p) => minimatch(file, p, { dot: true })), file).toBe(true);
  });
});
