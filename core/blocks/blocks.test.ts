import { describe, expect, it } from 'vitest';
import { bottleneckBlock } from './bottleneck';
import { denseBlock } from './dense';
import { flattenBlock } from './flatten';
import { inputBlock } from './input';
import { outputBlock } from './output';
import { reshapeBlock } from './reshape';
import { conv2dBlock } from './conv2d';
import { conv2dTransposeBlock } from './conv2dTranspose';
import { maxPool2dBlock, upSampling2dBlock } from './pooling';
import { randomMaskBlock } from './randomMask';
import { blockSpec, PALETTE } from './registry';
import { activationBlock, batchNormBlock, dropoutBlock, gaussianNoiseBlock } from './regularizers';
import { variationalBottleneckBlock } from './variationalBottleneck';

describe('block shape rules and parameter counts', () => {
  it('Input emits its image shape and has no parameters', () => {
    expect(inputBlock.outputShape(null, { height: 32, width: 24, channels: 3 })).toEqual({ ok: true, shape: [32, 24, 3] });
    expect(inputBlock.paramCount([], inputBlock.defaults)).toBe(0);
  });

  it('Flatten multiplies the dimensions', () => {
    expect(flattenBlock.outputShape([28, 28, 1], {})).toEqual({ ok: true, shape: [784] });
    expect(flattenBlock.outputShape([7, 5, 3], {})).toEqual({ ok: true, shape: [105] });
  });

  it('Dense counts weights plus biases: in*units + units', () => {
    expect(denseBlock.paramCount([784], { units: 128, activation: 'relu' })).toBe(784 * 128 + 128);
    expect(denseBlock.outputShape([784], { units: 10, activation: 'relu' })).toEqual({ ok: true, shape: [10] });
  });

  it('Dense on an image asks for a Flatten', () => {
    const result = denseBlock.outputShape([28, 28, 1], { units: 10, activation: 'relu' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/add a Flatten/);
  });

  it('Bottleneck is a linear dense layer of the code size', () => {
    const p = { ...bottleneckBlock.defaults, latentSize: 32 };
    expect(bottleneckBlock.outputShape([128], p)).toEqual({ ok: true, shape: [32] });
    expect(bottleneckBlock.paramCount([128], p)).toBe(128 * 32 + 32);
  });

  it('Reshape keeps the number of values or says why not', () => {
    expect(reshapeBlock.outputShape([784], { targetShape: [28, 28, 1] })).toEqual({ ok: true, shape: [28, 28, 1] });
    const bad = reshapeBlock.outputShape([780], { targetShape: [28, 28, 1] });
    expect(!bad.ok && bad.error).toBe('cannot reshape 780 (780 values) to 28×28×1 (784 values)');
  });

  it('Output passes the shape through', () => {
    expect(outputBlock.outputShape([28, 28, 1], { loss: 'bce' })).toEqual({ ok: true, shape: [28, 28, 1] });
  });

  it('Conv2D: same padding keeps ceil(n/s), valid keeps floor((n-k)/s)+1; k·k·in·f + f parameters', () => {
    const same = { filters: 16, kernelSize: 3, strides: 2, padding: 'same' as const, activation: 'relu' as const };
    expect(conv2dBlock.outputShape([28, 28, 1], same)).toEqual({ ok: true, shape: [14, 14, 16] });
    expect(conv2dBlock.outputShape([27, 27, 1], same)).toEqual({ ok: true, shape: [14, 14, 16] });
    expect(conv2dBlock.outputShape([28, 28, 3], { ...same, strides: 1, padding: 'valid', kernelSize: 5 })).toEqual({ ok: true, shape: [24, 24, 16] });
    expect(conv2dBlock.paramCount([28, 28, 3], same)).toBe(3 * 3 * 3 * 16 + 16);
    const tooBig = conv2dBlock.outputShape([2, 2, 1], { ...same, kernelSize: 5, padding: 'valid' });
    expect(!tooBig.ok && tooBig.error).toMatch(/does not fit a 2×2 input/);
    const flat = conv2dBlock.outputShape([784], same);
    expect(!flat.ok && flat.error).toMatch(/expects an image .* add a Reshape/);
  });

  it('Conv2DTranspose: same → n·s, valid → n·s + max(k−s, 0); parameters count the output filters', () => {
    const p = { filters: 8, kernelSize: 3, strides: 2, padding: 'same' as const, activation: 'relu' as const };
    expect(conv2dTransposeBlock.outputShape([7, 7, 32], p)).toEqual({ ok: true, shape: [14, 14, 8] });
    expect(conv2dTransposeBlock.outputShape([7, 7, 32], { ...p, padding: 'valid' })).toEqual({ ok: true, shape: [15, 15, 8] });
    expect(conv2dTransposeBlock.outputShape([7, 7, 32], { ...p, strides: 1, padding: 'valid' })).toEqual({ ok: true, shape: [9, 9, 8] });
    expect(conv2dTransposeBlock.paramCount([7, 7, 32], p)).toBe(3 * 3 * 32 * 8 + 8);
  });

  it('MaxPool2D and UpSampling2D change height and width only', () => {
    expect(maxPool2dBlock.outputShape([28, 28, 16], { poolSize: 2, strides: 2, padding: 'valid' })).toEqual({ ok: true, shape: [14, 14, 16] });
    expect(maxPool2dBlock.outputShape([7, 7, 16], { poolSize: 2, strides: 2, padding: 'valid' })).toEqual({ ok: true, shape: [3, 3, 16] });
    expect(maxPool2dBlock.outputShape([7, 7, 16], { poolSize: 2, strides: 2, padding: 'same' })).toEqual({ ok: true, shape: [4, 4, 16] });
    expect(upSampling2dBlock.outputShape([7, 7, 16], { size: 2 })).toEqual({ ok: true, shape: [14, 14, 16] });
    expect(maxPool2dBlock.paramCount([28, 28, 16], maxPool2dBlock.defaults) + upSampling2dBlock.paramCount([7, 7, 1], { size: 2 })).toBe(0);
  });

  it('Dropout, noise and Activation pass the shape through; BatchNorm keeps 4 numbers per channel', () => {
    for (const block of [dropoutBlock, gaussianNoiseBlock, activationBlock, batchNormBlock]) {
      expect(block.outputShape([14, 14, 8], block.defaults as never)).toEqual({ ok: true, shape: [14, 14, 8] });
    }
    expect(batchNormBlock.paramCount([14, 14, 8], {})).toBe(32);
    expect(batchNormBlock.paramCount([256], {})).toBe(1024);
    expect(gaussianNoiseBlock.trainingOnly && dropoutBlock.trainingOnly).toBe(true);
  });

  it('VariationalBottleneck has two dense heads (mean and log-variance)', () => {
    const p = { latentSize: 16, beta: 1, klWarmupEpochs: 0 };
    expect(variationalBottleneckBlock.outputShape([256], p)).toEqual({ ok: true, shape: [16] });
    expect(variationalBottleneckBlock.paramCount([256], p)).toBe(2 * (256 * 16 + 16));
  });

  it('KL sparsity asks for a sigmoid code', () => {
    const p = { ...bottleneckBlock.defaults, sparsity: 'kl' as const, activation: 'relu' as const };
    expect(bottleneckBlock.checkParams(p)).toEqual(['KL sparsity needs a sigmoid code activation (activations in (0, 1))']);
    expect(bottleneckBlock.checkParams({ ...p, activation: 'sigmoid' })).toEqual([]);
    expect(bottleneckBlock.checkParams({ ...p, activation: 'sigmoid', rho: 2 })).toEqual(['Target activation ρ must be between 0.001 and 0.999']);
  });

  it('checks parameter bounds and names the field', () => {
    expect(denseBlock.checkParams({ units: 0, activation: 'relu' })).toEqual(['Units must be between 1 and 65536']);
    expect(denseBlock.checkParams({ units: 2.5, activation: 'relu' })).toEqual(['Units must be a whole number']);
    expect(denseBlock.checkParams({ units: 4, activation: 'swish' as never })[0]).toMatch(/^Activation must be one of/);
    expect(outputBlock.checkParams({ loss: 'l1' as never })[0]).toMatch(/^Reconstruction loss/);
  });

  it('RandomMask passes an image through, refuses a vector, trains only and checks its bounds', () => {
    expect(randomMaskBlock.outputShape([28, 28, 1], randomMaskBlock.defaults)).toEqual({ ok: true, shape: [28, 28, 1] });
    expect(randomMaskBlock.outputShape([784], randomMaskBlock.defaults)).toMatchObject({ ok: false, error: expect.stringMatching(/expects an image/) });
    expect(randomMaskBlock.paramCount([28, 28, 1], randomMaskBlock.defaults)).toBe(0);
    expect(randomMaskBlock.trainingOnly).toBe(true);
    expect(randomMaskBlock.summary(randomMaskBlock.defaults)).toBe('2 rects · 25%');
    expect(randomMaskBlock.checkParams({ ...randomMaskBlock.defaults, count: 17, size: 0.9, shape: 'stars' as never })).toEqual([
      'Hole shape must be one of rectangles, blotches',
      'Holes per image must be between 1 and 16',
      'Hole size must be between 0.05 and 0.8',
    ]);
    expect(PALETTE.find((g) => g.group === 'Encoder')!.kinds).toContain('RandomMask');
  });
});

describe('teaching text', () => {
  it('every field of every block has a one-line help', () => {
    for (const { kinds } of PALETTE) {
      for (const kind of kinds) {
        for (const field of blockSpec(kind).fields) {
          const where = `${kind}.${field.name}`;
          expect(field.help.trim().length, where).toBeGreaterThan(20);
          expect(field.help.length, where).toBeLessThanOrEqual(160);
          expect(field.help, where).not.toMatch(/\n/);
        }
      }
    }
  });
});
