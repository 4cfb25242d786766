/** What `bottleneck help [COMMAND]` and `bottleneck COMMAND --help` print: one text per command, and the overview. */
import { BACKGROUNDS, FIT_MODES } from '../core/data/preprocessing';
import { MAX_IMAGE_PIXELS } from '../core/limits';
import { TEMPLATE_NAMES } from '../core/templates';
import { PROVIDER_NAMES } from './backend/engine/providers';

const RUN_ID = 'RUN_ID is a run\'s id (see "bottleneck runs"), or any part of its start or end that only one run has ("rpqa").';

const COMMANDS = {
  train: {
    summary: 'train a model headless, or continue a run',
    text: `usage:
  bottleneck train [--template NAME | --graph FILE] [--data builtin:fashion-mnist | --data DIR] [--epochs N]
                   [--batch-size N] [--learning-rate X] [--optimizer adam|sgd|rmsprop] [--seed N]
                   [--weight-decay X] [--schedule constant|step|cosine] [--warmup N]
                   [--patience N] [--classes 0,1,2 | --exclude 3] [--backend NAME] [--json]
  bottleneck train --resume RUN_ID [--epochs N] [--backend NAME] [--json]

  --template NAME       ${TEMPLATE_NAMES.join(', ')} (default undercomplete)
  --graph FILE          a *.bottleneck.json graph file
  --data                builtin:fashion-mnist (default), 'builtin:fashion-mnist?train=2000&validation=500'
                        for the first images only, or a folder of images (each subfolder a class)
  --epochs N            1 to 10,000;  --batch-size N  1 to 65,536;  --learning-rate X  above 0, at most 1,000
  --optimizer           adam, sgd or rmsprop;  --seed N  0 to 2,147,483,647;  --patience N  0 to 1,000
  --weight-decay X      decoupled (AdamW's rule, for every optimizer), 0 to 1 (default 0)
  --schedule KIND       the learning rate's schedule: constant (default), step or cosine, with the
                        graph's other schedule settings;  --warmup N  linear warm-up epochs, 0 to 1,000
  --classes, --exclude  train on those classes only, or on all but those (numbers or names); the
                        validation split keeps every class, so "bottleneck score" ranks a held-out one
  --backend NAME        ${PROVIDER_NAMES.join(', ')} (default: the fastest found;
                        webgpu is chosen on a real GPU only, and accepts a software one when named)
  --resume RUN_ID       continue a stopped, interrupted or failed run from its last checkpoint; with
                        --epochs N, train any run (a finished one too) on to N epochs in all
  --json                one event per line (run-started, batch-end, epoch-end, run-finished)
  image folders:
  --size HxW            1x1 to 512x512 (default: the most common size, scaled to fit 64×64)
  --channels 1|3        grayscale or RGB (default: grayscale when every image is)
  --fit                 ${FIT_MODES.join(', ')} (default cover: crop; contain pads, fill stretches)
  --background          what transparent pixels become: ${BACKGROUNDS.join(', ')} (default white; alpha keeps them
                        as a last channel)
  --validation-split X  the share of each class held out, above 0 and below 0.9 (default 0.1)
  Images over ${MAX_IMAGE_PIXELS / 1e6} megapixels and files that cannot be decoded are skipped and listed.

${RUN_ID}
Exits 0 when the run finishes, 2 on a bad argument or graph file, 130 when stopped (Ctrl+C), 1 otherwise.`,
  },
  runs: {
    summary: 'list runs, show one, or copy one\'s files',
    text: `usage:
  bottleneck runs [--json]                       list runs (★ starred, their tags; damaged folders with the reason)
  bottleneck runs show RUN_ID [--json]           a run's settings, note and tags, and its metrics per epoch
  bottleneck runs export RUN_ID --out DIR        copy run.json, graph.json, notes.json, metrics (JSONL and CSV),
                                                 latent/ and samples/ into DIR (a new or empty folder)
  bottleneck runs --experiment ID [--json]       an experiment's runs: its varied settings, best val loss and
                                                 its epoch, final loss terms, time and parameters (see sweep);
                                                 for a one-class study, its per-class AUC table too

${RUN_ID}
Runs are stored under $BOTTLENECK_HOME/runs (default: the app's user-data folder).`,
  },
  sweep: {
    summary: 'train a run per value of one or more settings (an experiment), then print their results',
    text: `usage:
  bottleneck sweep [--template NAME | --graph FILE] --vary SETTING=VALUES [--vary …] [--random N [--seed S]]
                   [--epochs N] [--data builtin:fashion-mnist | --data DIR] [--name TEXT] [--json]
  bottleneck sweep --resume EXPERIMENT_ID [--json]

  SETTING               training.NAME (training.learningRate, training.batchSize, training.optimizer,
                        training.epochs, training.seed, …), data.classes, or BLOCK.PARAMETER where BLOCK is a
                        block's id or kind: bottleneck.units (the code size), variationalbottleneck.beta,
                        bottleneck.rho, gaussiannoise.stddev, dense-3.units
  VALUES                2,4,8 (a list)   0.1..0.5:5 (5 evenly spaced)   1e-4..1e-2:log:5 (5 on a log scale)
                        data.classes: 0,1,2 (a run per class, numbers or names), 0+1,2+3 (two classes per run)
  --random N            N runs drawn at random (ranges may leave out the count: 1e-4..1e-2:log) instead of
                        the whole grid; --seed S makes the draws repeatable (default 0)
  --epochs N            epochs of every run (unless training.epochs is varied)
  --resume ID           carry on an experiment that was stopped or cut off: runs that ended are kept, a run
                        cut off continues from its last finished epoch
  A bad setting or value is refused before anything trains. The run count and a time estimate (from the
  last finished run's time per epoch) come first; the runs train one after another, each a normal run
  (see "bottleneck runs"); Ctrl+C stops the experiment. The results table marks the best run with ★.
  Experiments are stored under $BOTTLENECK_HOME/experiments.
Exits 0 when every run finished, 2 on a bad argument, 130 when stopped (Ctrl+C), 1 otherwise.`,
  },
  'one-class': {
    summary: 'the one-class anomaly study: a run per class trained on it alone, the ROC AUC of the others against it',
    text: `usage:
  bottleneck one-class [--template NAME | --graph FILE] [--seeds N] [--epochs N] [--batch-size N]
                       [--classes 0,1,…] [--data builtin:fashion-mnist | --data DIR] [--name TEXT] [--json]

  An experiment (see "bottleneck sweep") of one run per normal class and seed, each trained on that class
  alone; each run's last checkpoint then scores the validation split of every class by reconstruction
  error, and the ROC AUC of the other classes (anomalous) against its class (normal) is that class's figure.
  Prints the per-class table (the AUC under each seed, mean ± standard deviation over seeds) and the mean
  over classes (± the spread of the seeds' means), and keeps it in the experiment's oneClass.json.
  --seeds N             seeds 1 to N (training.seed), 1 to 20 (default 1)
  --classes LIST        the normal classes, numbers or names (default: every class of the data)
  --epochs N            epochs of every run;  --batch-size N  its batch size (a class alone is a tenth of
                        the data: a smaller batch gives each epoch more steps)
  A stopped or cut-off study carries on with "bottleneck sweep --resume ID"; "bottleneck runs --experiment ID"
  prints its tables again.
Exits 0 when every run finished, 2 on a bad argument, 130 when stopped (Ctrl+C), 1 otherwise.`,
  },
  sample: {
    summary: 'draw new images from a trained model, as a PNG grid',
    text: `usage:
  bottleneck sample RUN_ID [--n 64] [--seed S] [--temperature T] [--scale N] [--checkpoint best|last] --out grid.png

  New images: a VAE's from N(0, I), a plain autoencoder's from a Gaussian fitted to its training codes.
  --n N            images, 1 to 256 (default 64), in a square grid
  --seed S         0 to 2,147,483,647 (default 0);  --temperature T  0 to 5 (default 1)
  --scale N        each image N times its size in the PNG, 1 to 32 (default 1: the model's own size)
  --checkpoint     best (default: the lowest validation loss) or last

${RUN_ID}`,
  },
  interpolate: {
    summary: 'decode the path between two images, as a PNG strip',
    text: `usage:
  bottleneck interpolate RUN_ID --from IMG --to IMG [--steps 10] [--path linear|spherical] [--scale N]
                   [--checkpoint best|last] --out strip.png

  IMG is a validation image's index or an image file (resized to the model's input).
  --steps N        images on the path, 2 to 64 (default 10)
  --path           linear or spherical (default: spherical for a VAE, else linear)
  --scale N        each image N times its size in the PNG, 1 to 32 (default 1)

${RUN_ID}`,
  },
  encode: {
    summary: 'write one code per image (CSV or .npy)',
    text: `usage:
  bottleneck encode RUN_ID [--data DIR|builtin:...] [--split all|train|validation] [--checkpoint best|last]
                   --out codes.csv|codes.npy

  One code per image (default data: the run's own): .csv has index, split, file (image folders), label,
  class, z0…; .npy is float32 images × code size, with those columns in codes.labels.csv. A folder is
  read at the model's input size, with the fit and background of the run's own folder.

${RUN_ID}`,
  },
  score: {
    summary: 'rank images by reconstruction error (anomaly detection)',
    text: `usage:
  bottleneck score RUN_ID [--data DIR|builtin:...] [--threshold X] [--checkpoint best|last] --out scores.csv

  Every image ranked by reconstruction error (mean squared per pixel; default data: the run's validation
  split; a folder other than the run's is scored whole). CSV: index, file (image folders), label, class,
  error, anomalous (error > X). Prints each class's mean error, the ROC AUC of classes held out of
  training, how many are over X, and the files of a folder that were skipped, with the reason.

${RUN_ID}`,
  },
  export: {
    summary: 'write a run\'s model for another tool (ONNX, TensorFlow.js, PyTorch)',
    text: `usage:
  bottleneck export RUN_ID --format onnx|tfjs|pytorch --out DIR [--checkpoint best|last]

  Into a new or empty folder: onnx (autoencoder, encoder and decoder .onnx), tfjs (three Layers
  models), pytorch (model.py, weights, train.py that continues training, with torchrun too).

${RUN_ID}`,
  },
  help: {
    summary: 'this overview, or one command\'s options',
    text: 'usage:\n  bottleneck help [COMMAND]\n  bottleneck COMMAND --help',
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** The overview: every command with one line, and where to read more. */
export function overview(version: string): string {
  const width = Math.max(...COMMAND_NAMES.map((c) => c.length));
  return `bottleneck ${version}: design, train and compare autoencoders (this is its command line)

usage: bottleneck COMMAND [options]

${COMMAND_NAMES.map((c) => `  ${c.padEnd(width)}  ${COMMANDS[c].summary}`).join('\n')}

"bottleneck help COMMAND" or "bottleneck COMMAND --help" for its options; "bottleneck --version".
Exit codes: 0 done, 2 a bad argument (one line on stderr), 1 anything else.`;
}

export function commandHelp(command: CommandName): string {
  return COMMANDS[command].text;
}
