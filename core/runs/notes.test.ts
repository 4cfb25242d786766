import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../api';
import { runSummary } from './testSummary';
import { matchesRunFilter, MAX_TAG_LENGTH, MAX_TAGS, normalizeTags, parseTags, tagFilter, tagProblem } from './notes';

const run = (patch: Partial<RunSummary> & { id: string }): RunSummary => runSummary({ name: 'Undercomplete autoencoder', ...patch });

describe('run notes and tags', () => {
  it('turns typed tags into a clean list: trimmed, spaces collapsed, no empties, no repeats in any case', () => {
    expect(normalizeTags(['  baseline ', 'lr   sweep', '', 'Baseline', 'LR sweep', 'wide'])).toEqual(['baseline', 'lr sweep', 'wide']);
    expect(parseTags('baseline, lr sweep,, Baseline\nwide')).toEqual({ tags: ['baseline', 'lr sweep', 'wide'] });
    expect(parseTags('   ')).toEqual({ tags: [] });
  });

  it('refuses tags that are too long or too many, saying which', () => {
    const long = 'x'.repeat(MAX_TAG_LENGTH + 1);
    expect(parseTags(`ok, ${long}`)).toEqual({ error: expect.stringContaining(`at most ${MAX_TAG_LENGTH} characters`) });
    expect(parseTags(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`).join(','))).toEqual({ error: `at most ${MAX_TAGS} tags (${MAX_TAGS + 1} given)` });
    expect(tagProblem('a,b')).toMatch(/comma/);
    expect(tagProblem('a\tb')).toMatch(/line break/);
    expect(tagProblem('fine tag')).toBeNull();
  });

  it('finds runs by any word of their name, note or tags, and by #tag exactly', () => {
    const runs = [
      run({ id: 'a', name: 'First', note: 'Tried a lower learning rate; the curve is smoother.', tags: ['baseline'] }),
      run({ id: 'b', name: 'Second', tags: ['lr sweep', 'Wide'] }),
      run({ id: 'c', name: 'Third', note: 'baseline for the conv runs' }),
    ];
    const ids = (filter: string) => runs.filter((r) => matchesRunFilter(r, filter)).map((r) => r.id);
    expect(ids('')).toEqual(['a', 'b', 'c']);
    expect(ids('smoother')).toEqual(['a']);
    expect(ids('BASELINE')).toEqual(['a', 'c']);
    expect(ids('#baseline')).toEqual(['a']);
    expect(ids(tagFilter('lr sweep'))).toEqual(['b']);
    expect(ids('#wide second')).toEqual(['b']);
    expect(ids('sweep third')).toEqual([]);
  });
});
