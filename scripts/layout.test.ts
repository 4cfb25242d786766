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

/** Whether `index` lies inside a template literal (odd count of unescaped backticks before it): text, such as an exported README's example code. */
function inTemplateLiteral(text: string, index: number): boolean {
  let ticks = 0;
  for (let i = 0; i < index; i++) if (text[i] === '`' && text[i - 1] !== '\\') ticks++;
  return ticks % 2 === 1;
}

function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(IMPORT)].filter((m) => !inTemplateLiteral(text, m.index!)).map((m) => {
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
/** The first engine, kept as a test reference (main/backend/engine/firstEngine): the only non-test code that may load tfjs. */
const FIRST_ENGINE = 'main/backend/engine/firstEngine/';

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

  it('no app code loads TensorFlow.js (ONNX Runtime is the engine); only tests and their first-engine reference do', () => {
    const rule = (file: string, spec: string, target: string | null) => {
      if (isTest(file) || file.startsWith(FIRST_ENGINE)) return null;
      if (spec.startsWith('@tensorflow/') || spec === 'webgpu') return `imports ${spec}`;
      return target?.startsWith(FIRST_ENGINE) ? `imports the first engine (${spec}), a test reference` : null;
    };
    expect([...violations('core', rule), ...violations('renderer', rule), ...violations('main', rule), ...violations('preload', rule), ...violations('bench', rule)]).toEqual([]);
  });

  it('only main/backend loads onnxruntime-node; core emits model bytes and never runs them', () => {
    const rule = (file: string, spec: string) => (spec === 'onnxruntime-node' && !isTest(file) && !file.startsWith('main/backend/') ? `imports ${spec}` : null);
    expect([...violations('core', rule), ...violations('renderer', rule), ...violations('main', rule), ...violations('preload', rule)]).toEqual([]);
  });

  it('the renderer never imports main or preload', () => {
    expect(
      violations('renderer', (_file, spec, target) => {
        if (target === null) return null;
        return target.startsWith('main') || target.startsWith('preload') ? `imports ${spec}` : null;
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
