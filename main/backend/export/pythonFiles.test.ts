/**
 * The PyTorch export's Python is real Python: every file in python/ and the model.py generated for
 * each template compile with /usr/bin/python3 -m py_compile (no torch needed), and the project
 * carries python/'s files as they are.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinDatasetId } from '../../../core/data/datasetId';
import { planModel } from '../../../core/compile/plan';
import { initialParams } from '../../../core/compile/init';
import { buildTemplate, TEMPLATE_NAMES } from '../../../core/templates';
import { modelSource, pytorchProject } from './pytorch';
import { PYTHON_FILES, pythonDir, pythonFile } from './pythonFiles';

const PYTHON = '/usr/bin/python3';

/** Compiles each file into a throwaway cache folder; returns python's complaint, or '' when they all compile. */
function compileErrors(files: string[]): string {
  const out = spawnSync(PYTHON, ['-m', 'py_compile', ...files], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: mkdtempSync(join(tmpdir(), 'pycache-')) } });
  if (out.error) throw out.error;
  return out.status === 0 ? '' : out.stderr.trim();
}

describe.skipIf(!existsSync(PYTHON))('the PyTorch export’s Python', () => {
  it('every .py in python/ compiles, and the list the exporter copies is exactly them', () => {
    const onDisk = readdirSync(pythonDir()).filter((f) => f.endsWith('.py'));
    expect(onDisk.sort()).toEqual([...PYTHON_FILES].sort());
    expect(compileErrors(onDisk.map((f) => join(pythonDir(), f)))).toBe('');
  });

  it.each(TEMPLATE_NAMES)('the model.py generated for the %s template compiles', (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'model-py-'));
    writeFileSync(join(dir, 'model.py'), modelSource(buildTemplate(name)).source);
    expect(compileErrors([join(dir, 'model.py')])).toBe('');
  });

  it('a file that does not compile is reported (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-py-'));
    writeFileSync(join(dir, 'broken.py'), 'def f(:\n');
    expect(compileErrors([join(dir, 'broken.py')])).toMatch(/SyntaxError/);
  });

  it('the project holds python/’s files unchanged, and config.json the image limit train.py reads', () => {
    const graph = buildTemplate('undercomplete');
    const files = pytorchProject({ doc: graph, weights: initialParams(planModel(graph).params, 1), epoch: 0, datasetId: builtinDatasetId('fashion-mnist'), runId: 'r', runName: 'r' });
    for (const name of PYTHON_FILES) expect(files.find((f) => f.path === name)?.data).toBe(pythonFile(name));
    const config = JSON.parse(files.find((f) => f.path === 'config.json')!.data as string) as { maxImagePixels: number };
    expect(config.maxImagePixels).toBeGreaterThan(0);
    expect(pythonFile('train.py')).toContain('config["maxImagePixels"]');
  });
});
