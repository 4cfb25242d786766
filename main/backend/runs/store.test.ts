import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildTemplate } from '../../../core/templates';
import { newRunId } from './naming';
import { RunStore } from './store';

describe('RunStore.create', () => {
  it('leaves no folder behind when the run cannot be written (a graph that cannot be serialized, a full disk)', () => {
    const store = new RunStore(mkdtempSync(join(tmpdir(), 'store-')));
    const deep = buildTemplate('undercomplete');
    deep.nodes[1]!.params.extra = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(() => store.create(newRunId(), deep, 'builtin:fashion-mnist')).toThrow(/call stack/);
    expect(readdirSync(store.root)).toEqual([]);

    vi.spyOn(store, 'write').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    expect(() => store.create(newRunId(), buildTemplate('undercomplete'), 'builtin:fashion-mnist')).toThrow(/ENOSPC/);
    expect(readdirSync(store.root)).toEqual([]);
    expect(store.list()).toEqual([]);
  });
});
