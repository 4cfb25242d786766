/**
 * How the CLI ends on an error: one line on stderr naming the file or option and the cause, exit 2
 * for what was typed wrong and 1 for the rest; the stack only with BOTTLENECK_DEBUG=1.
 */
import { ContractError } from '../core/apiSchema';
import { excerpt } from '../core/limits';
import { describeWriteError } from './backend/diskErrors';
import { ModelError } from './backend/modelProtocol';
import { ExportRefused } from './backend/runExport';

/** A fault in what the user typed: the CLI prints its message on one line and exits with 2. */
export class UsageError extends Error {}

/** A model request the user's input got wrong (a run that is not there, an index out of range): exit 2, as any bad argument. */
const USER_FAULTS = new Set(['bad-request', 'not-found']);

/** The longest line the CLI prints for an error: a hostile path cannot flood the terminal. */
const MAX_LINE = 500;

export interface CliFailure {
  line: string;
  exitCode: 1 | 2;
}

/**
 * A message on one line: its lines joined, or the first with the system's reason where a library
 * (sharp, libvips) repeats itself over lines ("unable to open for write\nsystem error: No such file…").
 */
export function oneLine(message: string): string {
  const [first = '', ...rest] = message.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const reason = rest.map((l) => /^system error: (.+)$/i.exec(l)?.[1]).find((r) => r !== undefined);
  if (reason !== undefined) return excerpt(first.includes(reason) ? first : `${first} (${reason})`, MAX_LINE);
  return excerpt([first, ...rest].join(' '), MAX_LINE);
}

/** The error or one of its causes carries a file system code (ENOENT, ENOSPC…). */
function fromFileSystem(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (/^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException).code))) return true;
  }
  return false;
}

/** A fault in our own code (as the server tells them apart), not in the user's input or files. */
function isInternal(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || !(err instanceof Error);
}

export function describeCliError(err: unknown): CliFailure {
  if (err instanceof UsageError || err instanceof ContractError || err instanceof ExportRefused) return { line: oneLine(err.message), exitCode: 2 };
  // A run whose model cannot be used (deleted, no checkpoint, no bottleneck), a request out of range.
  if (err instanceof ModelError) return { line: oneLine(err.message), exitCode: USER_FAULTS.has(err.code) ? 2 : 1 };
  // The file system refused (a path too long, a missing folder, a full disk): the message names the file.
  if (fromFileSystem(err)) return { line: oneLine((err as NodeJS.ErrnoException).code ? describeWriteError(err) : (err as Error).message), exitCode: 1 };
  if (isInternal(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return { line: oneLine(`internal error: ${message} (BOTTLENECK_DEBUG=1 prints where)`), exitCode: 1 };
  }
  // Anything else was said for the user (a damaged checkpoint or run file, a refused write).
  return { line: oneLine((err as Error).message), exitCode: 1 };
}

/** Prints the error as the CLI's last words and returns the exit code. */
export function reportCliError(err: unknown, debug = process.env.BOTTLENECK_DEBUG === '1'): number {
  const { line, exitCode } = describeCliError(err);
  console.error(`bottleneck: ${line}`);
  if (debug) console.error(stackOf(err));
  return exitCode;
}

/** The stack, and each cause's below it. */
function stackOf(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(`${depth ? 'caused by: ' : ''}${(e as Error).stack ?? String(e)}`);
  }
  return parts.join('\n');
}
