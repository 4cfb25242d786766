/** The layout rules of DESIGN.md, checked on every import of every source file. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|tsx|mjs)$/.test(e.name) ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    return { spec, target: spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : null };
  });
}

function violations(dir: string, rule: (file: string, spec: string, target: string | null) => string | null): string[] {
  return sources(dir).flatMap((file) =>
    importsOf(file)
      .map(({ spec, target }) => rule(file, spec, target))
      .filter((v): v is string => v !== null)
      .map((v) => `${file}: ${v}`),
  );
}

const isTest = (file: string) => /\.test\.tsx?$/.test(file);
const TF_ALLOWED = ['core/compile/', 'core/train/', 'main/backend/'];

describe('layout rules (DESIGN.md)', () => {
  it('core imports nothing outside core, and no node:, electron or react', () => {
    expect(
      violations('core', (file, spec, target) => {
        if (target !== null) return target.startsWith('core') ? null : `imports ${spec} from outside core`;
        if (isTest(file) && spec === 'vitest') return null;
        return /^(node:|electron|react|ws$|@xyflow|zustand|echarts)/.test(spec) ? `imports ${spec}` : null;
      }),
    ).toEqual([]);
  });

  it('only core/compile, core/train and main/backend import tfjs, so the UI bundle stays small', () => {
    // Tests are never bundled, so a template test may compile models.
    const rule = (file: string, spec: string) =>
      spec.startsWith('@tensorflow/') && !isTest(file) && !TF_ALLOWED.some((dir) => file.startsWith(dir)) ? `imports ${spec}` : null;
    expect([...violations('core', rule), ...violations('renderer', rule), ...violations('main', rule), ...violations('preload', rule)]).toEqual([]);
  });

  it('the renderer never imports main or preload, nor core modules that load tfjs', () => {
    expect(
      violations('renderer', (_file, spec, target) => {
        if (target === null) return null;
        if (target.startsWith('main') || target.startsWith('preload')) return `imports ${spec}`;
        if (target.startsWith('core/compile') || target.startsWith('core/train/train')) return `imports ${spec} (tfjs)`;
        return null;
      }),
    ).toEqual([]);
  });

  it('the preload reaches only electron and the contract', () => {
    expect(
      violations('preload', (file, spec, target) => {
        if (isTest(file)) return null;
        if (spec === 'electron') return null;
        return target !== null && /^core\/api(Channels)?$/.test(target) ? null : `imports ${spec}`;
      }),
    ).toEqual([]);
  });

  it('main/backend does not import electron (the same backend runs in the browser mode and the CLI)', () => {
    expect(violations('main/backend', (_f, spec) => (spec === 'electron' ? 'imports electron' : null))).toEqual([]);
    expect(violations('main/server', (_f, spec) => (spec === 'electron' ? 'imports electron' : null))).toEqual([]);
  });
});
