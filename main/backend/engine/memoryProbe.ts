/**
 * Run as a child process by the memory tests: builds a graph's runner on the CPU provider, trains
 * two steps and evaluates a batch of 256, and prints the growth of the process's peak resident
 * memory over what it held before the runner existed (the engine's own footprint), as JSON.
 */
import { initialParams } from '../../../core/compile/init';
import { hyperValues } from '../../../core/compile/optimizers';
import { planModel } from '../../../core/compile/plan';
import type { GraphDoc } from '../../../core/graph/types';
import { drawNoise } from '../../../core/train/noiseInputs';
import { onnxEngine } from './onnxRunner';
import { cpuProvider, probeSession } from './providers';

const doc = JSON.parse(process.argv[2]!) as GraphDoc;
const plan = planModel(doc);
const [h, w, c] = plan.inputShape;
const size = h * w * c;
const batch = doc.training.batchSize;
const images = Float32Array.from({ length: Math.max(batch, 256) * size }, (_, i) => (i % 97) / 97);
const weights = initialParams(plan.params, 1);
// ONNX Runtime itself, loaded and started with a trivial model, belongs to the baseline.
await probeSession();
const before = process.resourceUsage().maxRSS * 1024;
const baseline = process.memoryUsage().rss;
const runner = await onnxEngine(cpuProvider(1)).createRunner(plan, { weights, optimizer: null, step: 0 });
for (let s = 1; s <= 2; s++) await runner.step(images, batch, drawNoise(plan.noise, s - 1, batch), hyperValues(doc.training.optimizer, 1e-3, s, 1));
await runner.evaluate(images, 256, 1);
const peak = Math.max(process.resourceUsage().maxRSS * 1024, before);
console.log(JSON.stringify({ peakGrowth: peak - Math.max(before, baseline), baseline }));
await runner.close();
