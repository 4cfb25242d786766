/**
 * Exporting a trained run's model to another tool: ONNX, TensorFlow.js or a PyTorch project.
 * Nothing is written half-way (the files go to a hidden sibling folder renamed into place at the
 * end) and a folder that already holds files is never written into.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { CheckpointChoice, ExportFormat } from '../../../core/api';
import { ApiError } from '../../../core/apiChannels';
import { ExportError } from '../../../core/export/deployment';
import { exportFolderName } from '../../../core/export/folderName';
import { readRunGraph } from '../runs/runGraph';
import type { GraphDoc } from '../../../core/graph/types';
import { excerpt } from '../../../core/limits';
import type { TrainingState } from '../../../core/train/state';
import { makeDirs } from '../atomicFile';
import { hasCheckpoint, readCheckpoint, unreadableCheckpoint } from '../checkpoints';
import { checkTarget, writeStagedFolder } from '../stagedFolder';
import { ExportRefused } from '../runExport';
import type { ExportedFile } from './files';

export interface ExportSource {
  runId: string;
  runDir: string;
  runName: string;
  datasetId: string;
}

/** What an exporter is given: the run's graph and the chosen checkpoint. */
export interface ExportInput extends ExportSource {
  doc: GraphDoc;
  state: TrainingState;
  checkpoint: CheckpointChoice;
}

type Exporter = (input: ExportInput) => Promise<ExportedFile[]>;

// Each exporter (ONNX's with protobufjs) loads when first used, not when the service starts.
const EXPORTERS: Record<ExportFormat, Exporter> = {
  onnx: async ({ doc, state }) => {
    const { exportOnnx } = await import('../../../core/export/onnx');
    const models = exportOnnx(doc, state.weights);
    return [
      { path: 'autoencoder.onnx', data: models.autoencoder },
      { path: 'encoder.onnx', data: models.encoder },
      { path: 'decoder.onnx', data: models.decoder },
      { path: 'README.md', data: onnxReadme(doc) },
    ];
  },
  tfjs: async ({ doc, state }) => {
    const { tfjsFiles } = await import('./tfjs');
    return [...tfjsFiles(doc, state.weights), { path: 'README.md', data: tfjsReadme(doc) }];
  },
  pytorch: async ({ doc, state, datasetId, runId, runName }) => (await import('./pytorch')).pytorchProject({ doc, weights: state.weights, optimizer: state.optimizer, epoch: state.epoch, datasetId, runId, runName }),
};

/** The run's graph and checkpoint, or an ExportRefused saying why there is nothing to export. */
function readInput(source: ExportSource, checkpoint: CheckpointChoice): ExportInput {
  if (!hasCheckpoint(source.runDir, checkpoint) && !hasCheckpoint(source.runDir, 'last')) throw new ExportRefused(`run ${source.runId} has no checkpoint yet: it has not finished an epoch`);
  let doc: GraphDoc;
  try {
    doc = readRunGraph(source.runDir);
  } catch (err) {
    throw new ExportRefused(`run ${source.runId}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'graph.json is missing' : (err as Error).message}`);
  }
  // A run that never improved on its first epoch still has a last checkpoint.
  const kind = hasCheckpoint(source.runDir, checkpoint) ? checkpoint : 'last';
  let state: TrainingState;
  try {
    state = readCheckpoint(source.runDir, kind);
  } catch (err) {
    throw new Error(unreadableCheckpoint(source.runId, kind, err), { cause: err });
  }
  return { ...source, doc, state, checkpoint: kind };
}

/** The exporter's files written into `dir` whole (see stagedFolder). */
function writeAll(dir: string, files: ExportedFile[]): void {
  writeStagedFolder(dir, (staging) => {
    for (const f of files) {
      const path = join(staging, f.path);
      makeDirs(dirname(path));
      writeFileSync(path, f.data);
    }
  });
}

/**
 * Exports the model of a run in `format` into `out` (new or empty). Returns the folder and its
 * files (relative paths). Refusals (no checkpoint, a block a format cannot express, a folder in use)
 * throw ExportRefused with the reason.
 */
