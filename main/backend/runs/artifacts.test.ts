import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { epochEnd, storeWithRun } from './testRuns';

describe('metrics, projections and grids', () => {
  it('reads past a torn last metrics line', () => {
    const { s, id } = storeWithRun();
    s.record(epochEnd(id, 1));
    appendFileSync(join(s.dir(id), 'metrics.jsonl'), '{"t":1,"epoch":2,"ke');
    expect(s.metrics(id)).toHaveLength(5);
  });
});
