import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from '../compile/compile';
import { noiseLayers } from '../compile/noise';
import { buildTemplate } from '../templates';
import { captureNoise, restoreNoise } from './state';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('the noise state of a checkpoint', () => {
  it('puts a VAE sampling layer where the checkpoint says, or at the step count for an older checkpoint', () => {
    const compiled = compileGraph(buildTemplate('variational', { height: 8, width: 8, channels: 1 }), 1);
    try {
      const [layer] = noiseLayers(compiled.trainModel);
      expect(captureNoise(compiled)).toEqual([{ name: layer!.name, calls: 0 }]);
      restoreNoise(compiled, [{ name: layer!.name, calls: 37 }], 12);
      expect(layer!.calls).toBe(37);
      restoreNoise(compiled, undefined, 12);
      expect(layer!.calls).toBe(12);
      expect(() => restoreNoise(compiled, [{ name: 'other-sample', calls: 3 }], 12)).toThrow('the checkpoint has noise state for other-sample, which the graph does not have: was the graph changed?');
    } finally {
      compiled.dispose();
    }
  });
});
