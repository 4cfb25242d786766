import { describe, expect, it } from 'vitest';
import { parseRequest } from './apiSchema';
import { errorEnvelope } from './apiChannels';
import { validateGraphDoc } from './graph/schema';
import { checkJsonBounds, excerpt, MAX_ERROR_LENGTH, utf8Length } from './limits';
import { buildTemplate } from './templates';

const deep = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('input limits', () => {
  it('checks depth and string lengths without recursing, naming where', () => {
    expect(checkJsonBounds(deep(100_000), { maxDepth: 32, maxString: 10 })).toBe(`${Array(32).fill('0').join('.')}: nested deeper than 32 levels`);
    expect(checkJsonBounds({ a: [1, { b: 'x'.repeat(11) }] }, { maxDepth: 32, maxString: 10 })).toBe('a.1.b: longer than 10 characters (11)');
    expect(checkJsonBounds({ a: [1, { b: 'x'.repeat(10) }], c: null }, { maxDepth: 3, maxString: 10 })).toBeNull();
    expect(checkJsonBounds({ a: [[[]]] }, { maxDepth: 3, maxString: 10 })).toBe('a.0.0: nested deeper than 3 levels');
  });

  it('quotes an excerpt, counts UTF-8 bytes', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('x'.repeat(8_000_000))).toBe(`${'x'.repeat(60)}… (8,000,000 characters)`);
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });

  it('refuses a 100,000-deep graph parameter in the request, in one short line', () => {
    const graph = buildTemplate('undercomplete');
    graph.nodes[1]!.params.extra = deep(100_000);
    expect(() => parseRequest('train:start', { graph, datasetId: 'builtin:fashion-mnist' })).toThrow(/^train:start: graph\.nodes\.1\.params\.extra(\.0)+: nested deeper than 32 levels$/);
    expect(() => validateGraphDoc(graph)).toThrow(/nested deeper than 32 levels/);
  });

  it('bounds every string: a graph name, a node id, a run id; the error quotes only an excerpt', () => {
    const named = { ...buildTemplate('undercomplete'), name: 'n'.repeat(50_000_000) };
    expect(() => parseRequest('train:start', { graph: named, datasetId: 'builtin:fashion-mnist' })).toThrow('train:start: graph.name: longer than 16,842,752 characters (50,000,000)');
    expect(() => validateGraphDoc({ ...named, name: 'n'.repeat(5000) })).toThrow('name: longer than 1,000 characters (5,000)');
    expect(() => validateGraphDoc({ ...named, name: 'n'.repeat(201) })).toThrow(/^name: .*200/);
    const longId = buildTemplate('undercomplete');
    longId.nodes[0]!.id = 'i'.repeat(1001);
    expect(() => validateGraphDoc(longId)).toThrow('nodes.0.id: longer than 1,000 characters (1,001)');
    const huge = 'r'.repeat(8 * 1024 * 1024);
    let message = '';
    try {
      parseRequest('runs:detail', { runId: huge });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^runs:detail: runId: /);
    expect(message.length).toBeLessThan(400);
    const unknownKey = (() => {
      try {
        parseRequest('runs:list', { ['k'.repeat(999)]: 1 });
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(unknownKey!.length).toBeLessThan(400);
    expect(errorEnvelope(new Error(huge)).error.length).toBeLessThan(MAX_ERROR_LENGTH + 40);
  });
});
