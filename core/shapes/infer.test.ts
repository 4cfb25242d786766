import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../graph/types';
import { addNode, connect, removeElements } from '../graph/edits';
import { undercomplete } from '../templates/undercomplete';
import { analyzeGraph, blockRoles, errorsFor, hasErrors } from './infer';

const param = (doc: GraphDoc, id: string, name: string, value: unknown) => {
  doc.nodes.find((n) => n.id === id)!.params[name] = value;
  return doc;
};

describe('shape inference', () => {
  it('gives every edge and node of the undercomplete template its shape and count', () => {
    const a = analyzeGraph(undercomplete());
    expect(hasErrors(a)).toBe(false);
    expect(a.nodeShapes).toEqual({
      'input-1': [28, 28, 1],
      'flatten-2': [784],
      'dense-3': [128],
      'bottleneck-4': [32],
      'dense-5': [128],
      'dense-6': [784],
      'reshape-7': [28, 28, 1],
      'output-8': [28, 28, 1],
    });
    expect(a.edgeShapes['e-bottleneck-4-dense-5']).toEqual([32]);
    // 784·128+128, 128·32+32, 32·128+128, 128·784+784
    expect(a.totalParams).toBe(100_480 + 4_128 + 4_224 + 101_136);
    expect(a.codeSize).toBe(32);
    expect(a.compressionRatio).toBeCloseTo(784 / 32);
  });

  it('follows the code size as it is edited', () => {
    const a = analyzeGraph(param(undercomplete(), 'bottleneck-4', 'latentSize', 16));
    expect(a.edgeShapes['e-bottleneck-4-dense-5']).toEqual([16]);
    expect(a.paramCounts['bottleneck-4']).toBe(128 * 16 + 16);
    expect(a.paramCounts['dense-5']).toBe(16 * 128 + 128);
  });

  it('puts a reconstruction of the wrong size on the node at fault', () => {
    const a = analyzeGraph(param(undercomplete(), 'dense-6', 'units', 780));
    expect(errorsFor(a, 'reshape-7')[0]?.message).toBe('cannot reshape 780 (780 values) to 28×28×1 (784 values)');
    expect(hasErrors(a)).toBe(true);
  });

  it('reports an Output whose shape differs from the Input', () => {
    const doc = param(param(undercomplete(), 'dense-6', 'units', 196), 'reshape-7', 'targetShape', [14, 14, 1]);
    expect(errorsFor(analyzeGraph(doc), 'output-8')[0]?.message).toMatch(/reconstruction is 14×14×1 but the input is 28×28×1/);
  });

  it('reports a missing input, a missing bottleneck and a second one', () => {
    const cut = undercomplete();
    cut.edges = cut.edges.filter((e) => e.target !== 'dense-5');
    expect(errorsFor(analyzeGraph(cut), 'dense-5')[0]?.message).toMatch(/missing input/);

    const none = undercomplete();
    none.nodes.find((n) => n.id === 'bottleneck-4')!.kind = 'Dense';
    expect(analyzeGraph(none).diagnostics.map((d) => d.message)).toContain('the graph has no Bottleneck: add one between encoder and decoder');

    const two = undercomplete();
    two.nodes.find((n) => n.id === 'dense-5')!.kind = 'Bottleneck';
    expect(errorsFor(analyzeGraph(two), 'dense-5')[0]?.message).toMatch(/second Bottleneck/);
  });

  it('marks every node on a cycle', () => {
    const doc = undercomplete();
    doc.edges.push({ id: 'loop', source: 'dense-5', target: 'bottleneck-4' });
    const a = analyzeGraph(doc);
    expect(errorsFor(a, 'bottleneck-4')[0]?.message).toMatch(/cycle/);
    expect(errorsFor(a, 'dense-5')[0]?.message).toMatch(/cycle/);
  });

  it('names encoder and decoder sides', () => {
    const doc = undercomplete();
    const roles = blockRoles(doc);
    expect(roles).toMatchObject({ 'input-1': 'input', 'dense-3': 'encoder', 'bottleneck-4': 'bottleneck', 'dense-5': 'decoder', 'output-8': 'output' });
  });

  it('names sides by where a block sits on the Input → Output path, and flags a branch off it', () => {
    // A block hanging off the encoder comes after the bottleneck in the order the model runs: it is no decoder.
    let doc = addNode(undercomplete(), 'Dense', { x: 0, y: 300 }).doc;
    doc = connect(doc, 'dense-3', 'dense-9');
    expect(analyzeGraph(doc).order.indexOf('dense-9')).toBeGreaterThan(analyzeGraph(doc).order.indexOf('bottleneck-4'));
    expect(blockRoles(doc)['dense-9']).toBe('branch');
    // So is one hanging off the decoder, where the path to the Output is whole.
    doc = connect(addNode(doc, 'Dense', { x: 0, y: 400 }).doc, 'dense-5', 'dense-10');
    expect(blockRoles(doc)['dense-10']).toBe('branch');
    expect(blockRoles(doc)['dense-6']).toBe('decoder');
  });

  it('while a graph is being built, blocks after the Input encode and blocks after the code decode', () => {
    let doc = removeElements(undercomplete(), [], ['e-dense-6-reshape-7']);
    const roles = blockRoles(doc);
    expect(roles).toMatchObject({ 'dense-3': 'encoder', 'dense-5': 'decoder', 'dense-6': 'decoder', 'reshape-7': 'decoder' });
    doc = removeElements(undercomplete(), [], ['e-dense-3-bottleneck-4']);
    expect(blockRoles(doc)).toMatchObject({ 'flatten-2': 'encoder', 'dense-3': 'encoder', 'dense-5': 'decoder' });
  });
});
