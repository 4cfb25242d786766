/**
 * A user's image file made ready for a model (model:prepare-image, the CLI's image arguments):
 * decoded with sharp, resized and converted to the model's input, with a note saying what changed.
 */
import { readFileSafeAsync, UnreadableFileError } from './safeRead';
import { extname } from 'node:path';
import type { PreparedImage } from '../../core/api';
import { parseDatasetId } from '../../core/data/datasetId';
import { MAX_IMAGE_FILE_BYTES } from '../../core/limits';
import { backgroundNote, colourName, decodedChannels, modelPreprocessing as preprocessingFor, type FitMode, type Preprocessing } from '../../core/data/preprocessing';
import { decodeImage, imageHeader, ImageTooLarge } from './imageDecode';
import { ModelError } from './modelProtocol';

/**
 * How images are fitted to a model: its input size and channels, with the fit, split and background
 * of the run's image folder when it trained on one, else cover and white.
 */
export function modelPreprocessing(model: { height: number; width: number; channels: number }, datasetId: string): Preprocessing {
  let fromRun: Preprocessing | null = null;
  try {
    const ref = parseDatasetId(datasetId);
    if (ref.kind === 'folder') fromRun = ref.preprocessing;
  } catch {
    // An id this version cannot read: the defaults.
  }
  return preprocessingFor(model, fromRun);
}

const FIT_NOTE: Record<FitMode, (background: string) => string> = {
  cover: () => 'cropped to keep its proportions',
  contain: (background) => `padded with ${background} to keep its proportions`,
  fill: () => 'stretched',
};

/** "resized from 640×480 RGB to 28×28 grayscale", or null when the image already was the model's input. */
export function fitNote(from: { width: number; height: number; channels: number; alpha: boolean }, to: Preprocessing): string | null {
  const resized = from.width !== to.width || from.height !== to.height;
  if (!resized && from.channels + (from.alpha ? 1 : 0) === decodedChannels(to)) return null;
  const note = `${resized ? 'resized' : 'converted'} from ${from.width}×${from.height} ${colourName(from.channels + (from.alpha ? 1 : 0))} to ${to.width}×${to.height} ${colourName(decodedChannels(to))}${from.alpha && to.background !== 'alpha' ? `, ${backgroundNote(to.background)}` : ''}`;
  // Another shape: the fit decides what happens to the rest.
  return from.width * to.height !== from.height * to.width ? `${note}, ${FIT_NOTE[to.fit](to.background === 'alpha' ? 'transparency' : to.background)}` : note;
}

/** Reads an image file (a path, or a dropped file's bytes in base64 with its name) and fits it to `to`; a one-line error names the file. */
export async function prepareImage(input: { path?: string; bytes?: string; name?: string }, to: Preprocessing): Promise<PreparedImage> {
  const label = input.path ?? input.name ?? 'the dropped file';
  const fail = (why: string) => new ModelError(`${label}: ${why}`, 'bad-request');
  let bytes: Buffer;
  if (input.path !== undefined) {
    try {
      bytes = await readFileSafeAsync(input.path, MAX_IMAGE_FILE_BYTES);
    } catch (err) {
      if (err instanceof UnreadableFileError) throw fail(err.reason);
      const code = (err as NodeJS.ErrnoException).code;
      throw fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'not a regular file (a directory)' : `cannot be read (${code ?? (err as Error).message})`);
    }
  } else {
    bytes = Buffer.from(input.bytes ?? '', 'base64');
  }
  if (bytes.length === 0) throw fail('the file is empty');
  const ext = extname(input.name ?? input.path ?? '').toLowerCase();
  let header;
  let pixels;
  try {
    header = await imageHeader(bytes, ext);
    pixels = await decodeImage(bytes, ext, to);
  } catch (err) {
    if (err instanceof ImageTooLarge) throw fail(`too large: ${err.message}`);
    // sharp's reason ("unsupported image format", "VipsJpeg: premature end of input file") on one line.
    const reason = String((err as Error).message).split('\n')[0]!.replace(/^Input buffer contains /, '');
    throw fail(`not an image that can be read (${reason})`);
  }
  return {
    image: { count: 1, height: to.height, width: to.width, channels: decodedChannels(to), pixels: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64') },
    note: fitNote(header, to),
  };
}
