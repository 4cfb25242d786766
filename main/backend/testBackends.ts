/** Backends for a test file: each on a fresh runs folder (or the one given), disposed after its test. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { BottleneckBackend } from './service';
import type { TrainerHost } from './trainerHost';

export function testBackends(prefix: string): (runsRoot?: string) => BottleneckBackend {
  const made: BottleneckBackend[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((b) => b.dispose()));
  });
  return (runsRoot = mkdtempSync(join(tmpdir(), prefix))) => {
    const b = new BottleneckBackend({ shell: 'cli', runsRoot, graphsRoot: join(runsRoot, 'graphs'), experimentsRoot: join(runsRoot, 'experiments'), settingsPath: join(runsRoot, 'settings.json') });
    made.push(b);
    return b;
  };
}

/**
 * Waits until a pause holds `runId`'s loop (it waits on resume or stop, so no batch can begin),
 * then asks the worker `answers` more times: each answer must show it still held at the same batch.
 * Returns the number of batches it had begun.
 */
export async function expectHeld(trainer: TrainerHost, runId: string, answers = 5): Promise<number> {
  await expect.poll(() => trainer.position(), { timeout: 10_000 }).toMatchObject({ runId, held: true });
  const at = await trainer.position();
  for (let i = 0; i < answers; i++) expect(await trainer.position()).toEqual(at);
  return at!.batchesBegun;
}
