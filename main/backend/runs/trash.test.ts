import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { undercomplete } from '../../../core/templates/undercomplete';
import { newRunId } from './naming';
import { tempStore } from './testRuns';

describe('the trash', () => {
  it('deletes to the trash and restores, refusing a run still training', () => {
    const s = tempStore();
    const a = newRunId(new Date('2026-02-01T00:00:00Z'));
    const b = newRunId(new Date('2026-02-02T00:00:00Z'));
    for (const id of [a, b]) {
      s.create(id, undercomplete(), 'x');
      s.update(id, { status: 'finished', endedAt: new Date().toISOString() });
    }
    const live = newRunId(new Date('2026-02-03T00:00:00Z'));
    s.create(live, undercomplete(), 'x');
    expect(() => s.delete([a, live])).toThrow(`run ${live} is running: stop it before deleting it`);
    expect(s.list()).toHaveLength(3); // nothing moved
    s.update(live, { status: 'stopped' });
    expect(() => s.delete([live], (id) => id === live)).toThrow(`run ${live} is training: stop it before deleting it`);
    expect(() => s.delete(['20260101T000000Z-zzzz'])).toThrow('no run 20260101T000000Z-zzzz');

    expect(s.delete([a, b])).toEqual([a, b]);
    expect(s.list().map((r) => r.id)).toEqual([live]);
    expect(readdirSync(join(s.root, '.trash')).sort()).toEqual([a, b]);
    expect(s.restore([a, b])).toEqual([a, b]);
    expect(s.list().map((r) => r.id)).toEqual([live, b, a]);
    expect(s.detail(a).summary).toMatchObject({ status: 'finished', damaged: null });

    // Deleting the same id again while an older copy waits in the trash: a unique name; restore takes the newest.
    mkdirSync(join(s.root, '.trash', a));
    writeFileSync(join(s.root, '.trash', a, 'old'), '');
    s.rename(a, { name: 'newest' });
    s.delete([a]);
    expect(readdirSync(join(s.root, '.trash')).sort()).toEqual([a, `${a}~2`]);
    s.restore([a]);
    expect(s.read(a).name).toBe('newest');
    expect(() => s.restore([a])).toThrow(`run ${a} already exists`);
    s.delete([b]);
    rmSync(join(s.root, '.trash', b), { recursive: true });
    expect(() => s.restore([b])).toThrow(`run ${b} is not in the trash`);
  });
});

describe('emptying the trash', () => {
  it('says how many runs and bytes it holds, then deletes them for good', () => {
    const s = tempStore();
    expect(s.trashUsage()).toEqual({ runs: 0, bytes: 0 });
    const ids = [newRunId(new Date('2026-03-01T00:00:00Z')), newRunId(new Date('2026-03-02T00:00:00Z'))];
    for (const id of ids) {
      s.create(id, undercomplete(), 'x');
      s.update(id, { status: 'finished' });
      writeFileSync(join(s.dir(id), 'checkpoints', 'weights.bin'), Buffer.alloc(100_000));
    }
    const kept = newRunId(new Date('2026-03-03T00:00:00Z'));
    s.create(kept, undercomplete(), 'x');
    s.delete(ids);
    const usage = s.trashUsage();
    expect(usage.runs).toBe(2);
    expect(usage.bytes).toBeGreaterThan(200_000);
    expect(usage.bytes).toBeLessThan(300_000);
    expect(s.emptyTrash()).toEqual(usage);
    expect(s.trashUsage()).toEqual({ runs: 0, bytes: 0 });
    expect(() => s.restore([ids[0]!])).toThrow(`run ${ids[0]} is not in the trash`);
    // Only the trash: the runs still listed are untouched.
    expect(s.list().map((r) => r.id)).toEqual([kept]);
  });
});
