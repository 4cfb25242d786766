/** Where to train: the user's choice, remembered in the workspace; and a trainer whose GPU failed replaced before the next run. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent, BackendInfo } from '../../core/api';
import { buildTemplate } from '../../core/templates';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { noSwiftShader, pointVulkanAtSwiftShader, webgpuTestName } from './engine/testWebgpu';
import { BUILTIN_FASHION_MNIST } from './datasets';
import type { BottleneckBackend } from './service';
import { Settings } from './settings';
import { testBackends } from './testBackends';

const backend = testBackends('preference-');
const TINY = `${BUILTIN_FASHION_MNIST}?train=64&validation=16`;

const saved = { ...process.env };
afterEach(() => {
  for (const key of ['BOTTLENECK_BACKEND', 'BOTTLENECK_TEST_FAIL_AT_STEP', 'VK_ICD_FILENAMES']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

function graph(epochs: number) {
  const doc = buildTemplate('undercomplete');
  doc.training = { ...doc.training, epochs, batchSize: 32 };
  return doc;
}

/** The run's events until it ends. */
function runEnd(b: BottleneckBackend, runId: () => string): Promise<TrainEvent> {
  return new Promise((resolve) => b.on((e: ApiEvent) => e.type === 'train' && e.event.runId === runId() && isTerminal(e.event) && resolve(e.event)));
}

describe('the backend preference', () => {
  it('is auto until chosen; choosing restarts the trainer with it and remembers it in settings.json', async () => {
    delete process.env.BOTTLENECK_BACKEND;
    const b = backend();
    expect((await b.invoke('app:info', {})).backendPreference).toBe('auto');
    const ready: BackendInfo[] = [];
    b.on((e) => e.type === 'backend-ready' && ready.push(e.backend));
    const info = await b.invoke('app:set-backend-preference', { preference: 'cpu' });
    expect(info.name).toBe('cpu');
    expect(info.skipped).toContainEqual({ name: 'webgpu', reason: 'the CPU is chosen in the settings' });
    expect(ready).toEqual([info]);
    expect((await b.invoke('app:info', {})).backendPreference).toBe('cpu');
    expect(JSON.parse(readFileSync(b.settings.path, 'utf8'))).toEqual({ format: 'bottleneck.settings', version: 1, backendPreference: 'cpu' });
    // The next start of the app reads it.
    expect(new Settings(b.settings.path).backendPreference).toBe('cpu');
  });

  it('is refused while a run trains, naming the run', async () => {
    const b = backend();
    let runId = '';
    const end = runEnd(b, () => runId);
    ({ runId } = await b.invoke('train:start', { graph: graph(1), datasetId: TINY }));
    await expect(b.invoke('app:set-backend-preference', { preference: 'gpu' })).rejects.toThrow(`run ${runId} is training: change where to train once it ends`);
    await end;
    expect(b.settings.backendPreference).toBe('auto');
  });

  it('reads a damaged settings.json as the defaults', () => {
    const b = backend();
    writeFileSync(b.settings.path, '{"format": "bottleneck.settings", "version": 1, "backendPreference": "quantum"}');
    expect(new Settings(b.settings.path).backendPreference).toBe('auto');
    writeFileSync(b.settings.path, '{"format": "bottleneck.sett');
    expect(new Settings(join(b.settings.path)).backendPreference).toBe('auto');
  });

  it.skipIf(noSwiftShader)(webgpuTestName('after a GPU fault the next run gets a fresh trainer, which finds the GPU again'), async () => {
    pointVulkanAtSwiftShader();
    process.env.BOTTLENECK_BACKEND = 'webgpu';
    // Two steps an epoch: the third step, the first of epoch 2, fails as a lost GPU would.
    process.env.BOTTLENECK_TEST_FAIL_AT_STEP = '2';
    const b = backend();
    const ready: BackendInfo[] = [];
    b.on((e) => e.type === 'backend-ready' && ready.push(e.backend));
    let first = '';
    const failed = runEnd(b, () => first);
    ({ runId: first } = await b.invoke('train:start', { graph: graph(2), datasetId: TINY }));
    expect(await failed).toMatchObject({ type: 'run-failed', message: expect.stringMatching(/^the GPU \(SwiftShader, through webgpu\) failed: the device was lost \(BOTTLENECK_TEST_FAIL_AT_STEP\); the checkpoint of epoch 1 is kept/) });
    // The hook stays on in the next worker too: off now, so the second run trains.
    delete process.env.BOTTLENECK_TEST_FAIL_AT_STEP;
    let second = '';
    const finished = runEnd(b, () => second);
    ({ runId: second } = await b.invoke('train:start', { graph: graph(1), datasetId: TINY }));
    expect(await finished).toMatchObject({ type: 'run-finished', epochs: 1 });
    expect(ready.map((r) => r.name)).toEqual(['webgpu', 'webgpu']);
    expect(b.runs.read(second).backend).toMatchObject({ name: 'webgpu', adapter: { vendor: 'swiftshader', fallback: true } });
  }, 120_000);
});
