import { describe, expect, it } from 'vitest';
import { decodeModel } from '../export/onnxProto';
import { buildTemplate, TEMPLATE_NAMES } from '../templates';
import { chainGraph } from '../templates/undercomplete';
import { buildEvalModel } from './evalModel';
import { flatLayout, MAX_NODE_TENSORS } from './flatParams';
import { initialParams } from './init';
import { CompileError, planModel } from './plan';
import { buildStepModel, modelLayouts, noiseInputs, STEP_NAMES } from './stepModel';

interface Decoded {
  graph: { node: { op_type: string; input: string[]; output: string[] }[]; input: { name: string }[]; output: { name: string }[] };
}
const decode = (bytes: Uint8Array) => decodeModel(bytes) as unknown as Decoded;

describe('planning a graph for the engine', () => {
  it.each(TEMPLATE_NAMES)('%s: its parameters are the editor\'s count, named as checkpoints name them', (name) => {
    const doc = buildTemplate(name);
    const plan = planModel(doc);
    expect(plan.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)).toBe(plan.analysis.totalParams);
    for (const p of plan.params) expect(p.name).toMatch(/^[a-z0-9-]+\/(kernel|bias|gamma|beta|moving_mean|moving_variance)$/);
    const { trainable, stats } = modelLayouts(plan);
    expect(trainable.total + stats.total).toBe(plan.analysis.totalParams);
  });

  it('draws noise for the training-only blocks and a VAE, from the graph seed and the block\'s place', () => {
    const denoising = planModel(buildTemplate('denoising'));
    expect(denoising.noise.map((n) => [n.corruption.kind, n.keep !== null, n.add !== null])).toEqual([['gaussian', false, true]]);
    expect(denoising.inputCorruptions).toEqual([{ kind: 'gaussian', stddev: 0.3 }]);
    const vae = planModel(buildTemplate('variational'));
    const eps = vae.noise[0]!;
    expect(eps).toMatchObject({ layer: expect.stringMatching(/-sample$/), rowShape: [vae.codeSize], keep: null, corruption: { kind: 'gaussian', stddev: 1 } });
    expect(eps.seed).toBe(vae.graph.training.seed + vae.steps.findIndex((s) => s.node.kind === 'VariationalBottleneck'));
    expect(noiseInputs(vae)).toEqual([{ name: eps.add, rowShape: [vae.codeSize] }]);
  });

  it('refuses a graph with errors, naming the node', () => {
    const doc = buildTemplate('undercomplete');
    const dense = doc.nodes.find((n) => n.kind === 'Dense')!;
    dense.params.units = 0;
    expect(() => planModel(doc)).toThrow(CompileError);
    expect(() => planModel(doc)).toThrow(new RegExp(`^node "${dense.id}": Units must be between 1 and`));
  });

  it('starts kernels Glorot-uniform within ±√(6 / (fan in + fan out)), biases at zero, batch norm at identity, repeatably', () => {
    const doc = chainGraph('init', [
      { kind: 'Input', params: { height: 8, width: 8, channels: 2 } },
      { kind: 'Conv2D', params: { filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' } },
      { kind: 'BatchNorm' },
      { kind: 'Flatten' },
      { kind: 'Bottleneck', params: { latentSize: 5 } },
      { kind: 'Dense', params: { units: 128, activation: 'sigmoid' } },
      { kind: 'Reshape', params: { targetShape: [8, 8, 2] } },
      { kind: 'Output', params: { loss: 'bce' } },
    ]);
    const plan = planModel(doc);
    const a = initialParams(plan.params, 7);
    expect(initialParams(plan.params, 7)).toEqual(a);
    expect(initialParams(plan.params, 8)[0]!.data).not.toEqual(a[0]!.data);
    const conv = a.find((t) => t.name.endsWith('conv2d-2/kernel'))!;
    const limit = Math.sqrt(6 / (3 * 3 * 2 + 3 * 3 * 4));
    expect(Math.max(...conv.data.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...conv.data.map(Math.abs))).toBeGreaterThan(limit * 0.9);
    expect(a.filter((t) => /bias|beta|moving_mean/.test(t.name)).every((t) => t.data.every((v) => v === 0))).toBe(true);
    expect(a.filter((t) => /gamma|moving_variance/.test(t.name)).every((t) => t.data.every((v) => v === 1))).toBe(true);
  });

  it('lays parameters out flat in the plan\'s order', () => {
    const layout = flatLayout([
      { name: 'a/kernel', shape: [2, 3], init: 'zeros', trainable: true },
      { name: 'a/bias', shape: [3], init: 'zeros', trainable: true },
    ]);
    expect(layout).toEqual({ total: 9, entries: [{ name: 'a/kernel', shape: [2, 3], offset: 0, size: 6 }, { name: 'a/bias', shape: [3], offset: 6, size: 3 }] });
  });
});

describe('the training step and evaluation models', () => {
  it.each(TEMPLATE_NAMES)('%s: the step reads the image, parameters, optimizer slots, noise and scalars, and gives them back updated', (name) => {
    const plan = planModel(buildTemplate(name));
    const { graph } = decode(buildStepModel(plan));
    const inputs = graph.input.map((i) => i.name);
    expect(inputs).toEqual([STEP_NAMES.image, STEP_NAMES.params, ...(modelLayouts(plan).stats.total ? [STEP_NAMES.stats] : []), 'opt_m', 'opt_v', ...noiseInputs(plan).map((n) => n.name), STEP_NAMES.hyper]);
    expect(graph.output.map((o) => o.name)).toEqual([STEP_NAMES.next(STEP_NAMES.params), ...(modelLayouts(plan).stats.total ? [STEP_NAMES.next(STEP_NAMES.stats)] : []), 'opt_m_next', 'opt_v_next', STEP_NAMES.losses]);
    const evaluation = decode(buildEvalModel(plan)).graph;
    expect(evaluation.input.map((i) => i.name)).not.toContain(expect.stringMatching(/noise|epsilon|keep|add/));
  });

  it.each(TEMPLATE_NAMES)('%s: no node reads or writes more than six tensors (a GPU shader binds few buffers)', (name) => {
    const plan = planModel(buildTemplate(name));
    for (const bytes of [buildStepModel(plan, { target: 'gpu' }), buildEvalModel(plan)]) {
      const worst = Math.max(...decode(bytes).graph.node.map((n) => n.input.filter(Boolean).length + n.output.length));
      expect(worst).toBeLessThanOrEqual(MAX_NODE_TENSORS);
    }
  });

  it('writes the GPU\'s max-pooling gradient without the indices output the CPU rule uses', () => {
    const plan = planModel(buildTemplate('convolutional'));
    const pools = (bytes: Uint8Array) => decode(bytes).graph.node.filter((n) => n.op_type === 'MaxPool').map((n) => n.output.length);
    expect(pools(buildStepModel(plan, { target: 'cpu' }))).toContain(2);
    expect(pools(buildStepModel(plan, { target: 'gpu' })).every((n) => n === 1)).toBe(true);
    expect(decode(buildStepModel(plan, { target: 'gpu' })).graph.node.some((n) => n.op_type === 'ScatterElements')).toBe(false);
  });
});
