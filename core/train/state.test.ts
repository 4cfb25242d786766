import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from '../compile/compile';
import { samplingLayers } from '../compile/sampling';
import { buildTemplate } from '../templates';
import { captureSampling, restoreSampling } from './state';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('the noise state of a checkpoint', () => {
  it('puts a VAE sampling layer where the checkpoint says, or at the step count for an older checkpoint', () => {
    const compiled = compileGraph(buildTemplate('variational', { height: 8, width: 8, channels: 1 }), 1);
    try {
      const [layer] = samplingLayers(compiled.trainModel);
      expect(captureSampling(compiled)).toEqual([{ name: layer!.name, calls: 0 }]);
      restoreSampling(compiled, [{ name: layer!.name, calls: 37 }], 12);
      expect(layer!.calls).toBe(37);
      restoreSampling(compiled, undefined, 12);
      expect(layer!.calls).toBe(12);
      expect(() => restoreSampling(compiled, [{ name: 'other-sample', calls: 3 }], 12)).toThrow(`the checkpoint has no noise state for ${layer!.name}: was the graph changed?`);
    } finally {
      compiled.dispose();
    }
  });
});
