/**
 * `node --import tsx bench/explore.ts [--maps-only]`: the Explore view's costs on this machine (issue 15).
 *  - decode latency of one code through the whole backend path (invoke → inference worker → decode →
 *    ImageBatch), p50/p95 over 200 calls, per template (each trained 1 epoch: the cost does not depend
 *    on how well it learned);
 *  - memory the model cache holds per loaded model (weights, map codes) and for the validation images;
 *  - UMAP of 1,000 and 10,000 codes in the projection worker, with the main thread's event-loop
 *    delay meanwhile; t-SNE of 3,000.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildTemplate, TEMPLATE_NAMES } from '../core/templates';
import type { ProjectionOps } from '../main/backend/projectionWorker';
import { BottleneckBackend } from '../main/backend/service';
import { WorkerHost } from '../main/backend/workers/host';

process.env.BOTTLENECK_HOME ??= mkdtempSync(join(tmpdir(), 'bench-explore-'));
const root = join(process.env.BOTTLENECK_HOME, 'runs');
const backend = new BottleneckBackend({ shell: 'cli', runsRoot: root });

async function train(template: (typeof TEMPLATE_NAMES)[number], datasetId: string): Promise<string> {
  const graph = buildTemplate(template);
  graph.training = { ...graph.training, epochs: 1, batchSize: 128 };
  const done = new Promise<string>((resolve, reject) =>
    backend.on((e) => {
      if (e.type !== 'train') return;
      if (e.event.type === 'run-finished') resolve(e.event.runId);
      if (e.event.type === 'run-failed') reject(new Error(e.event.message));
    }),
  );
  await backend.invoke('train:start', { graph, datasetId });
  return done;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const kb = (bytes: number | undefined) => `${((bytes ?? 0) / 1024).toFixed(0)} KiB`;

async function project(method: 'umap' | 'tsne', codes: Float32Array, n: number, d: number) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  let phases = 0;
  const host = new WorkerHost<ProjectionOps>({ name: 'projectionWorker', label: 'the projection worker', workerData: null });
  await host.call('layout', { method, codes, n, d, seed: 42 }, { progress: () => phases++ });
  await host.dispose();
  delay.disable();
  const ms = performance.now() - started;
  console.log(`${method} of ${n.toLocaleString('en')} codes (${d}-d): ${(ms / 1000).toFixed(1)} s, ${phases} progress events; main thread event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
}

/** The main thread's event-loop delay over `ms` of doing nothing: what the machine's load alone costs. */
async function idleDelay(ms: number) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  delay.disable();
  console.log(`idle main thread for ${ms / 1000} s (baseline): event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
}

try {
  const DATA = 'builtin:fashion-mnist?train=2000&validation=1000';
  console.log('decode latency, one code, invoke → worker → decode → ImageBatch (200 calls after 10 warm-up):');
  const runs: Record<string, string> = {};
  // --maps-only: the undercomplete template alone, for the map timings.
  for (const template of process.argv.includes('--maps-only') ? (['undercomplete'] as const) : TEMPLATE_NAMES) {
    const runId = await train(template, DATA);
    runs[template] = runId;
    const info = await backend.invoke('model:info', { runId });
    await backend.invoke('model:map', { runId, method: 'pca' });
    const times: number[] = [];
    for (let i = 0; i < 210; i++) {
      const code = Array.from({ length: info.codeSize }, (_, j) => Math.sin(i + j));
      const t = performance.now();
      await backend.invoke('model:decode', { runId, codes: [code] });
      if (i >= 10) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${template.padEnd(14)} code ${String(info.codeSize).padStart(3)}: p50 ${quantile(times, 0.5).toFixed(2)} ms, p95 ${quantile(times, 0.95).toFixed(2)} ms`);
  }
  const memory = await backend.models.call('memory', null, {});
  console.log(`model cache: ${kb(memory.total)} held of ${kb(memory.limit)}`);
  for (const [template, runId] of Object.entries(runs)) {
    const entry = memory.entries.find((e) => e.key === `${join(root, runId)}|best`);
    console.log(`  ${template.padEnd(14)} ${entry ? `${kb(entry.weightBytes)} weights + ${kb(entry.codeBytes)} codes of the map's 1,000 points` : 'evicted'}`);
  }
  for (const e of memory.entries.filter((x) => x.kind === 'images')) console.log(`  validation images (${e.key}): ${kb(e.bytes)}`);

  // 10,000 real codes: the undercomplete model's codes of 10,000 training images.
  const encoded = await backend.models.call('encodeDataset', backend.modelSource({ runId: runs.undercomplete! }), { datasetId: 'builtin:fashion-mnist', split: 'train' });
  const d = encoded.codeSize;
  await idleDelay(10_000);
  await project('umap', encoded.codes.slice(0, 1000 * d), 1000, d);
  await project('umap', encoded.codes.slice(0, 10_000 * d), 10_000, d);
  await project('tsne', encoded.codes.slice(0, 3000 * d), 3000, d);
} finally {
  await backend.dispose();
}
