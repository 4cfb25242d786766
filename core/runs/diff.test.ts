import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../api';
import { addNode, connect, removeElements, setParam } from '../graph/edits';
import { buildTemplate } from '../templates';
import { compareSettings, diffGraphs, formatValue } from './diff';
import { runSummary } from './testSummary';

const summary = (p: Partial<RunSummary>): RunSummary => runSummary({ id: 'r', startedAt: '', endedAt: null, durationMs: null, epochsDone: 5, epochs: 5, totalParams: 209968, loss: null, val_loss: null, best_val_loss: null, ...p });

describe('diffGraphs', () => {
  it('finds the one setting that differs between two undercomplete graphs', () => {
    const a = buildTemplate('undercomplete');
    const bottleneck = a.nodes.find((n) => n.kind === 'Bottleneck')!.id;
    const b = setParam(a, bottleneck, 'latentSize', 8);
    const rows = diffGraphs([a, b]);
    expect(rows).toHaveLength(a.nodes.length);
    const changed = rows.filter((r) => r.status !== 'same');
    expect(changed).toEqual([{ id: bottleneck, kind: 'Bottleneck', label: 'Bottleneck', status: 'changed', present: [true, true], changes: [{ param: 'latentSize', label: 'Code size', values: ['32', '8'] }] }]);
  });

  it('marks blocks present in only some graphs, and rewiring', () => {
    const a = buildTemplate('undercomplete');
    const { doc, id } = addNode(a, 'Dropout', { x: 0, y: 0 });
    const dense = a.nodes.find((n) => n.kind === 'Dense')!.id;
    const b = connect(doc, id, dense);
    const rows = diffGraphs([a, b]);
    expect(rows.find((r) => r.id === id)).toMatchObject({ status: 'partial', present: [false, true] });
    expect(rows.find((r) => r.id === dense)!.changes).toContainEqual({ param: 'input', label: 'Input from', values: ['Flatten', 'Dropout'] });
    expect(rows.find((r) => r.id === dense)!.label).toBe('Dense 1');
  });

  it('compares three graphs at once', () => {
    const a = buildTemplate('undercomplete');
    const bottleneck = a.nodes.find((n) => n.kind === 'Bottleneck')!.id;
    const rows = diffGraphs([a, setParam(a, bottleneck, 'latentSize', 8), setParam(a, bottleneck, 'latentSize', 16)]);
    expect(rows.find((r) => r.id === bottleneck)!.changes).toEqual([{ param: 'latentSize', label: 'Code size', values: ['32', '8', '16'] }]);
  });
});

describe('compareSettings', () => {
  it('shows weight decay, the schedule and augmentation, older runs reading as the defaults they trained with', () => {
    const config = { epochs: 10, batchSize: 128, optimizer: 'adam', learningRate: 0.001, seed: 42, earlyStoppingPatience: 0 };
    const dataset = { id: 'builtin:fashion-mnist' };
    const rows = compareSettings([
      { summary: summary({}), config, dataset },
      { summary: summary({}), config: { ...config, weightDecay: 0.01, schedule: { kind: 'cosine', floor: 0.1, warmupEpochs: 1 }, augmentation: { horizontalFlip: true, rotation: 10 } }, dataset },
    ]);
    const row = (key: string) => rows.find((r) => r.key === key)!;
    expect(row('weightDecay')).toMatchObject({ values: ['0', '0.01'], differs: true });
    expect(row('schedule')).toMatchObject({ values: ['constant', 'cosine to 0.1× over 10 epochs, 1 warm-up epoch'], differs: true });
    expect(row('augmentation')).toMatchObject({ values: ['none', 'flip ↔, rotation 10°'], differs: true });
  });

  it('marks exactly the rows whose values differ', () => {
    const config = { epochs: 5, batchSize: 128, optimizer: 'adam', learningRate: 0.001, seed: 42, validationSplit: 0.1, earlyStoppingPatience: 0 };
    const dataset = { id: 'builtin:fashion-mnist', height: 28, width: 28, channels: 1, trainCount: 10000 };
    const rows = compareSettings([
      { summary: summary({ codeSize: 32 }), config, dataset },
      { summary: summary({ codeSize: 8, totalParams: 206872 }), config: { ...config, learningRate: 0.002 }, dataset },
    ]);
    expect(rows.filter((r) => r.differs).map((r) => r.key)).toEqual(['codeSize', 'totalParams', 'learningRate']);
    expect(rows.find((r) => r.key === 'codeSize')!.values).toEqual(['32', '8']);
    // Momentum belongs to SGD alone, and nothing reads the validation split of a dataset with its own.
    expect(rows.map((r) => r.key)).not.toContain('momentum');
    expect(rows.map((r) => r.key)).not.toContain('validationSplit');
  });

  it('shows momentum only for SGD runs, and "n/a" for the others beside them', () => {
    const config = { epochs: 5, batchSize: 128, learningRate: 0.001, seed: 42, earlyStoppingPatience: 0, momentum: 0.9 };
    const dataset = { id: 'builtin:fashion-mnist' };
    const rows = compareSettings([
      { summary: summary({}), config: { ...config, optimizer: 'rmsprop' }, dataset },
      { summary: summary({}), config: { ...config, optimizer: 'sgd' }, dataset },
    ]);
    expect(rows.find((r) => r.key === 'momentum')!.values).toEqual(['n/a', '0.9']);
  });

  it('names settings and blocks for people and leaves out settings that do not apply', () => {
    const a = buildTemplate('variational');
    const vae = a.nodes.find((n) => n.kind === 'VariationalBottleneck')!.id;
    const rows = diffGraphs([a, setParam(a, vae, 'klWarmupEpochs', 5)]);
    const row = rows.find((r) => r.id === vae)!;
    expect(row.label).toBe('Variational bottleneck');
    expect(row.changes).toEqual([{ param: 'klWarmupEpochs', label: 'KL warm-up epochs', values: ['1', '5'] }]);
    // A bottleneck without sparsity has no L1 weight or ρ to compare.
    const u = buildTemplate('undercomplete');
    const b = u.nodes.find((n) => n.kind === 'Bottleneck')!.id;
    const all = diffGraphs([u, addNode(u, 'Dropout', { x: 0, y: 0 }).doc]).find((r) => r.id === b)!;
    expect(all.changes).toEqual([]);
    const partial = diffGraphs([u, removeElements(u, [b], [])]).find((r) => r.id === b)!;
    expect(partial.changes.map((c) => c.label)).not.toContain('L1 weight');
  });

  it('formats values for people', () => {
    expect([formatValue(209968), formatValue(0.0010000001), formatValue([28, 28, 1]), formatValue(null)]).toEqual(['209,968', '0.001', '28×28×1', '–']);
  });
});
