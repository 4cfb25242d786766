/**
 * What electron-builder.yml ships. ONNX Runtime (onnxruntime-node's binding and libraries) and sharp's
 * libvips sit outside the asar archive, and only the target platform's ONNX Runtime goes in: checked
 * with electron-builder's own matching (minimatch, dot files on, ${platform} and ${arch} expanded) on
 * the files the package holds. The production dependencies are exactly what the main-process bundles
 * load (the renderer's libraries are bundled by Vite), with no TensorFlow.js or Dawn among them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

async function config(): Promise<Record<string, unknown>> {
  // js-yaml has no types of its own.
  const yaml = (await import('js-yaml' as string)) as { load(text: string): unknown };
  return yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

/** The files under dir (onnxruntime-node's native files by default), relative to the app folder. */
function filesUnder(dir = join(root, 'node_modules', 'onnxruntime-node', 'bin')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [relative(root, join(dir, e.name))]));
}

const patterns = (value: unknown) => (Array.isArray(value) ? value : []).filter((p): p is string => typeof p === 'string');

/** The target's name in electron-builder's `${platform}` (process.platform, as on the machine that builds it). */
const nodePlatform: Record<string, string> = { linux: 'linux', mac: 'darwin', win: 'win32' };

describe('packaging ONNX Runtime', () => {
  it.each([
    ['linux', 'x64', 'linux/x64'],
    ['linux', 'arm64', 'linux/arm64'],
    ['mac', 'arm64', 'darwin/arm64'],
    ['win', 'x64', 'win32/x64'],
    ['win', 'arm64', 'win32/arm64'],
  ])('%s %s ships only %s, unpacked from the asar', async (platform, arch, folder) => {
    const c = await config();
    const excluded = patterns(c.files)
      .filter((p) => p.startsWith('!'))
      .map((p) => p.slice(1).replaceAll('${platform}', nodePlatform[platform]!).replaceAll('${arch}', arch));
    const shipped = filesUnder().filter((f) => !excluded.some((p) => minimatch(f, p, { dot: true })));
    expect(new Set(shipped.map((f) => f.split('/').slice(4, 6).join('/')))).toEqual(new Set([folder]));
    expect(shipped.some((f) => f.endsWith('onnxruntime_binding.node'))).toBe(true);
    for (const file of shipped) expect(patterns(c.asarUnpack).some((p) => minimatch(file, p, { dot: true })), file).toBe(true);
  });

  it('keeps every file rule in the top-level list', async () => {
    // electron-builder puts a platform's own `files` in a list of their own; when those are all "!"
    // patterns it adds "**/*" and the package holds the whole repository (sources, tests, bench).
    const c = await config();
    const platformFiles = ['linux', 'mac', 'win'].filter((p) => (c[p] as { files?: unknown } | undefined)?.files !== undefined);
    expect(platformFiles).toEqual([]);
    expect(patterns(c.files).filter((p) => !p.startsWith('!'))).toContain('dist/**');
  });

  it("unpacks sharp's native binding and libvips together", async () => {
    // The binding finds libvips beside it by a relative path, so both must leave the asar.
    const c = await config();
    const imgDir = join(root, 'node_modules', '@img');
    const native = filesUnder(imgDir).filter((f) => /\.node$|\.so(\.|$)|\.dylib$|\.dll$/.test(f));
    expect(native.some((f) => f.endsWith('.node'))).toBe(true);
    expect(native.some((f) => f.includes('libvips'))).toBe(true);
    for (const file of native) expect(patterns(c.asarUnpack).some((p) => minimatch(file, p, { dot: true })), file).toBe(true);
  });
});

describe('production dependencies', () => {
  it('are exactly the packages the main-process bundles load', async () => {
    const { mainEntries } = (await import('./mainEntries.mjs' as string)) as { mainEntries: Record<string, string> };
    const result = await build({ absWorkingDir: root, entryPoints: mainEntries, bundle: true, platform: 'node', format: 'cjs', packages: 'external', write: false, metafile: true, outdir: 'out', logLevel: 'silent' });
    const packageName = (path: string) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');
    const loaded = new Set(
      Object.values(result.metafile.inputs)
        .flatMap((input) => input.imports)
        .filter((i) => i.external && !i.path.startsWith('node:') && i.path !== 'electron')
        .map((i) => packageName(i.path)),
    );
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(new Set(Object.keys(pkg.dependencies))).toEqual(loaded);
  });

  it('leave TensorFlow.js and Dawn out of what the app ships', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    const shipped = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
    expect(shipped.filter((name) => name.startsWith('@tensorflow/') || name === 'webgpu')).toEqual([]);
    expect(shipped).toContain('onnxruntime-node');
  });
});
