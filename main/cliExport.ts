/** `bottleneck export`: a trained run's model written for another tool (ONNX, TensorFlow.js, PyTorch). */
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, type ExportFormat } from '../core/api';
import { ExportRefused } from './backend/runExport';
import { FORMAT_NAMES } from './backend/export/exportModel';
import { UsageError } from './cliErrors';
import { checkpointOption, withBackend } from './cliExplore';

export const EXPORT_USAGE = `  bottleneck export RUN_ID --format onnx|tfjs|pytorch --out DIR [--checkpoint best|last]
                                                 the run's model for another tool, into a new or empty
                                                 folder: onnx (autoencoder, encoder and decoder .onnx),
                                                 tfjs (three Layers models), pytorch (model.py, weights,
                                                 train.py that continues training, with torchrun too)`;

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { format: { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'string' } } });
  const [runId, ...extra] = positionals;
  if (!runId) throw new UsageError('export needs a run id (see "bottleneck runs")');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const format = values.format as ExportFormat | undefined;
  if (!format || !EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be ${EXPORT_FORMATS.join(', ')}${values.format === undefined ? '' : `, got "${values.format}"`}`);
  if (!values.out) throw new UsageError('export needs --out DIR (a new or empty folder)');
  const checkpoint = checkpointOption(values.checkpoint);
  return withBackend(async (backend) => {
    try {
      const result = await backend.invoke('model:export', { runId, checkpoint, format, path: values.out! });
      console.log(`exported run ${runId} (${result.checkpoint} checkpoint, epoch ${result.epoch}) as ${FORMAT_NAMES[format]} to ${result.dir}:`);
      for (const f of result.files) console.log(`  ${f}`);
      return 0;
    } catch (err) {
      if (err instanceof ExportRefused) throw new UsageError(err.message);
      throw err;
    }
  });
}
