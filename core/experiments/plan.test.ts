import { describe, expect, it } from 'vitest';
import { buildTemplate } from '../templates';
import { parseDatasetId } from '../data/datasetId';
import { configOf, ExperimentSpecError, MAX_RUNS, planExperiment, type ExperimentSpec } from './plan';
import { parseValues, rangePoints } from './values';

const graph = buildTemplate('undercomplete');
const vae = buildTemplate('variational');
const data = 'builtin:fashion-mnist';
const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function plan(vary: Record<string, string>, extra: Partial<ExperimentSpec> = {}, g = graph) {
  return planExperiment(g, data, { vary: Object.entries(vary).map(([setting, values]) => ({ setting, values })), ...extra }, { classNames });
}

function refusal(fn: () => unknown): ExperimentSpecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExperimentSpecError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('the value grammar', () => {
  it('reads lists, linear ranges and log ranges', () => {
    expect(parseValues('2,4, 8')).toEqual({ kind: 'list', items: ['2', '4', '8'] });
    expect(rangePoints(parseValues('0.1..0.5:5') as never, false)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(rangePoints(parseValues('1e-4..1e-2:log:3') as never, false)).toEqual([1e-4, 1e-3, 1e-2]);
    // Whole-number settings round, and values that round alike are kept once.
    expect(rangePoints(parseValues('1..3:5') as never, true)).toEqual([1, 2, 3]);
  });

  it('refuses malformed expressions with the reason', () => {
    expect(() => parseValues('1..')).toThrow(/not a range/);
    expect(() => parseValues('0..1e-2:log:3')).toThrow(/log range needs ends above 0/);
    expect(() => parseValues('2,,4')).toThrow(/empty item/);
    expect(() => parseValues('a..b:3')).toThrow(/must be numbers/);
  });
});

describe('planning a sweep', () => {
  it('expands a grid, the first setting varying slowest, and applies each run to the graph and data', () => {
    const p = plan({ 'bottleneck.units': '2,4,8', 'training.optimizer': 'adam,sgd' });
    expect(p.runs.map((r) => r.values)).toEqual([
      { 'bottleneck.units': 2, 'training.optimizer': 'adam' },
      { 'bottleneck.units': 2, 'training.optimizer': 'sgd' },
      { 'bottleneck.units': 4, 'training.optimizer': 'adam' },
      { 'bottleneck.units': 4, 'training.optimizer': 'sgd' },
      { 'bottleneck.units': 8, 'training.optimizer': 'adam' },
      { 'bottleneck.units': 8, 'training.optimizer': 'sgd' },
    ]);
    const config = configOf(graph, data, p.runs[3]!);
    expect(config.graph.nodes.find((n) => n.kind === 'Bottleneck')!.params.latentSize).toBe(4);
    expect(config.graph.training.optimizer).toBe('sgd');
    // The graph swept from is left as it was.
    expect(graph.nodes.find((n) => n.kind === 'Bottleneck')!.params.latentSize).toBe(32);
  });

  it('names blocks by id or kind, and finds a variational bottleneck as "bottleneck"', () => {
    const dense = graph.nodes.find((n) => n.kind === 'Dense')!;
    expect(plan({ [`${dense.id}.units`]: '64,128' }).runs).toHaveLength(2);
    const p = plan({ 'bottleneck.units': '2,16', 'variationalbottleneck.β': '0.5,1' }, {}, vae);
    expect(configOf(vae, data, p.runs[1]!).graph.nodes.find((n) => n.kind === 'VariationalBottleneck')!.params).toMatchObject({ latentSize: 2, beta: 1 });
    expect(p.settings.map((s) => s.label)).toEqual([expect.stringMatching(/^Code size/), expect.stringMatching(/^β/)]);
  });

  it('sweeps the classes trained on, by number or name, into the dataset id', () => {
    const p = plan({ 'data.classes': '0,Trouser,2+3' });
    expect(p.runs.map((r) => configOf(graph, data, r).datasetId).map((id) => parseDatasetId(id).classes)).toEqual([[0], [1], [2, 3]]);
  });

  it('marks the settings whose values span decades as log-scaled', () => {
    const p = plan({ 'bottleneck.units': '2,4,8,16,32,64', 'training.learningRate': '1e-4..1e-2:log:3', 'training.batchSize': '64,128' });
    expect(p.settings.map((s) => s.logScale)).toEqual([true, true, false]);
  });

  it('draws random runs reproducibly from a seed, within the ranges', () => {
    const spec = { random: { count: 6, seed: 7 } };
    const vary = { 'training.learningRate': '1e-4..1e-2:log', 'bottleneck.units': '2..64', 'training.optimizer': 'adam,sgd,rmsprop' };
    const a = plan(vary, spec);
    expect(a.runs).toHaveLength(6);
    expect(plan(vary, spec)).toEqual(a);
    expect(plan(vary, { random: { count: 6, seed: 8 } }).runs).not.toEqual(a.runs);
    for (const run of a.runs) {
      const lr = run.values['training.learningRate'] as number;
      const units = run.values['bottleneck.units'] as number;
      expect(lr).toBeGreaterThanOrEqual(1e-4);
      expect(lr).toBeLessThanOrEqual(1e-2);
      expect(Number.isInteger(units) && units >= 2 && units <= 64).toBe(true);
      expect(['adam', 'sgd', 'rmsprop']).toContain(run.values['training.optimizer']);
    }
    // The draws differ from run to run (not one value repeated).
    expect(new Set(a.runs.map((r) => r.values['training.learningRate'])).size).toBe(6);
  });
});

describe('refusing a sweep before any run', () => {
  it('refuses a setting that does not exist, naming it', () => {
    expect(refusal(() => plan({ 'bottleneck.size2': '2,4' }))).toMatchObject({ setting: 'bottleneck.size2', message: expect.stringMatching(/unknown setting "bottleneck\.size2".*latentSize/) });
    expect(refusal(() => plan({ 'training.lr': '0.1' })).message).toMatch(/unknown setting "training\.lr".*training\.learningRate/);
    expect(refusal(() => plan({ 'conv2d.filters': '8' })).message).toMatch(/no block "conv2d"/);
    expect(refusal(() => plan({ units: '8' })).message).toMatch(/unknown setting "units"/);
    expect(refusal(() => plan({ 'dense.units': '8' })).message).toMatch(/3 Dense blocks \(dense-3, dense-5, dense-6\): name one by its id/);
  });

  it('refuses a value out of its bounds, naming the setting', () => {
    expect(refusal(() => plan({ 'bottleneck.units': '0,4' }))).toMatchObject({ setting: 'bottleneck.units', message: expect.stringMatching(/^bottleneck\.units: 0 is out of bounds: Code size must be between 1/) });
    expect(refusal(() => plan({ 'training.learningRate': '0..0.1:3' })).message).toMatch(/^training\.learningRate: 0 is out of bounds: must be a number above 0/);
    expect(refusal(() => plan({ 'training.batchSize': '2.5' })).message).toMatch(/^training\.batchSize: 2\.5 is out of bounds: must be a whole number/);
    expect(refusal(() => plan({ 'training.optimizer': 'adam,lbfgs' })).message).toMatch(/^training\.optimizer: lbfgs is out of bounds: must be one of adam, sgd, rmsprop/);
    expect(refusal(() => plan({ 'data.classes': '0,10' })).message).toMatch(/^data\.classes: 10 is out of bounds: class 10 is out of range/);
    expect(refusal(() => plan({ 'data.classes': 'Hat' })).message).toMatch(/^data\.classes: no class "Hat"/);
    expect(refusal(() => plan({ 'training.optimizer': '1..3:3' })).message).toMatch(/not a range of numbers/);
  });

  it('refuses a parameter no run uses, a setting given twice, an empty sweep and a grid too large', () => {
    expect(refusal(() => plan({ 'bottleneck.rho': '0.01,0.1' })).message).toMatch(/not used by this graph/);
    expect(refusal(() => plan({ 'bottleneck.units': '2', 'bottleneck.latentSize': '4' })).message).toMatch(/same setting as bottleneck\.units/);
    expect(refusal(() => plan({})).message).toMatch(/at least one setting/);
    expect(refusal(() => plan({ 'bottleneck.units': '1..100:100', 'training.seed': '1..10:10' })).message).toMatch(new RegExp(`1,000 runs, more than ${MAX_RUNS}`));
    expect(refusal(() => plan({ 'bottleneck.units': '1..100' })).message).toMatch(/needs a count/);
  });
});

describe('the settings a sweep can vary', () => {
  it('suggests the bottleneck, training and every block parameter, each of which plans', async () => {
    const { sweepableSettings } = await import('./settings');
    const paths = sweepableSettings(graph).map((s) => s.path);
    expect(paths.slice(0, 2)).toEqual(['bottleneck.units', 'bottleneck.activation']);
    expect(paths).toEqual(expect.arrayContaining(['training.learningRate', 'training.optimizer', 'data.classes', 'dense-3.units']));
    // Each resolves against the graph it was suggested for.
    const { resolveSetting } = await import('./settings');
    for (const path of paths) expect(() => resolveSetting(path, graph)).not.toThrow();
  });
});
