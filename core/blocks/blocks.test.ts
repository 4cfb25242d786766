import { describe, expect, it } from 'vitest';
import { bottleneckBlock } from './bottleneck';
import { denseBlock } from './dense';
import { flattenBlock } from './flatten';
import { inputBlock } from './input';
import { outputBlock } from './output';
import { reshapeBlock } from './reshape';

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
    expect(bottleneckBlock.outputShape([128], { latentSize: 32 })).toEqual({ ok: true, shape: [32] });
    expect(bottleneckBlock.paramCount([128], { latentSize: 32 })).toBe(128 * 32 + 32);
  });

  it('Reshape keeps the number of values or says why not', () => {
    expect(reshapeBlock.outputShape([784], { targetShape: [28, 28, 1] })).toEqual({ ok: true, shape: [28, 28, 1] });
    const bad = reshapeBlock.outputShape([780], { targetShape: [28, 28, 1] });
    expect(!bad.ok && bad.error).toBe('cannot reshape 780 (780 values) to 28×28×1 (784 values)');
  });

  it('Output passes the shape through', () => {
    expect(outputBlock.outputShape([28, 28, 1], { loss: 'bce' })).toEqual({ ok: true, shape: [28, 28, 1] });
  });

  it('checks parameter bounds and names the field', () => {
    expect(denseBlock.checkParams({ units: 0, activation: 'relu' })).toEqual(['Units must be between 1 and 65536']);
    expect(denseBlock.checkParams({ units: 2.5, activation: 'relu' })).toEqual(['Units must be a whole number']);
    expect(denseBlock.checkParams({ units: 4, activation: 'swish' as never })[0]).toMatch(/^Activation must be one of/);
    expect(outputBlock.checkParams({ loss: 'l1' as never })[0]).toMatch(/^Reconstruction loss/);
  });
});
