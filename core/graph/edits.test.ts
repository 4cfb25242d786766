import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph, hasErrors } from '../shapes/infer';
import { buildTemplate } from '../templates';
import { TEMPLATE_NAMES } from '../templates';
import { chainGraph, undercomplete } from '../templates/undercomplete';
import { addNode, connect, connectionProblem, copyNodes, moveNodes, paste, removeElements, setParam } from './edits';
import { breakMerge, canRedo, canUndo, pushHistory, redoHistory, startHistory, undoHistory } from './history';
import { autoLayout, COLUMN_GAP, MAX_ROW_COLUMNS, NODE_WIDTH, nodeHeights } from './layout';
import { mirrorDecoder } from './mirror';
import type { GraphDoc } from './types';

describe('graph edits', () => {
  it('adds nodes with fresh ids and their defaults', () => {
    const { doc, id } = addNode(undercomplete(), 'Dense', { x: 5, y: 6 });
    expect(id).toBe('dense-9');
    expect(doc.nodes.at(-1)).toEqual({ id, kind: 'Dense', params: { units: 128, activation: 'relu' }, position: { x: 5, y: 6 } });
  });

  it('removes a node with its edges', () => {
    const doc = removeElements(undercomplete(), ['bottleneck-4']);
    expect(doc.nodes.map((n) => n.id)).not.toContain('bottleneck-4');
    expect(doc.edges.some((e) => e.source === 'bottleneck-4' || e.target === 'bottleneck-4')).toBe(false);
    expect(analyzeGraph(doc).diagnostics.map((d) => d.message)).toContain('the graph has no Bottleneck: add one between encoder and decoder');
  });

  it('connecting into a block replaces its old input; impossible connections are refused', () => {
    let doc = addNode(undercomplete(), 'Dense', { x: 0, y: 0 }).doc;
    doc = connect(doc, 'dense-3', 'dense-9');
    doc = connect(doc, 'dense-9', 'bottleneck-4');
    expect(doc.edges.filter((e) => e.target === 'bottleneck-4').map((e) => e.source)).toEqual(['dense-9']);
    expect(connectionProblem(doc, 'dense-3', 'dense-3')).toBe('a block cannot feed itself');
    expect(connectionProblem(doc, 'dense-3', 'input-1')).toBe('Input takes no input');
    expect(connectionProblem(doc, 'output-8', 'dense-3')).toBe('the Output is the end of the graph');
    expect(connect(doc, 'output-8', 'dense-3')).toBe(doc);
  });

  it('pastes copies with new ids and their internal edges only', () => {
    const doc = undercomplete();
    const clip = copyNodes(doc, ['dense-3', 'bottleneck-4']);
    expect(clip.edges).toHaveLength(1);
    const { doc: after, ids } = paste(doc, clip);
    expect(ids).toEqual(['dense-9', 'bottleneck-9']);
    expect(after.edges.at(-1)).toMatchObject({ source: 'dense-9', target: 'bottleneck-9' });
    expect(after.nodes.find((n) => n.id === 'dense-9')!.position.x).toBe(doc.nodes.find((n) => n.id === 'dense-3')!.position.x + 40);
  });

  it('returns the same document for edits that change nothing (no empty undo steps)', () => {
    const doc = undercomplete();
    expect(setParam(doc, 'dense-3', 'units', 128)).toBe(doc);
    expect(moveNodes(doc, { 'dense-3': doc.nodes[2]!.position })).toBe(doc);
    expect(removeElements(doc, [])).toBe(doc);
  });
});

