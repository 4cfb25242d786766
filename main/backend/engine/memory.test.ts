/**
 * The memory guard's estimate (core/shapes/memory.ts) against the ONNX engine's measured peak: in a
 * fresh process each (main/backend/engine/memoryProbe.ts), the growth of the peak resident memory
 * over two training steps and a validation batch, beyond ONNX Runtime's own start-up.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../core/format';
import type { OptimizerName } from '../../../core/graph/types';
import { estimateTrainingMemory } from '../../../core/shapes/memory';
import { buildTemplate, type TemplateName } from '../../../core/templates';

const FACTOR = 1.5;

function measuredPeak(doc: object): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'memoryProbe.ts'), JSON.stringify(doc)], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { peakGrowth: number }).peakGrowth;
}

describe('the training memory estimate', () => {
  it.each<[TemplateName, OptimizerName, number]>([
    ['undercomplete', 'adam', 16],
    ['undercomplete', 'rmsprop', 128],
    ['overcomplete', 'adam', 64],
    ['overcomplete', 'sgd', 128],
    ['overcomplete', 'adam', 512],
    ['sparse', 'rmsprop', 16],
    ['denoising', 'sgd', 32],
    ['variational', 'adam', 128],
    ['convolutional', 'sgd', 8],
    ['convolutional', 'adam', 512],
  ])(`%s with %s, batch %i: within ${FACTOR}× of the measured peak`, (name, optimizer, batchSize) => {
    const doc = buildTemplate(name);
    doc.training = { ...doc.training, optimizer, batchSize, momentum: 0.9 };
    const estimate = estimateTrainingMemory(doc)!.bytes;
    const measured = measuredPeak(doc);
    const text = `measured ${formatBytes(measured)}, estimated ${formatBytes(estimate)}`;
    console.log(`${name} ${optimizer} ${batchSize}: ${text}`);
    expect(measured / estimate, text).toBeGreaterThan(1 / FACTOR);
    expect(measured / estimate, text).toBeLessThan(FACTOR);
  }, 150_000);
});
