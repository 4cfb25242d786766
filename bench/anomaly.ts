/**
 * `node --import tsx bench/anomaly.ts [--epochs 10] [--train 10000]`: anomaly detection by
 * reconstruction error on the built-in Fashion-MNIST (issue 16), the undercomplete template.
 *  - Each of the 10 classes held out of training in turn (the Data option "train on chosen classes"):
 *    the ROC AUC of that class against the other nine on the 1,000 validation images (model:score).
 *  - A model trained on every class: the AUC of uniform noise and of inverted validation images
 *    (200 each, scored as an image folder) against the validation images.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageSize } from '../core/data/dataset';
import { builtinDatasetId, folderDatasetId } from '../core/data/datasetId';
import type { GraphDoc } from '../core/graph/types';
import { rocAuc } from '../core/score';
import { buildTemplate } from '../core/templates';
import { BUILTIN_FASHION_MNIST, loadDataset } from '../main/backend/datasets';
import { BottleneckBackend } from '../main/backend/service';
import { unlikeImages, writePngFolder } from '../main/backend/testImages';
import { trainToEnd } from '../main/backend/trainToEnd';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '10' }, train: { type: 'string' } } });
const epochs = Number(values.epochs);
const train = values.train === undefined ? undefined : Number(values.train);

process.env.BOTTLENECK_HOME ??= mkdtempSync(join(tmpdir(), 'bench-anomaly-'));
const backend = new BottleneckBackend({ shell: 'cli', runsRoot: join(process.env.BOTTLENECK_HOME, 'runs') });
const data = loadDataset(BUILTIN_FASHION_MNIST);
const classes = data.classNames.map((_, c) => c);

async function trained(datasetId: string): Promise<{ runId: string; seconds: number }> {
  const graph: GraphDoc = buildTemplate('undercomplete');
  graph.training = { ...graph.training, epochs, seed: 1 };
  const started = performance.now();
  const runId = await trainToEnd(backend, graph, datasetId);
  return { runId, seconds: (performance.now() - started) / 1000 };
}

const started = performance.now();
const subset = train === undefined ? {} : { train };
console.log(`undercomplete, ${epochs} epochs on ${train ?? data.train.count} training images of the kept classes; AUC on ${data.validation.count} validation images`);
console.log('| held out | class | AUC | mean error held out | mean error rest | training |');
console.log('|---|---|---|---|---|---|');
const aucs: number[] = [];
for (const c of classes) {
  const { runId, seconds } = await trained(builtinDatasetId('fashion-mnist', subset, classes.filter((k) => k !== c)));
  const score = await backend.invoke('model:score', { runId, extremes: 0 });
  const mean = (held: boolean) => {
    const errors = score.errors.filter((_, i) => (score.labels[i] === c) === held);
    return errors.reduce((s, v) => s + v, 0) / errors.length;
  };
  aucs.push(score.roc!.auc);
  console.log(`| ${c} | ${data.classNames[c]} | ${score.roc!.auc.toFixed(3)} | ${mean(true).toFixed(4)} | ${mean(false).toFixed(4)} | ${seconds.toFixed(0)} s |`);
}
console.log(`mean AUC ${(aucs.reduce((s, v) => s + v, 0) / aucs.length).toFixed(3)}`);

// Every class trained: images unlike the data against the validation images.
const { runId } = await trained(builtinDatasetId('fashion-mnist', subset));
const size = imageSize(data);
const folder = mkdtempSync(join(tmpdir(), 'bench-anomaly-unlike-'));
await writePngFolder(folder, unlikeImages(data.validation, size, 200), 28, 28, 1);
const validation = await backend.invoke('model:score', { runId, extremes: 0 });
const unlike = await backend.invoke('model:score', { runId, extremes: 0, datasetId: folderDatasetId(folder, { height: 28, width: 28, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'white' }) });
for (const name of ['noise', 'inverted']) {
  const label = unlike.classNames.indexOf(name);
  const errors = unlike.errors.filter((_, i) => unlike.labels[i] === label);
  const auc = rocAuc([...errors, ...validation.errors], [...errors.map(() => true), ...validation.errors.map(() => false)]);
  console.log(`${name} (${errors.length} images) against the validation images: AUC ${auc.toFixed(4)}`);
}
console.log(`total ${((performance.now() - started) / 60_000).toFixed(1)} min`);
await backend.dispose();
