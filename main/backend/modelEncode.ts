/** Every image of a dataset (a split, or both) encoded by a loaded model, for `bottleneck encode`. */
import { imageAt, imageSize } from '../../core/data/dataset';
import { loadAnyDataset } from './datasets';
import { ModelError, type EncodedDataset, type EncodeSplit } from './modelProtocol';
import type { LoadedModel, Progress } from './models';
import { BATCH, encode, yieldToMessages } from './modelTensors';


export async function encodeDataset(m: LoadedModel, datasetId: string, split: EncodeSplit, progress: Progress): Promise<EncodedDataset> {
  let loaded;
  try {
    loaded = await loadAnyDataset(datasetId, { onProgress: (p) => progress(p.phase, p.done, p.total) });
  } catch (err) {
    throw new ModelError((err as Error).message, 'bad-request');
  }
  const { dataset } = loaded;
  if (dataset.height !== m.height || dataset.width !== m.width || dataset.channels !== m.channels) {
    throw new ModelError(`the images are ${dataset.height}×${dataset.width}×${dataset.channels}; the model of run ${m.source.runId} takes ${m.height}×${m.width}×${m.channels}`, 'bad-request');
  }
  const size = imageSize(dataset);
  const parts = (split === 'all' ? (['train', 'validation'] as const) : [split]).map((name) => ({ name, split: dataset[name], files: loaded.files?.[name] ?? null }));
  const count = parts.reduce((s, p) => s + p.split.count, 0);
  const codes = new Float32Array(count * m.codeSize);
  const out: EncodedDataset = { codeSize: m.codeSize, count, codes, split: [], index: new Int32Array(count), labels: new Uint8Array(count), classNames: dataset.classNames, files: loaded.files ? [] : null };
  let row = 0;
  for (const part of parts) {
    for (let from = 0; from < part.split.count; from += BATCH) {
      const n = Math.min(BATCH, part.split.count - from);
      const x = new Float32Array(n * size);
      for (let i = 0; i < n; i++) {
        const bytes = imageAt(part.split, size, from + i);
        for (let k = 0; k < size; k++) x[i * size + k] = bytes[k]! / 255;
        out.split.push(part.name);
        out.index[row + i] = from + i;
        out.labels[row + i] = part.split.labels[from + i]!;
        out.files?.push(part.files?.[from + i] ?? '');
      }
      codes.set(await encode(m, x, n), row * m.codeSize);
      row += n;
      progress('encoding', row, count);
      await yieldToMessages();
    }
  }
  return out;
}
