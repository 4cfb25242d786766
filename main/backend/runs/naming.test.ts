import { describe, expect, it } from 'vitest';
import { folderDatasetId } from '../../../core/data/datasetId';
import { buildTemplate } from '../../../core/templates';
import { undercomplete } from '../../../core/templates/undercomplete';
import { datasetNameOf, newRunId, topologyOf, uniqueRunName } from './naming';
import { tempStore } from './testRuns';

describe('Run ids and names', () => {
  it('names runs of the same graph apart: name, name (2), name (3)', () => {
    const s = tempStore();
    const graph = undercomplete();
    const names = [0, 1, 2].map((i) => s.create(newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, i))), graph, 'builtin:fashion-mnist').name);
    expect(names).toEqual([graph.name, `${graph.name} (2)`, `${graph.name} (3)`]);
    expect(uniqueRunName('a', ['a', 'a (2)', 'a (4)'])).toBe('a (3)');
  });

  it('makes ids that sort by start time', () => {
    expect(newRunId(new Date('2026-11-28T01:02:03.456Z'), () => 0.5)).toMatch(/^20261128T010203Z-[0-9a-z]{4}$/);
  });

  it('refuses ids that could escape the runs folder', () => {
    expect(() => tempStore().dir('../../etc')).toThrow(/not a run id/);
  });

  it('names a graph by the template it still is, else "custom"', () => {
    for (const name of ['undercomplete', 'sparse', 'variational'] as const) expect(topologyOf(buildTemplate(name, { height: 20, width: 16, channels: 1 }))).toBe(name);
    const edited = buildTemplate('undercomplete');
    edited.nodes.find((n) => n.kind === 'Bottleneck')!.params.latentSize = 7;
    expect(topologyOf(edited)).toBe('custom');
    const moved = buildTemplate('denoising');
    moved.nodes[0]!.position = { x: 999, y: 1 };
    expect(topologyOf({ ...moved, name: 'renamed' })).toBe('denoising');
  });

  it('names a dataset from its id before it loads', () => {
    expect(datasetNameOf('builtin:fashion-mnist')).toBe('Fashion-MNIST');
    expect(datasetNameOf('builtin:fashion-mnist?train=40&validation=16')).toBe('Fashion-MNIST (train=40, validation=16)');
    expect(datasetNameOf(folderDatasetId('/data/my pets', { height: 8, width: 8, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 1, background: 'white' }))).toBe('my pets');
    expect(datasetNameOf('something else')).toBe('something else');
    expect(datasetNameOf('builtin:fashion-mnist?train=40&classes=0,2')).toBe('Fashion-MNIST (train=40), classes 0,2');
  });
});
