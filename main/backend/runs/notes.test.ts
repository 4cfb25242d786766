import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTES_FILE } from './notes';
import { storeWithRun } from './testRuns';

describe("a run's note and tags", () => {
  it('are kept in notes.json beside run.json, listed with the run, and survive the trainer rewriting run.json', () => {
    const { s, id } = storeWithRun();
    expect(s.list()[0]).toMatchObject({ note: '', tags: [], notesProblem: null });
    const summary = s.annotate(id, { note: 'Lower learning rate.\nSmoother curve.', tags: [' baseline ', 'lr sweep', 'Baseline'] });
    expect(summary).toMatchObject({ id, note: 'Lower learning rate.\nSmoother curve.', tags: ['baseline', 'lr sweep'] });
    const file = JSON.parse(readFileSync(join(s.dir(id), NOTES_FILE), 'utf8'));
    expect(file).toMatchObject({ format: 'bottleneck.run-notes', version: 1, tags: ['baseline', 'lr sweep'] });
    // run.json is the trainer's: a note never goes into it, so neither can overwrite the other.
    expect(readFileSync(join(s.dir(id), 'run.json'), 'utf8')).not.toContain('Smoother');
    s.update(id, { status: 'finished', epochsDone: 1 });
    // What a patch leaves out stays.
    expect(s.annotate(id, { tags: ['final'] })).toMatchObject({ note: 'Lower learning rate.\nSmoother curve.', tags: ['final'] });
    expect(s.annotate(id, { note: '' })).toMatchObject({ note: '', tags: ['final'] });
    expect(s.detail(id).summary).toMatchObject({ status: 'finished', tags: ['final'] });
  });

  it('lists a run whose notes.json cannot be read, with the reason, and lets a new note replace it', () => {
    const { s, id } = storeWithRun();
    const notes = join(s.dir(id), NOTES_FILE);
    writeFileSync(notes, '{"format": "bottleneck.run-notes", "vers');
    expect(s.list()[0]).toMatchObject({ id, damaged: null, note: '', tags: [], notesProblem: expect.stringMatching(/^notes\.json is not valid JSON/) });
    writeFileSync(notes, JSON.stringify({ format: 'bottleneck.run-notes', version: 9, note: 'from the future' }));
    expect(s.summary(id).notesProblem).toBe('notes.json was written by a newer Bottleneck (version 9; this one reads up to 1)');
    writeFileSync(notes, JSON.stringify({ format: 'bottleneck.run-notes', version: 1, tags: 'not a list' }));
    expect(s.summary(id).notesProblem).toMatch(/^notes\.json: tags: /);
    expect(s.annotate(id, { note: 'fresh' })).toMatchObject({ note: 'fresh', tags: [], notesProblem: null });
    // Hand-edited tags read as the app would have written them.
    writeFileSync(notes, JSON.stringify({ format: 'bottleneck.run-notes', version: 1, note: 'x', tags: ['a ', 'A', ' b  c'] }));
    expect(s.summary(id)).toMatchObject({ tags: ['a', 'b c'], notesProblem: null });
  });
});
