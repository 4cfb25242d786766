import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { formatBytes } from '../../core/format';

/**
 * The one way the app reads a file it did not just write (run files, checkpoints, graphs, images,
 * settings): opened without blocking, so a FIFO (which would wait for a writer forever) or a device
 * such as /dev/zero (endless) is seen for what it is by fstat on the open file and refused; a
 * regular file is read up to a limit, so one huge file cannot exhaust memory. A link is followed:
 * what it leads to is what is checked.
 */

/** Size limits by what is read; each is far above what the app writes, and each is named in the error. */
export const READ_LIMITS = {
  /** run.json, checkpoint.json, notes, settings: small records. */
  record: 16 * 1024 * 1024,
  /** metrics.jsonl: a line per metric per epoch; 256 MB is millions of epochs' worth. */
  metrics: 256 * 1024 * 1024,
  /** An epoch's projection or reconstruction grid, a cached latent map. */
  epochArtifact: 256 * 1024 * 1024,
  /** tensors.bin: a checkpoint's weights and optimizer state. */
  tensors: 4 * 1024 * 1024 * 1024,
} as const;

/** A file that is not a regular file, or larger than its limit; `message` is "<file>: <reason>". */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly kind: 'not-regular' | 'too-large',
  ) {
    super(`${file}: ${reason}`);
  }
}

/** "a FIFO", "a directory", ...: what a non-regular file is, for the error. */
function describeNonRegular(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a plain file';
}

const notRegular = (shown: string, stat: Stats) => new UnreadableFileError(shown, `not a regular file (${describeNonRegular(stat)})`, 'not-regular');
const tooLarge = (shown: string, maxBytes: number) => new UnreadableFileError(shown, `larger than ${formatBytes(maxBytes)}`, 'too-large');
// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer (no effect on regular files).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * A regular file's bytes, at most maxBytes. Opening errors (ENOENT, EACCES) are thrown as Node's
 * errors, so callers can still tell a missing file; the rest is an UnreadableFileError.
 */
export function readFileSafe(file: string, maxBytes: number, shown = file): Buffer {
  const fd = openSync(file, OPEN_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(shown, stat);
    if (stat.size > maxBytes) throw tooLarge(shown, maxBytes);
    // One byte past the limit: a file that grew since fstat is still caught.
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, Math.min(buffer.length - length, 2 ** 30), null);
    if (length > maxBytes) throw tooLarge(shown, maxBytes);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** readFileSafe as UTF-8 text. */
export function readTextSafe(file: string, maxBytes: number, shown = file): string {
  return readFileSafe(file, maxBytes, shown).toString('utf8');
}

/** readFileSafe without blocking the event loop while the bytes come in (images). */
export async function readFileSafeAsync(file: string, maxBytes: number, shown = file): Promise<Buffer> {
  const handle = await open(file, OPEN_FLAGS);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(shown, stat);
    if (stat.size > maxBytes) throw tooLarge(shown, maxBytes);
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) ({ bytesRead: n } = await handle.read(buffer, length, buffer.length - length, null));
    if (length > maxBytes) throw tooLarge(shown, maxBytes);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * An error from reading `shown`, as one clause: "<shown>: not a regular file (a FIFO)",
 * "<shown>: larger than 16 MB" or "<shown> cannot be read (EACCES)".
 */
export function describeReadError(shown: string, err: unknown): string {
  if (err instanceof UnreadableFileError) return `${shown}: ${err.reason}`;
  return `${shown} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
}
