import { describe, expect, it } from 'vitest';
import { moveNodes, setParam, setTraining } from '../graph/edits';
import { analyzeGraph, hasErrors } from '../shapes/infer';
import { buildTemplate, resizeTemplate, TEMPLATE_NAMES } from './index';

const MNIST = { height: 28, width: 28, channels: 1 };
const SMALL_RGB = { height: 16, width: 20, channels: 3 };

describe('resizeTemplate', () => {
  it('rebuilds every untouched template for a new image size, keeping name and training settings', () => {
    for (const name of TEMPLATE_NAMES) {
      let doc = setTraining(buildTemplate(name, MNIST), { epochs: 3 });
      doc = moveNodes(doc, { [doc.nodes[0]!.id]: { x: 999, y: 5 } });
      const resized = resizeTemplate(doc, MNIST, SMALL_RGB);
      expect(resized, name).not.toBeNull();
      expect(resized!.training.epochs).toBe(3);
      const analysis = analyzeGraph(resized!);
      expect(hasErrors(analysis), name).toBe(false);
      expect(resized!.nodes.find((n) => n.kind === 'Input')!.params).toMatchObject({ height: 16, width: 20, channels: 3 });
    }
  });

  it('leaves an edited graph alone', () => {
    const doc = buildTemplate('undercomplete', MNIST);
    const bottleneck = doc.nodes.find((n) => n.kind === 'Bottleneck')!;
    expect(resizeTemplate(setParam(doc, bottleneck.id, 'codeSize', 8), MNIST, SMALL_RGB)).toBeNull();
  });
});