describe('undo history', () => {
  const edit = fc.oneof(
    fc.record({ op: fc.constant('param' as const), node: fc.constantFrom('dense-3', 'bottleneck-4', 'dense-5'), value: fc.integer({ min: 1, max: 512 }) }),
    fc.record({ op: fc.constant('add' as const), x: fc.integer({ min: -500, max: 500 }) }),
    fc.record({ op: fc.constant('remove' as const), index: fc.nat() }),
    fc.record({ op: fc.constant('move' as const), index: fc.nat(), x: fc.integer(), y: fc.integer() }),
    fc.record({ op: fc.constant('connect' as const), a: fc.nat(), b: fc.nat() }),
  );
  type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;
  const apply = (doc: GraphDoc, e: Edit): GraphDoc => {
    const pick = (i: number) => doc.nodes[i % Math.max(doc.nodes.length, 1)]?.id ?? '';
    switch (e.op) {
      case 'param':
        return setParam(doc, e.node, e.node.startsWith('bottleneck') ? 'latentSize' : 'units', e.value);
      case 'add':
        return addNode(doc, 'Dense', { x: e.x, y: 0 }).doc;
      case 'remove':
        return removeElements(doc, [pick(e.index)]);
      case 'move':
        return moveNodes(doc, { [pick(e.index)]: { x: e.x, y: e.y } });
      default:
        return connect(doc, pick(e.a), pick(e.b));
    }
  };

  it('undoing any sequence of edits returns the same graph, and redoing returns the last', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 30 }), (edits) => {
        const start = undercomplete();
        let history = startHistory(start);
        for (const e of edits) history = pushHistory(history, apply(history.present, e));
        const end = history.present;
        while (canUndo(history)) history = undoHistory(history);
        expect(history.present).toEqual(start);
        while (canRedo(history)) history = redoHistory(history);
        expect(history.present).toEqual(end);
      }),
      { numRuns: 200 },
    );
  });

  it('a new edit after undo drops the redo branch', () => {
    let h = startHistory(1);
    h = pushHistory(h, 2);
    h = pushHistory(h, 3);
    h = undoHistory(h);
    h = pushHistory(h, 4);
    expect(canRedo(h)).toBe(false);
    h = undoHistory(h);
    expect(h.present).toBe(2);
    expect(undoHistory(h).present).toBe(1);
  });

  it('edits with the same merge key are one undo step until the run is broken', () => {
    let h = startHistory('');
    for (const text of ['1', '12', '128']) h = pushHistory(h, text, 'units');
    expect(h.past).toEqual(['']);
    h = pushHistory(h, '128 relu', 'activation');
    expect(h.past).toEqual(['', '128']);
    h = breakMerge(h);
    h = pushHistory(h, '64 relu', 'activation');
    expect(h.past).toEqual(['', '128', '128 relu']);
    // Undo then an edit with the old key starts a new step, not a merge into a popped one.
    h = undoHistory(h);
    h = pushHistory(h, 'x', 'activation');
    expect(h.past).toEqual(['', '128', '128 relu']);
  });

  it('keeps at most the limit of undo steps', () => {
    let h = startHistory(0);
    for (let i = 1; i <= 10; i++) h = pushHistory(h, i, null, 4);
    expect(h.past).toEqual([6, 7, 8, 9]);
  });
});

describe('mirror decoder', () => {
  it('rebuilds the undercomplete decoder from its encoder exactly', () => {
    const doc = undercomplete();
    const mirrored = mirrorDecoder(removeElements(doc, ['dense-5', 'dense-6', 'reshape-7']));
    const chain = analyzeGraph(mirrored).order.map((id) => mirrored.nodes.find((n) => n.id === id)!);
    expect(chain.map((n) => n.kind)).toEqual(['Input', 'Flatten', 'Dense', 'Bottleneck', 'Dense', 'Dense', 'Reshape', 'Output']);
    expect(chain.slice(4, 7).map((n) => n.params)).toEqual([
      { units: 128, activation: 'relu' },
      { units: 784, activation: 'sigmoid' },
      { targetShape: [28, 28, 1] },
    ]);
    expect(hasErrors(analyzeGraph(mirrored))).toBe(false);
  });

  it('turns Conv2D into Conv2DTranspose and pooling into upsampling, landing on the input shape', () => {
    const doc = buildTemplate('convolutional', { height: 32, width: 32, channels: 3 });
    const mirrored = mirrorDecoder(doc);
    const a = analyzeGraph(mirrored);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const kinds = a.order.map((id) => mirrored.nodes.find((n) => n.id === id)!.kind);
    expect(kinds.slice(kinds.indexOf('Bottleneck'))).toEqual(['Bottleneck', 'Dense', 'Reshape', 'UpSampling2D', 'Conv2DTranspose', 'UpSampling2D', 'Conv2DTranspose', 'Output']);
    expect(a.nodeShapes[a.order.at(-1)!]).toEqual([32, 32, 3]);
  });
});

