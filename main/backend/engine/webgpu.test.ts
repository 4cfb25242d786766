/**
 * Training on the WebGPU provider, on SwiftShader (Chromium's software Vulkan driver) as CI has it:
 * every template gives the CPU provider's losses, batch by batch and at the epoch's end. Small
 * shapes: a software GPU is slow, and most of a first step is shader compilation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../../../core/graph/types';
import { buildTemplate, TEMPLATE_NAMES, type TemplateName } from '../../../core/templates';
import type { BatchEndEvent, EpochEndEvent, TrainEvent } from '../../../core/train/events';
import { squaresDataset } from '../../../core/train/testData';
import { trainAutoencoder } from '../../../core/train/train';
import type { TrainingEngine } from '../../../core/train/engine';
import { onnxEngine } from './onnxRunner';
import { cpuProvider, selectProvider } from './providers';
import { noSwiftShader, pointVulkanAtSwiftShader, webgpuTestName } from './testWebgpu';

const IMAGE = { height: 12, width: 12, channels: 1 };

function small(name: TemplateName): GraphDoc {
  const doc = buildTemplate(name, IMAGE);
  doc.training = { ...doc.training, epochs: 2, batchSize: 16, seed: 5, learningRate: 1e-3 };
  return doc;
}

async function train(graph: GraphDoc, engine: TrainingEngine) {
  const events: TrainEvent[] = [];
  const started = Date.now();
  const last = await trainAutoencoder({ runId: engine.name, graph, dataset: squaresDataset(48, 16, 7, 12), engine, emit: (e) => events.push(e), batchEventIntervalMs: 0 });
  expect(last.type, last.type === 'run-failed' ? last.message : '').toBe('run-finished');
  return {
    ms: Date.now() - started,
    batches: events.filter((e): e is BatchEndEvent => e.type === 'batch-end'),
    epochs: events.filter((e): e is EpochEndEvent => e.type === 'epoch-end'),
  };
}

describe.skipIf(noSwiftShader)('training on the WebGPU provider (SwiftShader)', () => {
  let gpu: TrainingEngine;
  const cpu = onnxEngine(cpuProvider(1));

  beforeAll(async () => {
    pointVulkanAtSwiftShader();
    const selected = await selectProvider('webgpu');
    expect(selected.info.name).toBe('webgpu');
    gpu = onnxEngine(selected.provider);
  }, 120_000);

  it.each(TEMPLATE_NAMES)(webgpuTestName('%s (12×12): every batch loss and each epoch\'s losses within 1e-3 of the CPU provider'), async (name) => {
    const onCpu = await train(small(name), cpu);
    const onGpu = await train(small(name), gpu);
    expect(onGpu.batches).toHaveLength(6);
    const worst = Math.max(...onGpu.batches.map((b, i) => Math.abs(b.loss - onCpu.batches[i]!.loss)));
    const epochs = onGpu.epochs.map((e, i) => Math.max(Math.abs(e.loss - onCpu.epochs[i]!.loss), Math.abs(e.val_loss - onCpu.epochs[i]!.val_loss)));
    console.log(`${name}: max |Δ batch loss| ${worst.toExponential(2)}, |Δ epoch losses| ${epochs.map((d) => d.toExponential(2)).join(', ')}; webgpu ${onGpu.ms} ms, cpu ${onCpu.ms} ms`);
    expect(worst).toBeLessThanOrEqual(1e-3);
    for (const d of epochs) expect(d).toBeLessThanOrEqual(1e-3);
  }, 300_000);
});
