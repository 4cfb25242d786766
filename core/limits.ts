/**
 * Limits on what crosses the contract, shared by every adapter, the request schema and the graph
 * files, so that what one side accepts the other can send. Pure: runs in Node and the browser.
 */

/**
 * The largest graph text (UTF-8 bytes) the contract accepts and graphs:read returns: the one limit
 * the others follow. Real graph files are a few kilobytes.
 */
export const MAX_GRAPH_TEXT_BYTES = 8 * 1024 * 1024;
/**
 * The largest request body browser mode reads; a larger one is answered 413. Twice the graph text
 * and some room: as a JSON string, a graph file's text escapes its quotes, backslashes and line
 * breaks, which at most doubles it, so any graph text the schema allows can be sent.
 */
export const MAX_REQUEST_BYTES = 2 * MAX_GRAPH_TEXT_BYTES + 64 * 1024;
/**
 * The most blocks a graph may have. Real autoencoders have tens; 2,000 is far past what the canvas
 * can show or a model can train, and bounding it keeps every check, the compile and the run files
 * of a hostile graph small (a 100,000-block graph is refused before anything is done per block).
 */
export const MAX_GRAPH_BLOCKS = 2_000;
/** The most connections: each block takes at most one input, so a trainable graph has fewer edges than blocks; twice that leaves room while editing. */
export const MAX_GRAPH_EDGES = 2 * MAX_GRAPH_BLOCKS;

/** Why a graph with this many blocks and connections is refused, or null. Checked before any per-block work. */
export function graphTooLarge(blocks: number, edges: number): string | null {
  if (blocks > MAX_GRAPH_BLOCKS) return `the graph has ${blocks.toLocaleString('en')} blocks; a graph can have at most ${MAX_GRAPH_BLOCKS.toLocaleString('en')}`;
  if (edges > MAX_GRAPH_EDGES) return `the graph has ${edges.toLocaleString('en')} connections; a graph can have at most ${MAX_GRAPH_EDGES.toLocaleString('en')}`;
  return null;
}
/** How deep a request or a graph document may nest; real ones stay under 8 (deeper overflows JSON.stringify). */
export const MAX_NESTING = 32;
/** Names a user gives (a graph, a run): the same bound everywhere a name is stored. */
export const MAX_NAME_LENGTH = 200;
/** Any other string inside a graph document (ids, kinds, parameter values). */
export const MAX_GRAPH_STRING = 1_000;
/** The longest error message that crosses the contract. */
export const MAX_ERROR_LENGTH = 2_000;
/** How much of a user's input an error message quotes. */
export const EXCERPT_LENGTH = 60;


