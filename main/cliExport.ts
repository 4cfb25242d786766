/** `bottleneck export`: a trained run's model written for another tool (ONNX, TensorFlow.js, PyTorch). */
import { resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '../core/api';
import { ExportRefused } from './backend/runExport';
import { FORMAT_NAMES } from './backend/export/exportModel';
import { noMoreArguments, parseCommandArgs, resolveRunId } from './cliArgs';
import { UsageError } from './cliErrors';
import { runsDir } from './backend/paths';
import { checkpointOption, withBackend } from './cliExplore';

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('export', args, { format: { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'string' } });
  const [given, ...extra] = positionals;
  if (!given) throw new UsageError('export needs a run id (see "bottleneck runs")');
  noMoreArguments('export', extra);
  const format = values.format as ExportFormat | undefined;
  if (!format || !EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be ${EXPORT_FORMATS.join(', ')}${values.format === undefined ? '' : `, got "${values.format}"`}`);
  if (!values.out) throw new UsageError('export needs --out DIR (a new or empty folder)');
  const checkpoint = checkpointOption(values.checkpoint);
  const runId = resolveRunId(runsDir(), given);
  return withBackend(async (backend) => {
    try {
      // Relative to where the command runs, as any CLI path (the server and the app take full paths only).
      const result = await backend.invoke('model:export', { runId, checkpoint, format, path: resolve(values.out!) });
      console.log(`exported run ${runId} (${result.checkpoint} checkpoint, epoch ${result.epoch}) as ${FORMAT_NAMES[format]} to ${result.dir}:`);
      for (const f of result.files) console.log(`  ${f}`);
      return 0;
    } catch (err) {
      if (err instanceof ExportRefused) throw new UsageError(err.message);
      throw err;
    }
  });
}
