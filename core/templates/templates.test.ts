import { describe, expect, it } from 'vitest';
import { planModel } from '../compile/plan';
import { analyzeGraph, hasErrors } from '../shapes/infer';
import { buildTemplate, TEMPLATE_NAMES, TEMPLATES, templateOf } from './index';

const SIZES = [
  { height: 28, width: 28, channels: 1 },
  { height: 32, width: 32, channels: 3 },
  { height: 64, width: 48, channels: 3 },
  { height: 30, width: 30, channels: 1 },
  { height: 17, width: 23, channels: 4 },
];

describe('templates', () => {
  it.each(TEMPLATE_NAMES)('%s is valid for every image size and its count equals tfjs countParams', (name) => {
    for (const size of SIZES) {
      const doc = buildTemplate(name, size);
      const analysis = analyzeGraph(doc);
      expect(analysis.diagnostics.filter((d) => d.severity === 'error'), `${name} ${JSON.stringify(size)}`).toEqual([]);
      expect(hasErrors(analysis)).toBe(false);
      expect(analysis.inputShape).toEqual([size.height, size.width, size.channels]);
      // The engine's parameters (trainable and batch norm's statistics) are the editor's count.
      const plan = planModel(doc);
      expect(plan.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0), `${name} ${JSON.stringify(size)}`).toBe(analysis.totalParams);
      expect(plan.steps.at(-1)!.outShape).toEqual([size.height, size.width, size.channels]);
    }
  });

  it('explains the overcomplete code on its node and what regularizes it', () => {
    const a = analyzeGraph(buildTemplate('overcomplete'));
    const note = a.diagnostics.find((d) => d.nodeId === 'bottleneck-5');
    expect(note?.severity).toBe('info');
    expect(note?.message).toBe('Overcomplete: the code (1024) is larger than the input (784); an L1 sparsity penalty and dropout keep it from learning to copy the input.');
  });

  it('warns when an overcomplete code has no regularization', () => {
    const doc = buildTemplate('overcomplete');
    doc.nodes = doc.nodes.filter((n) => n.kind !== 'Dropout');
    doc.edges = [...doc.edges.filter((e) => e.source !== 'dropout-3' && e.target !== 'dropout-3'), { id: 'x', source: 'flatten-2', target: 'dense-4' }];
    doc.nodes.find((n) => n.kind === 'Bottleneck')!.params.sparsity = 'none';
    const note = analyzeGraph(doc).diagnostics.find((d) => d.nodeId === 'bottleneck-5');
    expect(note?.severity).toBe('warning');
    expect(note?.message).toMatch(/can learn to copy the input/);
  });

  it.each(TEMPLATE_NAMES)('%s says what it is, what it is for and what to watch, in one sentence each, and where to try it', (name) => {
    const { about } = TEMPLATES[name];
    for (const text of [about.what, about.usedFor, about.watch]) {
      expect(text.length, text).toBeGreaterThan(20);
      expect(text.length, text).toBeLessThanOrEqual(220);
      expect(text, text).toMatch(/\.$/);
      // One sentence: no full stop followed by a new sentence inside.
      expect(text, text).not.toMatch(/[.!?]\s+[A-Z]/);
    }
    expect(['explore', 'score', 'lab', 'compare']).toContain(about.tryIn);
  });

  it('the inpainting template is the convolutional one behind a RandomMask, recognised for any image size', () => {
    for (const size of SIZES) {
      const inpainting = buildTemplate('inpainting', size);
      const convolutional = buildTemplate('convolutional', size);
      expect(inpainting.nodes.map((n) => n.kind)).toEqual(['Input', 'RandomMask', ...convolutional.nodes.slice(1).map((n) => n.kind)]);
      expect(templateOf(inpainting, size)).toBe('inpainting');
    }
  });
});
