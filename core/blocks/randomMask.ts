import { MASK_FILLS, MASK_SHAPES, type MaskFill, type MaskShape } from '../train/corruption';
import { needsImage, type ParamField, defineBlock } from './types';

export interface RandomMaskParams {
  shape: MaskShape;
  count: number;
  size: number;
  fill: MaskFill;
}

const fields: ParamField[] = [
  { name: 'shape', label: 'Hole shape', type: 'enum', options: MASK_SHAPES, help: 'Rectangles, or blotches (irregular stains) that look more like real marks and scratches.' },
  { name: 'count', label: 'Holes per image', type: 'int', min: 1, max: 16, help: 'How many holes each training image gets; more holes, a harder task.' },
  { name: 'size', label: 'Hole size', type: 'float', min: 0.05, max: 0.8, help: "Each hole's size as a fraction of the image's side; large holes leave little to infer from." },
  { name: 'fill', label: 'Fill', type: 'enum', options: MASK_FILLS, help: 'What hides the pixels: black (zeros), or random noise, which also teaches the model to find the hole.' },
];

/**
 * Inpainting corruption: hides random parts of each training image; the target stays the clean
 * image, so the model learns to fill holes and remove marks. Identity outside training.
 */
export const randomMaskBlock = defineBlock<RandomMaskParams>({
  kind: 'RandomMask',
  label: 'RandomMask',
  group: 'encoder',
  description: 'Hides random holes in each image while training (inpainting autoencoders).',
  inputs: 1,
  defaults: { shape: 'rectangles', count: 2, size: 0.25, fill: 'zeros' },
  fields,
  outputShape: (input) => needsImage(input) ?? { ok: true, shape: input! },
  paramCount: () => 0,
  summary: (p) => `${p.count} ${p.shape === 'rectangles' ? 'rect' : 'blotch'}${p.count === 1 ? '' : p.shape === 'rectangles' ? 's' : 'es'} · ${Math.round(p.size * 100)}%${p.fill === 'noise' ? ' · noise' : ''}`,
  trainingOnly: true,
});
