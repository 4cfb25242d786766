import type { GraphDoc } from '../graph/types';
import { undercomplete, type ImageSize } from './undercomplete';

export type { ImageSize } from './undercomplete';

export const TEMPLATES = {
  undercomplete: { label: 'Undercomplete', description: 'A code narrower than the input.', build: undercomplete },
} as const satisfies Record<string, { label: string; description: string; build: (image?: ImageSize) => GraphDoc }>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(TEMPLATES, name);
}

export function buildTemplate(name: TemplateName, image?: ImageSize): GraphDoc {
  return TEMPLATES[name].build(image);
}
