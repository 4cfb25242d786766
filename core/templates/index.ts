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

/** Conv + pool down to a small map, a dense code, and transposed convolutions back up. */
export function convolutional(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
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
  return chainGraph('Convolutional autoencoder', [
    { kind: 'Input', params: { ...im } },
    ...encoder,
    { kind: 'Flatten' },
    { kind: 'Bottleneck', params: { latentSize: 32 } },
    { kind: 'Dense', params: { units: h * w * last, activation: 'relu' } },
    { kind: 'Reshape', params: { targetShape: [h, w, last] } },
    ...decoder,
    { kind: 'Conv2D', params: { filters: im.channels, kernelSize: 3, strides: 1, padding: 'same', activation: 'sigmoid' } },
    { kind: 'Output', params: { loss: 'bce' } },
  ]);
}

/** Learns to remove Gaussian noise: the input is corrupted while training, the target stays clean. */
export function denoising(im: ImageSize = DEFAULT_IMAGE): GraphDoc {
  return chainGraph('Denoising autoencoder', [
    { kind: 'Input', params: { ...im } },
    { kind: 'GaussianNoise', params: { stddev: 0.3 } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 256, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 32 } },
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

export const TEMPLATES = {
  undercomplete: { label: 'Undercomplete', description: 'A code narrower than the input: it must keep what matters.', build: undercomplete },
  overcomplete: { label: 'Overcomplete', description: 'A code wider than the input, kept honest by L1 sparsity and dropout.', build: overcomplete },
  sparse: { label: 'Sparse', description: 'Few code units active per image (KL sparsity).', build: sparse },
  convolutional: { label: 'Convolutional', description: 'Convolutions and pooling down, transposed convolutions up.', build: convolutional },
  denoising: { label: 'Denoising', description: 'Reconstructs clean images from noisy ones.', build: denoising },
  variational: { label: 'Variational', description: 'A VAE: mean, log-variance and sampling; KL-regularised code.', build: variational },
} as const satisfies Record<string, { label: string; description: string; build: (image?: ImageSize) => GraphDoc }>;

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
