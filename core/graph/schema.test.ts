import { describe, expect, it } from 'vitest';
import { undercomplete } from '../templates/undercomplete';
import { GraphFileError, parseGraphText, serializeGraph, validateGraphDoc } from './schema';

describe('graph documents', () => {
  it('round-trips a template through text', () => {
    const doc = undercomplete();
    expect(parseGraphText(serializeGraph(doc))).toEqual(doc);
  });

  it('names the problem in text that is not JSON', () => {
    expect(() => parseGraphText('{"format": ')).toThrow(GraphFileError);
    expect(() => parseGraphText('{"format": ')).toThrow(/not valid JSON/);
  });

  it('names the node with an unknown block kind', () => {
    const doc = undercomplete();
    (doc.nodes[2] as { kind: string }).kind = 'Transformer';
    expect(() => validateGraphDoc(doc)).toThrow(`node "${doc.nodes[2]!.id}": unknown block kind "Transformer"`);
  });

  it('names the cycle', () => {
    const doc = undercomplete();
    doc.edges.push({ id: 'back', source: 'dense-3', target: 'flatten-2' });
    expect(() => validateGraphDoc(doc)).toThrow(/cycle: flatten-2 -> dense-3 -> flatten-2/);
  });

  it('refuses a file from a newer version and says so', () => {
    const doc = { ...undercomplete(), version: 99 };
    expect(() => validateGraphDoc(doc)).toThrow(/newer Bottleneck \(graph version 99/);
  });

  it('refuses other JSON documents, dangling edges and duplicate ids', () => {
    expect(() => validateGraphDoc([])).toThrow(/expected a JSON object/);
    expect(() => validateGraphDoc({ format: 'something' })).toThrow(/"format" must be "bottleneck.graph"/);
    const dangling = undercomplete();
    dangling.edges.push({ id: 'x', source: 'input-1', target: 'ghost' });
    expect(() => validateGraphDoc(dangling)).toThrow('edge "x": no node with id "ghost"');
    const dup = undercomplete();
    dup.nodes[1]!.id = dup.nodes[0]!.id;
    expect(() => validateGraphDoc(dup)).toThrow(/duplicate node id/);
  });

  it('reports a bad field by its path', () => {
    const doc = undercomplete() as unknown as { training: { epochs: number } };
    doc.training.epochs = -3;
    expect(() => validateGraphDoc(doc)).toThrow(/training\.epochs/);
  });

  it('fills training settings missing from an older file with defaults', () => {
    const { training: _t, ...rest } = undercomplete();
    expect(validateGraphDoc(rest).training.batchSize).toBe(128);
  });
});
