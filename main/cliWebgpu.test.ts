/**
 * `bottleneck train` on the WebGPU provider, on SwiftShader (Chromium's software Vulkan driver) as
 * CI has it: the CPU provider's results, the adapter in run.json, and a GPU lost mid-run continued
 * on the CPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { noSwiftShader, swiftShader, webgpuTestName } from './backend/engine/testWebgpu';

const root = join(import.meta.dirname, '..');

function cli(args: string[], env: Record<string, string>, home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-gpu-'))) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'main', 'cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, BOTTLENECK_HOME: home, ...env },
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { ...result, home };
}

const events = (stdout: string) => stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((line) => JSON.parse(line));
const runJson = (home: string, id: string) => JSON.parse(readFileSync(join(home, 'runs', id, 'run.json'), 'utf8'));

describe.skipIf(noSwiftShader)('bottleneck train on webgpu (SwiftShader)', () => {
  let folder = '';
  let vulkan: Record<string, string> = {};
  // 12×12 images, 4 classes: a bright square in one corner each.
  beforeAll(async () => {
    vulkan = { VK_ICD_FILENAMES: (swiftShader() as { icd: string }).icd };
    folder = mkdtempSync(join(tmpdir(), 'cli-gpu-folder-'));
    for (let c = 0; c < 4; c++) {
      mkdirSync(join(folder, `class${c}`));
      for (let i = 0; i < 12; i++) {
        const pixels = Buffer.alloc(144, 20 + i);
        for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) pixels[((c >> 1) * 6 + y + 1) * 12 + (c & 1) * 6 + x + 1] = 200 + i * 4;
        await sharp(pixels, { raw: { width: 12, height: 12, channels: 1 } }).png().toFile(join(folder, `class${c}`, `${i}.png`));
      }
    }
  });

  const train = (template: string, env: Record<string, string>, extra: string[] = []) =>
    cli(['train', '--template', template, '--data', folder, '--validation-split', '0.25', '--epochs', '1', '--batch-size', '16', '--seed', '3', ...extra], { ...vulkan, ...env });

  it(webgpuTestName('trains a template with the CPU provider\'s losses, says which GPU, and run.json names it'), () => {
    const gpu = train('undercomplete', {}, ['--backend', 'webgpu']);
    expect(gpu.status, gpu.stderr).toBe(0);
    const cpu = train('undercomplete', { BOTTLENECK_BACKEND: 'cpu' }, ['--json']);
    expect(cpu.status, cpu.stderr).toBe(0);
    // The human output: the backend line, then each epoch's losses to 4 decimals.
    expect(gpu.stdout).toMatch(/^backend webgpu \(swiftshader\); SwiftShader, a software adapter: slow/m);
    const [, loss, valLoss] = /^epoch 1 +loss (\S+) +val_loss (\S+)/m.exec(gpu.stdout)!;
    const epoch = events(cpu.stdout).find((e) => e.type === 'epoch-end');
    expect(Math.abs(Number(loss) - epoch.loss)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(Number(valLoss) - epoch.val_loss)).toBeLessThanOrEqual(1e-3);
    const [run] = JSON.parse(cli(['runs', '--json'], {}, gpu.home).stdout);
    expect(run.backend).toBe('webgpu (swiftshader)');
    expect(runJson(gpu.home, run.id).backend).toMatchObject({ name: 'webgpu', adapter: { vendor: 'swiftshader', description: 'SwiftShader', fallback: true } });
  }, 240_000);

  it(webgpuTestName('trains the undercomplete template an epoch on 512 Fashion-MNIST images with a falling loss'), () => {
    const r = cli(['train', '--template', 'undercomplete', '--data', 'builtin:fashion-mnist?train=512&validation=128', '--epochs', '1', '--batch-size', '64', '--backend', 'webgpu', '--json'], vulkan);
    expect(r.status, r.stderr).toBe(0);
    const batches = events(r.stdout).filter((e) => e.type === 'batch-end');
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.at(-1).loss).toBeLessThan(batches[0].loss);
    expect(events(r.stdout).at(-1)).toMatchObject({ type: 'run-finished', epochs: 1 });
  }, 240_000);

  it(webgpuTestName('a GPU lost mid-run fails the run naming the GPU, keeps the last checkpoint, and the run goes on with --backend cpu'), () => {
    // 36 training images in batches of 16: three steps an epoch; the first step of epoch 2 fails.
    const lost = train('undercomplete', { BOTTLENECK_TEST_FAIL_AT_STEP: '3' }, ['--backend', 'webgpu', '--epochs', '3', '--json']);
    expect(lost.status).toBe(1);
    const failed = events(lost.stdout).at(-1);
    const runId = events(lost.stdout).find((e) => e.type === 'run-started').runId;
    expect(failed).toMatchObject({ type: 'run-failed', epoch: 2 });
    expect(failed.message).toBe(
      `the GPU (SwiftShader, through webgpu) failed: the device was lost (BOTTLENECK_TEST_FAIL_AT_STEP); the checkpoint of epoch 1 is kept: to go on on the CPU, choose CPU under the backend badge and continue the run, or run: bottleneck train --resume ${runId} --backend cpu`,
    );
    expect(runJson(lost.home, runId)).toMatchObject({ status: 'failed', error: failed.message, epochsDone: 1 });
    expect(existsSync(join(lost.home, 'runs', runId, 'checkpoints'))).toBe(true);
    const resumed = cli(['train', '--resume', runId, '--backend', 'cpu', '--json'], vulkan, lost.home);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(events(resumed.stdout).find((e) => e.type === 'run-started')).toMatchObject({ backend: 'cpu', startEpoch: 1 });
    expect(runJson(lost.home, runId)).toMatchObject({ status: 'finished', epochsDone: 3, backend: { name: 'cpu' } });
  }, 240_000);
});
