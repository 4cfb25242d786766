import type { BlockKind, GraphDoc } from '../graph/types';
import { chainGraph, undercomplete, type ImageSize } from './undercomplete';

export type { ImageSize } from './undercomplete';

type Block = { kind: BlockKind; params?: Record<string, unknown> };

const pixels = (im: ImageSize) => im.height * im.width * im.channels;

/** The dense decoder tail shared by the dense templates: back to the image's values, then its shape. */
function denseDecoder(im: ImageSize, hidden: number): Block[] {
  return [
    { kind: 'Dense', params: { units: hidden, activation: 'relu' } },
    { kind: 'Dense', params: { units: pixels(im), activation: 'sigmoid' } },
    { kind: 'Reshape', params: { targetShape: [im.height, im.width, im.channels] } },
    { kind: 'Output', params: { loss: 'bce' } },
  ];
}

/** A code larger than the input, kept useful by an L1 activity penalty and dropout. */
export function overcomplete(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  const code = Math.ceil((pixels(im) * 1.25) / 64) * 64;
  return chainGraph('Overcomplete autoencoder', [
    { kind: 'Input', params: { ...im } },
    { kind: 'Flatten' },
    { kind: 'Dropout', params: { rate: 0.1 } },
    { kind: 'Dense', params: { units: 512, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: code, activation: 'relu', sparsity: 'l1', l1Weight: 0.05 } },
    ...denseDecoder(im, 512),
  ]);
}

/** A sigmoid code whose units are pushed to be rarely active (KL sparsity, target ρ = 0.05). */
export function sparse(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  return chainGraph('Sparse autoencoder', [
    { kind: 'Input', params: { ...im } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 256, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 64, activation: 'sigmoid', sparsity: 'kl', rho: 0.05, klWeight: 1 } },
    ...denseDecoder(im, 256),
  ]);
}

/** How many 2× poolings the image allows while the decoder can still land on its exact size. */
function poolings(im: ImageSize): number {
  let n = 0;
  while (n < 2 && im.height % 2 ** (n + 1) === 0 && im.width % 2 ** (n + 1) === 0 && im.height / 2 ** (n + 1) >= 3) n++;
  return n;
}

/** Conv + pool down to a small map, a dense code, and transposed convolutions back up: the blocks after the Input. */
function convolutionalBlocks(im: ImageSize): Block[] {
  const n = poolings(im);
  const filters = [16, 32].slice(0, Math.max(n, 1));
  const h = im.height / 2 ** n;
  const w = im.width / 2 ** n;
  const last = filters[filters.length - 1]!;
  const encoder: Block[] = filters.flatMap((f, i) => [
    { kind: 'Conv2D' as const, params: { filters: f, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' } },
    ...(i < n ? [{ kind: 'MaxPool2D' as const, params: { poolSize: 2, strides: 2, padding: 'valid' } }] : []),
  ]);
  const decoder: Block[] = [...filters].reverse().map((f, i) => ({
    kind: 'Conv2DTranspose' as const,
    params: { filters: f, kernelSize: 3, strides: i < n ? 2 : 1, padding: 'same', activation: 'relu' },
  }));
  return [
    ...encoder,
    { kind: 'Flatten' },
    { kind: 'Bottleneck', params: { latentSize: 32 } },
    { kind: 'Dense', params: { units: h * w * last, activation: 'relu' } },
    { kind: 'Reshape', params: { targetShape: [h, w, last] } },
    ...decoder,
    { kind: 'Conv2D', params: { filters: im.channels, kernelSize: 3, strides: 1, padding: 'same', activation: 'sigmoid' } },
    { kind: 'Output', params: { loss: 'bce' } },
  ];
}

export function convolutional(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  return chainGraph('Convolutional autoencoder', [{ kind: 'Input', params: { ...im } }, ...convolutionalBlocks(im)]);
}

/** The convolutional model behind a RandomMask: holes cut while training, the clean image as target. */
export function inpainting(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  return chainGraph('Inpainting autoencoder', [
    { kind: 'Input', params: { ...im } },
    { kind: 'RandomMask', params: { shape: 'blotches', count: 2, size: 0.3, fill: 'zeros' } },
    ...convolutionalBlocks(im),
  ]);
}

/** Learns to remove Gaussian noise: the input is corrupted while training, the target stays clean. */
export function denoising(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  return chainGraph('Denoising autoencoder', [
    { kind: 'Input', params: { ...im } },
    { kind: 'GaussianNoise', params: { stddev: 0.3 } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 256, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 64 } },
    ...denseDecoder(im, 256),
  ]);
}

/** A VAE: the encoder outputs a Gaussian per image; the decoder learns from samples of it. */
export function variational(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  return chainGraph('Variational autoencoder (VAE)', [
    { kind: 'Input', params: { ...im } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 256, activation: 'relu' } },
    { kind: 'VariationalBottleneck', params: { latentSize: 16, beta: 1, klWarmupEpochs: 1 } },
    ...denseDecoder(im, 256),
  ]);
}

const DEFAULT_IMAGE: ImageSize = { height: 28, width: 28, channels: 1 };

/** Where in the app a template's use is shown: the latent space, anomaly scores, the denoising and inpainting lab, or runs side by side. */
export type TemplatePlace = 'explore' | 'score' | 'lab' | 'compare';

/** What a template teaches, in plain sentences (the lesson's types of autoencoder). */
export interface TemplateAbout {
  /** What it is. */
  what: string;
  /** What it is used for. */
  usedFor: string;
  /** What to watch for while training it. */
  watch: string;
  tryIn: TemplatePlace;
}

