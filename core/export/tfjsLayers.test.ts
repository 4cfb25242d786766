import { describe, expect, it } from 'vitest';
import { initialParams } from '../compile/init';
import { planModel } from '../compile/plan';
import { buildTemplate } from '../templates';
import { ExportError, meanLayerName } from './deployment';
import { exportTfjsLayers } from './tfjsLayers';

interface Manifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

describe('exportTfjsLayers', () => {
  it("writes each model's weights.bin as the checkpoint's tensors, little-endian float32, in manifest order", () => {
    const doc = buildTemplate('variational');
    const weights = initialParams(planModel(doc).params, 3).map((t, i) => ({ ...t, data: t.data.map((v, j) => v + i + j / 1024) }));
    const byName = new Map(weights.map((w) => [w.name, w]));
    const vae = doc.nodes.find((n) => n.kind === 'VariationalBottleneck')!.id;
    for (const model of Object.values(exportTfjsLayers(doc, weights))) {
      const manifest = (JSON.parse(model.modelJson) as Manifest).weightsManifest[0]!;
      const view = new DataView(model.weightsBin.buffer, model.weightsBin.byteOffset, model.weightsBin.byteLength);
      let offset = 0;
      for (const spec of manifest.weights) {
        const saved = byName.get(spec.name)!;
        expect(saved, spec.name).toBeDefined();
        expect([spec.shape, spec.dtype]).toEqual([saved.shape, 'float32']);
        const firstDifferent = saved.data.findIndex((v, i) => view.getFloat32(offset + i * 4, true) !== v);
        expect(firstDifferent, spec.name).toBe(-1);
        offset += saved.data.length * 4;
      }
      expect(offset).toBe(model.weightsBin.byteLength);
      // A VAE's code is its mean: the log-variance head stays behind.
      expect(manifest.weights.some((w) => w.name.startsWith(`${vae}-logvar/`))).toBe(false);
    }
    const encoder = JSON.parse(exportTfjsLayers(doc, weights).encoder.modelJson) as Manifest;
    expect(encoder.weightsManifest[0]!.weights.at(-1)!.name).toBe(`${meanLayerName(vae)}/bias`);
  });

  it('refuses an invalid graph, naming the node', () => {
    const doc = buildTemplate('convolutional');
    const conv = doc.nodes.find((n) => n.kind === 'Conv2D')!;
    conv.params = { ...conv.params, kernelSize: 40, padding: 'valid' };
    expect(() => exportTfjsLayers(doc, [])).toThrow(ExportError);
    expect(() => exportTfjsLayers(doc, [])).toThrow(new RegExp(`node "${conv.id}"`));
  });
});
