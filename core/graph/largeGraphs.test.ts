/**
 * Graph checks at sizes a hostile file can reach (issue 23, item 3): linear, iterative, and a block
 * limit said first. Times are bounds against quadratic work (60,000 blocks once took 30 s).
 */
import { describe, expect, it } from 'vitest';
import { firstError, analyzeGraph } from '../shapes/infer';
import { undercomplete } from '../templates/undercomplete';
import { MAX_GRAPH_BLOCKS } from '../limits';
import { GraphFileError, validateGraphDoc } from './schema';
import { findCycle, topologicalOrder } from './topology';
import type { GraphDoc } from './types';

function activations(count: number, chained: boolean): GraphDoc {
  const nodes = Array.from({ length: count }, (_, i) => ({ id: `a${i}`, kind: 'Activation' as const, position: { x: 0, y: 0 }, params: {} }));
  const edges = chained ? nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `a${i}`, target: n.id })) : [];
  return { ...undercomplete(), nodes, edges };
}

function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
}

describe('large graphs', () => {
  it('finds no cycle in a 100,000-block chain and finds the one closing it, without recursion', () => {
    const chain = activations(100_000, true);
    expect(findCycle(chain.nodes, chain.edges)).toBeNull();
    expect(topologicalOrder(chain.nodes, chain.edges)).toHaveLength(100_000);
    const closed = [...chain.edges, { id: 'back', source: 'a99999', target: 'a99997' }];
    expect(findCycle(chain.nodes, closed)).toEqual(['a99997', 'a99998', 'a99999', 'a99997']);
  });

  it('a graph over the block limit: refused first, by the schema and by the analysis, in a clear sentence', () => {
    const big = activations(100_000, false);
    const { result, ms } = timed(() => firstError(analyzeGraph(big)));
    expect(result).toBe('the graph has 100,000 blocks; a graph can have at most 2,000');
    expect(ms).toBeLessThan(1000);
    expect(() => validateGraphDoc(activations(30_000, true))).toThrow(new GraphFileError('the graph has 30,000 blocks; a graph can have at most 2,000'));
  });

  it('analyses a graph at the block limit in linear time: every unconnected block gets its one fault', () => {
    const { result, ms } = timed(() => analyzeGraph(activations(MAX_GRAPH_BLOCKS, false)));
    expect(ms).toBeLessThan(1000);
    expect(result.diagnostics.filter((d) => d.nodeId === 'a5').map((d) => d.message)).toEqual(['missing input: connect a block into it']);
    const chain = analyzeGraph(activations(MAX_GRAPH_BLOCKS, true));
    expect(chain.order).toHaveLength(MAX_GRAPH_BLOCKS);
    expect(chain.diagnostics.filter((d) => d.nodeId === `a${MAX_GRAPH_BLOCKS - 1}`).map((d) => d.message)).toEqual(['its output goes nowhere: connect it on toward the Output']);
  });
});
