/** The PyTorch project's README.md: what each file is, how to use the model and continue training, what differs from the app. */
import { describeDatasetId, parseDatasetId } from '../../../core/data/datasetId';
import { backgroundNote, colourName, decodedChannels, type Preprocessing } from '../../../core/data/preprocessing';
import { MAX_IMAGE_PIXELS } from '../../../core/limits';
import { describeAugmentation, isAugmenting } from '../../../core/train/augment';
import type { PytorchProjectInput } from './pytorch';
import type { ModelSource } from './pytorchModules';

/** The project's README; `folderRead` is how train.py reads a folder of images given to it. */
export function pytorchReadme(input: PytorchProjectInput, model: ModelSource, folderRead: Preprocessing, withOptimizer: boolean): string {
  const t = input.doc.training;
  const ref = parseDatasetId(input.datasetId);
  const builtin = ref.kind === 'builtin';
  const data = builtin ? 'builtin' : shellQuote(ref.path);
  const [height, width] = model.inputShape as [number, number, number];
  return `# ${input.doc.name}: PyTorch project

Exported by Bottleneck from run **${input.runName}** (\`${input.runId}\`) after epoch ${input.epoch}, trained on ${describeDatasetId(input.datasetId)}
(its id is in \`config.json\`).

| file | what |
| --- | --- |
| \`model.py\` | the graph as \`nn.Module\`s: \`Encoder\`, \`Decoder\`, \`Autoencoder\`; \`load_app_weights\`, \`app_weights\` |
| \`bottleneck_torch.py\` | what every exported model shares: TensorFlow's padding, the training-only blocks, the weight conversion |
| \`weights.npz\` | the run's weights by the app's names, in the app's layout |
${withOptimizer ? '| `optimizer.npz` | the optimizer\'s state (slots by weight name, and `iter`), loaded by train.py |\n' : ''}| \`config.json\` | the dataset id, training settings (${t.optimizer}, learning rate ${t.learningRate}, batch ${t.batchSize}, seed ${t.seed}), loss, epoch reached |
| \`train.py\` | continues training, on one process or many |
${builtin ? '| `data/` | the built-in Fashion-MNIST (10,000 training and 1,000 validation images, IDX gzip) |\n' : ''}
\`\`\`sh
pip install -r requirements.txt
\`\`\`

## Use the model

\`\`\`python
import torch, model
ae = model.load_app_weights(model.Autoencoder()).eval()
x = torch.rand(16, ${model.inputShape.join(', ')})   # images (N, H, W, C), float32 in [0, 1], as the app reads them (bytes / 255)
reconstruction = ae(x)           # (N, ${model.inputShape.join(', ')})
code = ae.encode(x)              # (N, ${model.codeSize})${model.variational ? ': the mean μ; ae.encoder(x) gives (μ, log σ²)' : ''}
images = ae.decoder(code)
\`\`\`

Inputs and outputs are NHWC like the app's; the convolutions run in NCHW inside, and Flatten and
Reshape work in NHWC order so the app's Dense weights fit as they are. \`model.app_weights(ae)\`
gives the weights back in the app's names and layout.

## Continue training

One process:

\`\`\`sh
python train.py --data ${data} --epochs 5
\`\`\`

Several processes on one machine (DistributedDataParallel; NCCL when CUDA is available, else Gloo):

\`\`\`sh
torchrun --nproc_per_node=4 train.py --data ${data} --epochs 5
\`\`\`

Several machines (run on each, with its own \`--node_rank\` where the rendezvous needs it):

\`\`\`sh
torchrun --nnodes=2 --nproc_per_node=4 --rdzv-backend=c10d --rdzv-endpoint=HOST:29500 train.py --data ${data} --epochs 5
\`\`\`

With PyTorch 1.13 on Python 3.11 or later, torchrun fails at start (\`'NoneType' object has no attribute 'get'\`):
add \`--redirects 1 --tee 1\` before \`train.py\` (later PyTorch releases have no such trouble).

\`--epochs\` counts the epochs to train from here (default: the rest of the run's ${t.epochs}, or ${t.epochs} more when it had finished).
${
  builtin
    ? `\`--data builtin\` reads \`data/\`; a folder holding the four Fashion-MNIST \`*.idx.gz\` files works too, and so does a folder of
images (subfolders are the classes), read as the app reads one for this model: ${height}×${width} ${colourName(decodedChannels(folderRead))}, cover,
${backgroundNote(folderRead.background)}, 10 % of each class held out for validation.`
    : `\`--data\` is the image folder (subfolders are the classes; the run's own by default), read as the app read it:
${height}×${width} ${colourName(decodedChannels(folderRead))}, ${folderRead.fit}, ${backgroundNote(folderRead.background)}.`
} Images of more than ${MAX_IMAGE_PIXELS / 1e6} megapixels are skipped (as the app skips them), and every skipped file is listed.
Training starts from \`weights.npz\`${withOptimizer ? ' and `optimizer.npz`' : ''} at epoch ${input.epoch} and counts on from there. The batch of
${t.batchSize} images is the **global** batch: each of N processes takes ${t.batchSize}/N of it. Rank 0 writes
\`metrics.csv\` (epoch, loss, val_loss and each term: recon_loss, sparsity_loss, kl_loss, with val_ for
validation) and \`checkpoints/epoch-N.pt\` (model, optimizer, epoch, step) plus \`checkpoints/epoch-N.npz\`
(the weights in the app's names and layout). \`--resume checkpoints/epoch-N.pt\` continues from one.
\`--device cpu|cuda\` picks the device; \`--out DIR\` where to write.

## What is the same as in the app, and what is not

The same: the layers and their weights (the forward pass matches the app's to float32 rounding),
TensorFlow's asymmetric 'same' padding and transposed-convolution sizes, BatchNorm (epsilon 1e-3,
momentum 0.99 as tfjs counts it), the loss terms (binary cross-entropy clipped at 1e-7 or MSE, mean per
value; L1 or KL sparsity on the code and the VAE's KL, each divided by the image's ${model.loss.inputSize} values; the
VAE's β with its linear warm-up by global step), the optimizer (Adam β 0.9/0.999, ε 1e-7 as tfjs, with its
state; SGD with momentum; RMSprop as tfjs computes it, ε inside the square root), the learning-rate
schedule and its warm-up by global step, decoupled weight decay (each step shrinks the weights by
learning rate × weight decay before the optimizer's step, for every optimizer, as AdamW), the order of the
training images (the app's seeded shuffle, epoch by epoch, replayed from epoch 1) and so the global
batches, and the validation loss (every validation image, in batches of 256, in eval mode, with the
current KL weight).

Not the same: data augmentation (flips, shifts, rotations, brightness) is the app's alone: train.py
trains on the images as they are${isAugmenting(t.augmentation) ? ` (this run augmented its images, ${describeAugmentation(t.augmentation)}: add torchvision transforms to match)` : ''}; the random numbers of Dropout, GaussianNoise, RandomMask and the VAE's sampling
(PyTorch's generators, not the app's streams); the floating-point order of operations (so two runs
drift apart slowly); with several processes, BatchNorm's batch statistics and the KL sparsity's mean
activation are taken per process, and a last batch that does not split evenly is weighted by its
rows; BatchNorm's moving variance (PyTorch updates it with the unbiased variance)${builtin ? '' : '; and image folders:\nPIL resizes (Lanczos) and converts to grayscale differently from sharp, so pixels differ slightly, and\nfiles are listed in code-point order where the app uses locale order (names differing only in case\nor accents may be ordered, and so split, differently)'}.
`;
}

/** A path as one shell word: quoted when it holds anything a shell would read. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