export async function exportModel(source: ExportSource, format: ExportFormat, checkpoint: CheckpointChoice, out: string, signal?: AbortSignal): Promise<{ dir: string; files: string[]; checkpoint: CheckpointChoice; epoch: number }> {
  // A relative path would land wherever the server happens to run; "~" is not expanded here.
  if (!isAbsolute(out)) throw new ExportRefused(`the export folder must be a full path (from / or a drive), got "${excerpt(out, 200)}"`);
  const dir = resolve(out);
  // Only the export folder itself is made, never missing folders above it.
  if (!existsSync(dirname(dir))) throw new ExportRefused(`${dirname(dir)} does not exist: choose a folder inside one that does`);
  checkTarget(dir);
  const input = readInput(source, checkpoint);
  let files: ExportedFile[];
  try {
    files = await EXPORTERS[format](input);
  } catch (err) {
    if (err instanceof ExportError) throw new ExportRefused(`cannot export run ${source.runId} as ${FORMAT_NAMES[format]}: ${err.message}`);
    throw err;
  }
  // Cancelled while the files were made: they are dropped before anything is written.
  if (signal?.aborted) throw new ApiError(`the export of run ${source.runId} as ${FORMAT_NAMES[format]} was cancelled: nothing was written`, 'cancelled');
  writeAll(dir, files);
  return { dir, files: files.map((f) => f.path).sort(), checkpoint: input.checkpoint, epoch: input.state.epoch };
}

export const FORMAT_NAMES: Record<ExportFormat, string> = { onnx: 'ONNX', tfjs: 'TensorFlow.js', pytorch: 'a PyTorch project' };

/** A folder name for an export that does not exist yet under `parent`: "<run name>-<format>", then -2, -3… */
export function freeExportDir(parent: string, runName: string, format: ExportFormat): string {
  const stem = exportFolderName(runName, format);
  for (let i = 1; ; i++) {
    const dir = join(parent, i === 1 ? stem : `${stem}-${i}`);
    if (!existsSync(dir)) return dir;
  }
}

function shapeText(shape: readonly number[]): string {
  return `[N, ${shape.join(', ')}]`;
}

function imageShape(doc: GraphDoc): number[] {
  const input = doc.nodes.find((n) => n.kind === 'Input')!.params as { height: number; width: number; channels: number };
  return [input.height, input.width, input.channels];
}

const LAYOUT = `Images are float32 in [0, 1], height × width × channels (NHWC), N images at a time. Blocks that only
act while training (Dropout, GaussianNoise, RandomMask) are left out; a VAE's code is its mean.`;

function onnxReadme(doc: GraphDoc): string {
  const image = imageShape(doc);
  return `# ${doc.name}: ONNX

Three ONNX models (IR 8, opset 17), the batch dimension \`N\` dynamic:

| file | input | output |
| --- | --- | --- |
| \`autoencoder.onnx\` | \`image\` ${shapeText(image)} | \`reconstruction\` ${shapeText(image)} |
| \`encoder.onnx\` | \`image\` ${shapeText(image)} | \`code\` [N, code size] (a VAE's mean) |
| \`decoder.onnx\` | \`code\` [N, code size] | \`reconstruction\` ${shapeText(image)} |

${LAYOUT}

\`\`\`python
import onnxruntime as ort
session = ort.InferenceSession("autoencoder.onnx")
reconstruction, = session.run(None, {"image": images})  # images: float32 [N, H, W, C]
\`\`\`
`;
}

function tfjsReadme(doc: GraphDoc): string {
  const image = imageShape(doc);
  return `# ${doc.name}: TensorFlow.js

Three tfjs Layers models, each a \`model.json\` with its \`weights.bin\`:

| folder | input | output |
| --- | --- | --- |
| \`autoencoder/\` | \`image\` ${shapeText(image)} | the reconstruction ${shapeText(image)} |
| \`encoder/\` | \`image\` ${shapeText(image)} | the code (a VAE's mean) |
| \`decoder/\` | \`code\` | the reconstruction ${shapeText(image)} |

${LAYOUT}

## In Node

With \`npm install @tensorflow/tfjs\` alone (no native add-on), read the two files and hand them to
\`tf.loadLayersModel\`; run this next to the exported folders:

\`\`\`js
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';

async function loadFromFolder(folder) {
  const json = JSON.parse(await readFile(\`\${folder}/model.json\`, 'utf8'));
  const weights = await readFile(\`\${folder}/weights.bin\`);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
}

const model = await loadFromFolder('autoencoder');
const images = tf.zeros([1, ${image.join(', ')}]); // your images: float32 in [0, 1]
const reconstruction = model.predict(images);
console.log(reconstruction.shape);
\`\`\`

\`file://\` URLs need \`@tensorflow/tfjs-node\`: with it installed (and imported instead of
\`@tensorflow/tfjs\`), \`tf.loadLayersModel('file://autoencoder/model.json')\` works too.

## In the browser

Serve the folders with your page (any web server) and load by URL; \`weights.bin\` is fetched from
beside \`model.json\`:

\`\`\`js
const model = await tf.loadLayersModel('models/autoencoder/model.json');
\`\`\`

Or let the user pick both files (\`<input type="file" multiple>\`):

\`\`\`js
const [modelJson, weightsBin] = [...input.files].sort((a, b) => (a.name === 'model.json' ? -1 : 1));
const model = await tf.loadLayersModel(tf.io.browserFiles([modelJson, weightsBin]));
\`\`\`
`;
}
