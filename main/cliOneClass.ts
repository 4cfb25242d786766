/**
 * `bottleneck one-class`: the one-class anomaly study as an experiment, one run per normal class (and
 * seed) trained on that class alone, then each run scored on the validation split of every class and
 * the per-class ROC AUC table printed (and kept in the experiment's oneClass.json).
 */
import { TRAINING_BOUNDS } from '../core/graph/trainingBounds';
import { excerpt } from '../core/limits';
import { BUILTIN_FASHION_MNIST } from './backend/datasets';
import { BottleneckBackend } from './backend/service';
import { noMoreArguments, parseCommandArgs } from './cliArgs';
import { UsageError } from './cliErrors';
import { startExperiment, sweepRequest, wholeNumber, type LoadGraph } from './cliSweep';

/** More seeds than this is a typo (each seed trains one run per class). */
const MAX_SEEDS = 20;

export async function oneClass(args: string[], loadGraph: LoadGraph): Promise<number> {
  const { values, positionals } = parseCommandArgs('one-class', args, {
    template: { type: 'string' },
    graph: { type: 'string' },
    data: { type: 'string', default: BUILTIN_FASHION_MNIST },
    classes: { type: 'string' },
    seeds: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  noMoreArguments('one-class', positionals);
  const seeds = wholeNumber('seeds', values.seeds, 1, MAX_SEEDS) ?? 1;
  if (values.classes?.includes('+')) throw new UsageError(`--classes lists the normal classes, one run each (e.g. 0,1,2 or T-shirt/top,Trouser), got "${excerpt(values.classes)}"`);
  const batchSize = wholeNumber('batch-size', values['batch-size'], TRAINING_BOUNDS.batchSize.min, TRAINING_BOUNDS.batchSize.max);
  const { request, classNames } = await sweepRequest(values, loadGraph);
  // A class alone is a tenth of the data: a smaller batch gives its epochs more steps.
  if (batchSize !== undefined) request.graph = { ...request.graph, training: { ...request.graph.training, batchSize } };
  const classes = values.classes ?? classNames?.map((_, c) => c).join(',');
  if (classes === undefined) throw new UsageError(`--classes is needed: the classes of ${excerpt(values.data!)} are not known before it is read`);
  request.vary = [
    { setting: 'data.classes', values: classes },
    { setting: 'training.seed', values: Array.from({ length: seeds }, (_, k) => k + 1).join(',') },
  ];
  request.name ??= `One-class study${values.template ? ` of ${values.template}` : ''}, ${seeds} seed${seeds === 1 ? '' : 's'}`;
  const backend = new BottleneckBackend({ shell: 'cli' });
  try {
    return await startExperiment(backend, request, values.json);
  } finally {
    await backend.dispose();
  }
}