/** The start of a text, for an error message: never the whole of a huge input. */
export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length.toLocaleString('en')} characters)`;
}

/** A text's size in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The longest array a request or a graph may hold: the largest code (65,536 numbers) is the longest
 * real one. Checked on the array's length, before anything is done per element.
 */
export const MAX_JSON_ARRAY = 65_536;

/** Where a value lies in the checked JSON: its parent and key, turned into a path only for an error. */
interface JsonPlace {
  parent: JsonPlace | null;
  key: string;
}

function placePath(place: JsonPlace | null): string {
  const keys: string[] = [];
  for (let p = place; p; p = p.parent) keys.push(excerpt(p.key, 40));
  return keys.reverse().join('.');
}

/**
 * Checks a parsed JSON value's nesting depth, array lengths and the length of every string in it
 * (keys too), without recursion, so a hostile 100,000-deep value cannot overflow the stack here.
 * Linear, allocating nothing per number or string (an 8-million-element array is refused by its
 * length; a path string per element once cost gigabytes). Returns what is wrong, naming where (a
 * short path), or null.
 */
export function checkJsonBounds(value: unknown, limits: { maxDepth: number; maxString: number; maxArray?: number }): string | null {
  const maxArray = limits.maxArray ?? MAX_JSON_ARRAY;
  const maxKey = Math.min(limits.maxString, MAX_GRAPH_STRING);
  const tooLong = (s: string, place: JsonPlace | null) => `${placePath(place) || 'a string'}: longer than ${limits.maxString.toLocaleString('en')} characters (${s.length.toLocaleString('en')})`;
  if (typeof value === 'string') return value.length > limits.maxString ? tooLong(value, null) : null;
  if (typeof value !== 'object' || value === null) return null;
  // Only objects and arrays wait on the stack (three parallel arrays: no record per entry); strings are checked where they are met.
  const values: object[] = [value];
  const depths: number[] = [0];
  const places: (JsonPlace | null)[] = [null];
  while (values.length) {
    const item = values.pop()!;
    const depth = depths.pop()!;
    const place = places.pop()!;
    if (depth >= limits.maxDepth) return `${placePath(place) || 'the value'}: nested deeper than ${limits.maxDepth} levels`;
    if (Array.isArray(item)) {
      if (item.length > maxArray) return `${placePath(place) || 'the value'}: more than ${maxArray.toLocaleString('en')} items (${item.length.toLocaleString('en')})`;
      for (let i = 0; i < item.length; i++) {
        const child: unknown = item[i];
        if (typeof child === 'string') {
          if (child.length > limits.maxString) return tooLong(child, { parent: place, key: String(i) });
        } else if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
          places.push({ parent: place, key: String(i) });
        }
      }
      continue;
    }
    const keys = Object.keys(item);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key.length > maxKey) return `${placePath(place) || 'the value'}: a key longer than ${maxKey.toLocaleString('en')} characters`;
      const child: unknown = (item as Record<string, unknown>)[key];
      if (typeof child === 'string') {
        if (child.length > limits.maxString) return tooLong(child, { parent: place, key });
      } else if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
        places.push({ parent: place, key });
      }
    }
  }
  return null;
}

/** The largest image file the Lab and the CLI will decode (the API carries it base64). */
export const MAX_IMAGE_FILE_BYTES = 32 * 1024 * 1024;
/** The longest base64 text of an image file the API takes (model:prepare-image's `bytes`). */
export const MAX_IMAGE_BASE64_LENGTH = Math.ceil(MAX_IMAGE_FILE_BYTES / 3) * 4;

/**
 * The largest request body browser mode reads for a channel: MAX_REQUEST_BYTES, and for an image
 * dropped in the Lab its base64 text and some room, so the one image limit above holds there too.
 */
export function maxRequestBytes(channel: string): number {
  return channel === 'model:prepare-image' ? Math.max(MAX_REQUEST_BYTES, MAX_IMAGE_BASE64_LENGTH + 64 * 1024) : MAX_REQUEST_BYTES;
}

/** Why an image file is too large, in the words both the Lab and the backend use; null when it is not. */
export function imageFileTooLarge(bytes: number): string | null {
  return bytes > MAX_IMAGE_FILE_BYTES ? `the file is ${(bytes / 2 ** 20).toFixed(0)} MB; images up to ${MAX_IMAGE_FILE_BYTES / 2 ** 20} MB can be used` : null;
}

/**
 * The most pixels an image may declare to be read (200 megapixels: any camera's photo, a 12000×9000
 * scan). Checked in the file's header before decoding, so a small file declaring a huge image (a
 * decompression bomb) is never decoded; larger images are skipped and listed with this reason. The
 * exported PyTorch project applies the same limit, so both train on the same files.
 */
export const MAX_IMAGE_PIXELS = 200_000_000;

/** Why an image of this declared size is not read, in the words every reader uses; null when it is read. */
export function imageTooManyPixels(width: number, height: number): string | null {
  const pixels = width * height;
  if (pixels <= MAX_IMAGE_PIXELS) return null;
  return `${width}×${height} is ${Math.round(pixels / 1e6).toLocaleString('en')} megapixels; images up to ${MAX_IMAGE_PIXELS / 1e6} megapixels are read`;
}
