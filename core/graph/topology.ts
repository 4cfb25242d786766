import type { GraphEdge, GraphNode } from './types';

/** Each node's successors, in edge order (edges to unknown nodes are left out). */
export function successors(nodes: readonly Pick<GraphNode, 'id'>[], edges: readonly Pick<GraphEdge, 'source' | 'target'>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of nodes) out.set(n.id, []);
  for (const e of edges) if (out.has(e.target)) out.get(e.source)?.push(e.target);
  return out;
}

/**
 * Returns the ids along one cycle (first id repeated at the end), or null when the graph is acyclic.
 * Depth-first with an explicit stack, not recursion: a chain of 30,000 blocks must not overflow the call stack.
 */
export function findCycle(nodes: readonly Pick<GraphNode, 'id'>[], edges: readonly GraphEdge[]): string[] | null {
  const out = successors(nodes, edges);
  const state = new Map<string, 'open' | 'done'>();
  // The open path, with the index of the next successor to look at for each node on it.
  const path: string[] = [];
  const nextChild: number[] = [];
  for (const n of nodes) {
    if (state.has(n.id)) continue;
    state.set(n.id, 'open');
    path.push(n.id);
    nextChild.push(0);
    while (path.length) {
      const top = path.length - 1;
      const children = out.get(path[top]!)!;
      if (nextChild[top]! >= children.length) {
        state.set(path.pop()!, 'done');
        nextChild.pop();
        continue;
      }
      const next = children[nextChild[top]!++]!;
      const s = state.get(next);
      if (s === 'open') return [...path.slice(path.indexOf(next)), next];
      if (s === undefined) {
        state.set(next, 'open');
        path.push(next);
        nextChild.push(0);
      }
    }
  }
  return null;
}

/** Kahn's order; nodes on a cycle are left out (the caller reports the cycle). */
export function topologicalOrder<N extends Pick<GraphNode, 'id'>>(nodes: readonly N[], edges: readonly GraphEdge[]): N[] {
  const indegree = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    out.get(e.source)!.push(e.target);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: N[] = [];
  // An index, not shift(): shift is linear on a long array, which made this quadratic.
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    order.push(byId.get(id)!);
    for (const next of out.get(id)!) {
      const d = indegree.get(next)! - 1;
      indegree.set(next, d);
      if (d === 0) queue.push(next);
    }
  }
  return order;
}
