/**
 * electron-builder.yml ships ONNX Runtime (onnxruntime-node's binding and libraries) outside the
 * asar archive and only the target platform's build. Checked with electron-builder's own matching
 * (minimatch, dot files on, ${arch} expanded; a platform's "!" patterns filter node_modules) on the
 * files the package holds, and no TensorFlow.js or Dawn left in the production dependencies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

async function config(): Promise<Record<string, unknown>> {
  // js-yaml comes with electron-builder; it has no types of its own.
  const yaml = (await import('js-yaml' as string)) as { load(text: string): unknown };
  return yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

/** onnxruntime-node's native files, relative to the app folder. */
function runtimeFiles(dir = join(root, 'node_modules', 'onnxruntime-node', 'bin')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? runtimeFiles(join(dir, e.name)) : [relative(root, join(dir, e.name))]));
}

const patterns = (value: unknown) => (Array.isArray(value) ? value : []).filter((p): p is string => typeof p === 'string');

describe('packaging ONNX Runtime', () => {
  it.each([
    ['linux', 'x64', 'linux/x64'],
    ['linux', 'arm64', 'linux/arm64'],
    ['mac', 'arm64', 'darwin/arm64'],
    ['win', 'x64', 'win32/x64'],
    ['win', 'arm64', 'win32/arm64'],
  ])('%s %s ships only %s, unpacked from the asar', async (platform, arch, folder) => {
    const c = await config();
    const excluded = [...patterns(c.files), ...patterns((c[platform] as { files?: unknown } | undefined)?.files)]
      .filter((p) => p.startsWith('!'))
      .map((p) => p.slice(1).replaceAll('${arch}', arch));
    const shipped = runtimeFiles().filter((f) => !excluded.some((p) => minimatch(f, p, { dot: true })));
    expect(new Set(shipped.map((f) => f.split('/').slice(4, 6).join('/')))).toEqual(new Set([folder]));
    expect(shipped.some((f) => f.endsWith('onnxruntime_binding.node'))).toBe(true);
    for (const file of shipped) expect(patterns(c.asarUnpack).some((p) => minimatch(file, p, { dot: true })), file).toBe(true);
  });

  it('keeps TensorFlow.js and Dawn out of what the app ships', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    const shipped = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
    expect(shipped.filter((name) => name.startsWith('@tensorflow/') || name === 'webgpu')).toEqual([]);
    expect(shipped).toContain('onnxruntime-node');
  });
});
