/**
 * A part of the window as a PNG, drawn by the browser itself: the element is copied with every
 * computed style written inline, its canvases (charts, images) as pictures, into an SVG
 * foreignObject, which the browser lays out and paints as it does on screen (text, tables, borders,
 * colours) at any scale. Nothing is fetched, so the canvas it is drawn on stays exportable.
 */

/** Marks an element left out of the picture (buttons that only make sense on screen); it keeps its place. */
export const EXPORT_SKIP = 'data-export-skip';

type StyleValues = Map<string, string>;

function valuesOf(style: CSSStyleDeclaration): StyleValues {
  const values: StyleValues = new Map();
  for (let i = 0; i < style.length; i++) {
    const name = style[i]!;
    if (!name.startsWith('--')) values.set(name, style.getPropertyValue(name));
  }
  return values;
}

/**
 * The browser's own styles for each tag, with no page stylesheet: read in a shadow tree (which the
 * page's rules do not reach) under a host that resets what it passes down.
 */
function browserDefaults(): { of(tag: string): StyleValues; dispose(): void } {
  const known = new Map<string, StyleValues>();
  const host = document.createElement('div');
  host.style.cssText = 'all: initial; position: absolute; visibility: hidden; pointer-events: none;';
  const shadow = host.attachShadow({ mode: 'open' });
  document.body.append(host);
  return {
    of: (tag) => {
      let values = known.get(tag);
      if (!values) {
        const probe = document.createElement(tag);
        shadow.append(probe);
        values = valuesOf(getComputedStyle(probe));
        probe.remove();
        known.set(tag, values);
      }
      return values;
    },
    dispose: () => host.remove(),
  };
}

/**
 * The computed style of `from` as inline CSS text: each value that differs from the browser's default
 * for the tag or from the parent's (so neither what the copy would inherit nor its defaults can differ).
 * Writing only those keeps the picture's source a tenth of writing every property.
 */
function inlineStyle(from: Element, parent: StyleValues | null, defaults: StyleValues): { text: string; values: StyleValues } {
  const values = valuesOf(getComputedStyle(from));
  let text = '';
  for (const [name, value] of values) {
    if (value !== defaults.get(name) || (parent !== null && value !== parent.get(name))) text += `${name}:${value};`;
  }
  return { text, values };
}

/** A copy of `root` that renders alone exactly as the original does on screen. */
function styledCopy(root: HTMLElement): HTMLElement {
  const copy = root.cloneNode(true) as HTMLElement;
  const originals = [root, ...root.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  const defaults = browserDefaults();
  const computed = new Map<Element, StyleValues>();
  originals.forEach((original, i) => {
    let target = copies[i]!;
    if (original instanceof HTMLCanvasElement) {
      // A copied canvas is blank: its picture goes in as an image in its place.
      const image = document.createElement('img');
      image.src = original.width > 0 && original.height > 0 ? original.toDataURL('image/png') : '';
      target.replaceWith(image);
      target = image;
    } else if (original instanceof HTMLInputElement) {
      target.setAttribute('value', original.value);
      if (original.checked) target.setAttribute('checked', '');
    } else if (original instanceof HTMLSelectElement) {
      const index = original.selectedIndex;
      target.querySelectorAll('option').forEach((o, k) => (k === index ? o.setAttribute('selected', '') : o.removeAttribute('selected')));
    }
    // The root's parent is outside the copy: the root writes every value that is not the browser's default.
    const parent = original === root ? null : computed.get(original.parentElement!)!;
    const { text, values } = inlineStyle(original, parent, defaults.of(original.tagName.toLowerCase()));
    computed.set(original, values);
    // Hidden with everything in it (each copy carries its own visibility, so the parent's is not inherited).
    target.setAttribute('style', `${text}${original.closest(`[${EXPORT_SKIP}]`) ? 'visibility:hidden;' : ''}`);
  });
  defaults.dispose();
  // The copy stands alone at the origin: no outer margin, no transition.
  copy.style.margin = '0';
  return copy;
}

/** The element (all of it, also what is scrolled out of view) as a PNG `scale`× its CSS size, on `background`. */
export async function elementPng(root: HTMLElement, { scale = 2, background }: { scale?: number; background?: string } = {}): Promise<Blob> {
  // Its border box (scroll sizes leave the borders out), or more where its content overflows.
  const width = Math.max(root.offsetWidth, root.scrollWidth);
  const height = Math.max(root.offsetHeight, root.scrollHeight);
  const copy = styledCopy(root);
  copy.setAttribute('xmlns', 'http://www.w3.org/1999/xhtml');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><foreignObject x="0" y="0" width="100%" height="100%">${new XMLSerializer().serializeToString(copy)}</foreignObject></svg>`;
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = background ?? getComputedStyle(root).backgroundColor;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
}
