/**
 * The Lab's noise is the training noise (issue 21, defect 6): the denoising template, trained with
 * σ 0.3, beats the plain undercomplete one in the Lab at its own σ, on the same images, through the
 * Lab's own code (its corruption, its request to the model, its error); and walking σ shows no
 * artefact at the training σ (the output stays under the noisy input there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageAt, imageSize } from '../../core/data/dataset';
import { builtinDatasetId } from '../../core/data/datasetId';
import { buildTemplate } from '../../core/templates';
import { unitPixels } from '../../core/train/corruption';
import { corrupt, emptyMask, fromBatch, mse, toModelBatch, type LabImage } from '../../renderer/src/use/labImage';
import { loadDataset } from './datasets';
import { BottleneckBackend } from './service';
import { trainToEnd } from './trainToEnd';

const DATA = builtinDatasetId('fashion-mnist', { train: 6000, validation: 64 });
const IMAGES = 32;
const LAB = { saltPepper: 0, watermark: '', watermarkSize: 0.35, watermarkOpacity: 0.8, seed: 1 };

process.env.BOTTLENECK_HOME = mkdtempSync(join(tmpdir(), 'lab-home-'));
const root = mkdtempSync(join(tmpdir(), 'lab-runs-'));
let backend: BottleneckBackend;
const runs: Record<'denoising' | 'undercomplete', string> = { denoising: '', undercomplete: '' };
let clean: LabImage[];

beforeAll(async () => {
  backend = new BottleneckBackend({ shell: 'cli', runsRoot: root, graphsRoot: join(root, 'graphs'), settingsPath: join(root, 'settings.json') });
  for (const name of ['denoising', 'undercomplete'] as const) {
    const graph = buildTemplate(name);
    graph.training = { ...graph.training, epochs: 2, seed: 3 };
    runs[name] = await trainToEnd(backend, graph, DATA);
  }
  const data = loadDataset(DATA);
  clean = Array.from({ length: IMAGES }, (_, i) => ({ height: 28, width: 28, channels: 1, data: unitPixels(imageAt(data.validation, imageSize(data), i)) }));
}, 240_000);

afterAll(() => backend.dispose());

/** The Lab's errors for `images` at σ, as the Lab computes them: noisy input and model output against the clean image. */
async function labErrors(runId: string, sigma: number): Promise<{ input: number; output: number }[]> {
  const noisy = clean.map((im, i) => corrupt(im, emptyMask(im), { ...LAB, sigma, seed: LAB.seed + i }));
  const out = await backend.invoke('model:reconstruct', { runId, images: toModelBatch(noisy) });
  return clean.map((im, i) => ({ input: mse(noisy[i]!, im)!, output: mse(fromBatch(out, i), im)! }));
}

const removed = (e: { input: number; output: number }[]) => 1 - e.reduce((s, x) => s + x.output, 0) / e.reduce((s, x) => s + x.input, 0);

describe('the Lab against the training noise', () => {
  it('the denoising template removes more of σ 0.3 noise than the undercomplete one, in the Lab', async () => {
    const denoising = await labErrors(runs.denoising, 0.3);
    const undercomplete = await labErrors(runs.undercomplete, 0.3);
    console.log(`Lab, σ 0.3, ${IMAGES} validation images, 2 epochs on 6,000 images: denoising removes ${(100 * removed(denoising)).toFixed(1)} % of the noise's error, undercomplete ${(100 * removed(undercomplete)).toFixed(1)} % (image 0: ${(100 * removed(denoising.slice(0, 1))).toFixed(1)} % against ${(100 * removed(undercomplete.slice(0, 1))).toFixed(1)} %)`);
    expect(removed(denoising)).toBeGreaterThan(removed(undercomplete));
    // On image 0 alone, where the clipped noise left 1 % removed, most of the error is now removed; which
    // model wins on one image depends on the initial weights (ONNX engine, seed 3: 72.8 % against 81.9 %).
    expect(removed(denoising.slice(0, 1))).toBeGreaterThan(0.5);
  });

  it('walking σ on image 0 (the Lab’s first image): the denoising model’s output stays under the noisy input from its training σ up, no crossing at 0.3', async () => {
    for (const sigma of [0.3, 0.4, 0.5, 0.7]) {
      const [first] = await labErrors(runs.denoising, sigma);
      console.log(`image 0, σ ${sigma}: noisy ${first!.input.toFixed(4)}, output ${first!.output.toFixed(4)}`);
      expect(first!.output, `σ ${sigma}`).toBeLessThan(first!.input);
    }
  });

  it('the noise is the block’s: unclipped, so its mean on a black background is 0', () => {
    const black: LabImage = { height: 28, width: 28, channels: 1, data: new Float32Array(784) };
    const noisy = corrupt(black, emptyMask(black), { ...LAB, sigma: 0.3 });
    const mean = noisy.data.reduce((s, v) => s + v, 0) / noisy.data.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.min(...noisy.data)).toBeLessThan(0);
  });
});