export interface TemplateInfo {
  label: string;
  description: string;
  about: TemplateAbout;
  build: (image?: ImageSize) => GraphDoc;
}

export const TEMPLATES = {
  undercomplete: {
    label: 'Undercomplete',
    description: 'A code narrower than the input: it must keep what matters.',
    about: {
      what: 'By structure, undercomplete: the code is narrower than the image, so the network must keep only what matters most to rebuild it.',
      usedFor: 'Dimensionality reduction, features and compression, and anomaly detection: images unlike the training data rebuild badly.',
      watch: 'Too small a code blurs the details; one as large as the input stops compressing.',
      tryIn: 'score',
    },
    build: undercomplete,
  },
  overcomplete: {
    label: 'Overcomplete',
    description: 'A code wider than the input, kept honest by L1 sparsity and dropout.',
    about: {
      what: 'By structure, overcomplete: the code is wider than the image.',
      usedFor: 'Rich, sparse features for other models.',
      watch: 'With no regulariser it can learn to copy its input and nothing else; here an L1 penalty and dropout prevent that, and the graph check warns when both are gone.',
      tryIn: 'compare',
    },
    build: overcomplete,
  },
  sparse: {
    label: 'Sparse',
    description: 'Few code units active per image (KL sparsity).',
    about: {
      what: 'By function, sparse: a KL penalty keeps most code units off for any one image.',
      usedFor: 'Features that are easier to read: each unit tends to stand for one part or style.',
      watch: "ρ is the target mean activation (0.05: each unit on for about 5 % of images); too large a KL weight switches units off for good.",
      tryIn: 'explore',
    },
    build: sparse,
  },
  convolutional: {
    label: 'Convolutional',
    description: 'Convolutions and pooling down, transposed convolutions up.',
    about: {
      what: 'By function, convolutional: filters slide over the image and share their weights, so it keeps local structure with far fewer parameters than dense layers.',
      usedFor: 'Images, especially larger ones: sharper reconstructions, and the base of the inpainting model.',
      watch: 'Each 2× pooling halves the image, and the decoder must land on its exact size; compare its loss and parameters with a dense model.',
      tryIn: 'compare',
    },
    build: convolutional,
  },
  denoising: {
    label: 'Denoising',
    description: 'Reconstructs clean images from noisy ones.',
    about: {
      what: 'By function, denoising: Gaussian noise is added to each training image while the loss compares the output with the clean one.',
      usedFor: 'Removing noise from images, and features robust to small changes.',
      watch: 'σ sets the noise: too little teaches nothing new, too much leaves nothing to recover; the dashboard shows noisy input, output and clean target.',
      tryIn: 'lab',
    },
    build: denoising,
  },
  variational: {
    label: 'Variational',
    description: 'A VAE: mean, log-variance and sampling; KL-regularised code.',
    about: {
      what: 'By function, variational (a VAE): the encoder gives a mean and a variance per image, the decoder learns from samples of them, and a KL term pulls the codes towards a standard normal.',
      usedFor: 'Generating new images by sampling the code, and smooth paths between images.',
      watch: 'β trades reconstruction for a smoother latent space (higher: blurrier images, better samples); KL warm-up lets the reconstruction start before the KL term pulls.',
      tryIn: 'explore',
    },
    build: variational,
  },
  inpainting: {
    label: 'Inpainting',
    description: 'Fills holes: random blotches are hidden while training, the target stays whole.',
    about: {
      what: 'By function, inpainting: random holes are cut in each training image while the loss compares the output with the whole clean image.',
      usedFor: 'Filling holes and removing scratches, marks and watermarks.',
      watch: 'Hole size and count set the difficulty: holes larger than the objects leave nothing to infer, and the filled parts come out the blurriest.',
      tryIn: 'lab',
    },
    build: inpainting,
  },
} as const satisfies Record<string, TemplateInfo>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(TEMPLATES, name);
}

export function buildTemplate(name: TemplateName, image?: ImageSize): GraphDoc {
  return TEMPLATES[name].build(image);
}

/** The blocks and wires of a graph, without positions or settings: what makes two graphs the same architecture. */
const architecture = (doc: GraphDoc) => JSON.stringify({ nodes: doc.nodes.map((n) => ({ id: n.id, kind: n.kind, params: n.params })), edges: doc.edges.map((e) => [e.source, e.target]) });

/** The template a graph still is (blocks, parameters and wires as built for `image`), or null. */
export function templateOf(doc: GraphDoc, image: ImageSize): TemplateName | null {
  const current = architecture(doc);
  try {
    return TEMPLATE_NAMES.find((t) => architecture(buildTemplate(t, image)) === current) ?? null;
  } catch {
    return null; // an image size a template cannot be built for
  }
}

/** The image size a graph's Input block declares, if it has one. */
export function inputImage(doc: GraphDoc): ImageSize | null {
  const input = doc.nodes.find((n) => n.kind === 'Input');
  const { height, width, channels } = (input?.params ?? {}) as Partial<ImageSize>;
  return typeof height === 'number' && typeof width === 'number' && typeof channels === 'number' ? { height, width, channels } : null;
}

/**
 * A graph that is still exactly one of the templates (whatever its layout, name or training
 * settings) rebuilt for another image size; null for any other graph. Choosing a dataset of another
 * shape then resizes the whole template, not just its Input block.
 */
export function resizeTemplate(doc: GraphDoc, from: ImageSize, to: ImageSize): GraphDoc | null {
  const name = templateOf(doc, from);
  return name ? { ...buildTemplate(name, to), name: doc.name, training: doc.training } : null;
}