describe('auto-layout', () => {
  /** No two blocks overlap, at their layout heights. */
  function expectNoOverlap(doc: GraphDoc, name: string) {
    const heights = nodeHeights(doc, analyzeGraph(doc));
    const boxes = doc.nodes.map((n) => ({ ...n.position, h: heights[n.id]! }));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      expect(Math.abs(a.x - b.x) >= NODE_WIDTH || a.y + a.h <= b.y || b.y + b.h <= a.y, `${name}: blocks ${i} and ${j} overlap`).toBe(true);
    }
  }

  it('folds a graph a U can hold at the bottleneck: the decoder runs back under the encoder', () => {
    for (const name of ['undercomplete', 'overcomplete', 'sparse', 'denoising', 'variational'] as const) {
      const doc = autoLayout(buildTemplate(name));
      const at = (id: string) => doc.nodes.find((n) => n.id === id)!.position;
      const bottleneck = doc.nodes.find((n) => n.kind === 'Bottleneck' || n.kind === 'VariationalBottleneck')!;
      const firstDecoder = doc.edges.find((e) => e.source === bottleneck.id)!.target;
      const output = doc.nodes.find((n) => n.kind === 'Output')!;
      expect(at(firstDecoder).x, name).toBe(bottleneck.position.x);
      expect(at(firstDecoder).y, name).toBeGreaterThan(bottleneck.position.y);
      expect(output.position.x, name).toBeLessThan(at(firstDecoder).x);
      expect(new Set(doc.nodes.map((n) => n.position.y)).size > 1, name).toBe(true);
      expectNoOverlap(doc, name);
    }
    expect(new Set(autoLayout(undercomplete()).nodes.map((n) => n.position.x)).size).toBe(4);
  });

  it('folds a graph too long for a U into rows of at most five, each running back under the last', () => {
    for (const name of TEMPLATE_NAMES) {
      const doc = autoLayout(buildTemplate(name));
      expect(new Set(doc.nodes.map((n) => n.position.x)).size, name).toBeLessThanOrEqual(MAX_ROW_COLUMNS);
      expectNoOverlap(doc, name);
    }
    for (const name of ['convolutional', 'inpainting'] as const) {
      const doc = autoLayout(buildTemplate(name));
      const at = (id: string) => doc.nodes.find((n) => n.id === id)!.position;
      const rows = [...new Set(doc.nodes.map((n) => n.position.y + nodeHeights(doc, analyzeGraph(doc))[n.id]! / 2))];
      expect(rows.length, name).toBeGreaterThanOrEqual(3);
      // Every wire joins neighbours: the next column of its row, or the block right under it at a row's end.
      const step = NODE_WIDTH + COLUMN_GAP;
      for (const e of doc.edges) {
        const [a, b] = [at(e.source), at(e.target)];
        expect(Math.abs(a.x - b.x) === step || (a.x === b.x && b.y > a.y), `${name}: ${e.id}`).toBe(true);
      }
    }
  });

  it('places a short graph left to right by depth, centred, and draws the bottleneck smallest', () => {
    const doc = autoLayout(chainGraph('short', [{ kind: 'Input' }, { kind: 'Flatten' }, { kind: 'Bottleneck', params: { latentSize: 8 } }, { kind: 'Dense', params: { units: 784, activation: 'sigmoid' } }, { kind: 'Output' }]));
    const xs = doc.nodes.map((n) => n.position.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const heights = nodeHeights(doc, analyzeGraph(doc));
    expect(Math.min(...Object.values(heights))).toBe(heights['bottleneck-3']);
    for (const n of doc.nodes) expect(n.position.y).toBe(Math.round(-heights[n.id]! / 2));
  });
});
