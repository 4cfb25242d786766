import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_VERSION } from './format';
import { storeWithRun } from './testRuns';

describe('run.json', () => {
  it('keeps run.json whole when a crash leaves a half-written temp file behind', () => {
    const { s, id } = storeWithRun('builtin:fashion-mnist');
    // A crash between write and rename leaves the temp file; run.json is the old, complete one.
    writeFileSync(join(s.dir(id), `run.json.${process.pid}.tmp`), '{"format": "bottleneck.ru');
    expect(s.read(id).status).toBe('running');
    s.update(id, { status: 'stopped' });
    expect(s.read(id).status).toBe('stopped');
  });

  it('reads a version 1 run.json with defaults, deriving what it lacks from graph.json', () => {
    const { s, id } = storeWithRun('builtin:fashion-mnist');
    const { topology: _t, codeSize: _c, totalParams: _p, starred: _s, owner: _o, ...v1 } = s.read(id);
    writeFileSync(join(s.dir(id), 'run.json'), JSON.stringify({ ...v1, version: 1, status: 'finished', endedAt: new Date().toISOString(), dataset: { id: 'builtin:fashion-mnist' } }));
    expect(s.list()[0]).toMatchObject({ id, topology: 'undercomplete', codeSize: 32, starred: false, datasetName: 'Fashion-MNIST', damaged: null });
    expect(s.rename(id, { starred: true })).toMatchObject({ starred: true });
    expect(s.read(id).version).toBe(RUN_VERSION);
  });
});
