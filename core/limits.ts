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
 * Checks a parsed JSON value's nesting depth and the length of every string in it (keys too),
 * without recursion, so a hostile 100,000-deep value cannot overflow the stack here. Returns what
 * is wrong, naming where (a short path), or null.
 */
export function checkJsonBounds(value: unknown, limits: { maxDepth: number; maxString: number }): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  const tooLong = (s: string, path: string) => `${path || 'a string'}: longer than ${limits.maxString.toLocaleString('en')} characters (${s.length.toLocaleString('en')})`;
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (item.value.length > limits.maxString) return tooLong(item.value, item.path);
      continue;
    }
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= limits.maxDepth) return `${item.path || 'the value'}: nested deeper than ${limits.maxDepth} levels`;
    const entries: [string, unknown][] = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v]) : Object.entries(item.value);
    for (const [key, child] of entries) {
      const path = item.path ? `${item.path}.${excerpt(key, 40)}` : excerpt(key, 40);
      if (key.length > Math.min(limits.maxString, MAX_GRAPH_STRING)) return `${item.path || 'the value'}: a key longer than ${Math.min(limits.maxString, MAX_GRAPH_STRING).toLocaleString('en')} characters`;
      stack.push({ value: child, depth: item.depth + 1, path });
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
