/**
 * The CLI's reading of what was typed: options with errors in its own words (never Node's parseArgs
 * text), `--help` on any command, negative numbers as option values, run ids by any unique part.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { excerpt } from '../core/limits';
import { isRunId } from './backend/runs/naming';
import { UsageError } from './cliErrors';
import type { CommandName } from './cliHelp';

/** `--help` or `-h` given to a command: its help is printed instead of running it. */
export class HelpRequested extends Error {
  constructor(readonly command: CommandName) {
    super(`help for ${command}`);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * "--epochs -3" as "--epochs=-3": parseArgs refuses a value that starts with a dash ("ambiguous"),
 * and a negative number is a value the range check should refuse with the range.
 */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** parseArgs for `command`, with its refusals as UsageErrors that name the option and point to the help. */
export function parseCommandArgs<O extends Options>(command: CommandName, args: readonly string[], options: O) {
  if (args.some((a) => a === '--help' || a === '-h')) throw new HelpRequested(command);
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const message = (err as Error).message;
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
    const option = quoted.split(' ')[0]!;
    const see = `(see "bottleneck ${command} --help")`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${command}: unknown option ${excerpt(option)} ${see}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) throw new UsageError(`${option} takes no value ${see}`);
      if (/ambiguous/.test(message)) throw new UsageError(`${option} needs a value; one starting with "-" is given as ${option}=VALUE`);
      throw new UsageError(`${option} needs a value ${see}`);
    }
    if (code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`${command}: ${message.split('\n')[0]} ${see}`);
    throw err;
  }
}

/** Refuses arguments a command does not take, naming the first. */
export function noMoreArguments(command: CommandName, extra: readonly string[]): void {
  if (extra.length) throw new UsageError(`${command}: unexpected argument "${excerpt(extra[0]!)}" (see "bottleneck ${command} --help")`);
}

/**
 * A run named by its whole id, or by any start or end of it that only one run has (the random
 * suffix "rpqa", the date "20261128T01"). None or several: a UsageError listing them.
 */
export function resolveRunId(runsRoot: string, text: string, noun: 'run' | 'experiment' = 'run'): string {
  const wanted = text.trim().toLowerCase();
  const list = noun === 'run' ? 'bottleneck runs' : 'bottleneck runs --experiment';
  if (!wanted) throw new UsageError(`the ${noun} id is empty (see "${list}")`);
  // A whole id is taken as it is: the backend says what became of it (deleted, never trained).
  if (isRunId(text)) return text;
  const ids = existsSync(runsRoot) ? readdirSync(runsRoot).filter(isRunId) : [];
  const matches = ids.filter((id) => id.toLowerCase().startsWith(wanted) || id.toLowerCase().endsWith(wanted));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`no ${noun} "${excerpt(text)}" in ${runsRoot}${noun === 'run' ? ' (see "bottleneck runs")' : ''}`);
  const shown = matches.slice(0, 8).join(', ');
  throw new UsageError(`"${excerpt(text)}" matches ${matches.length} ${noun}s: ${shown}${matches.length > 8 ? ', …' : ''}; give more of the id`);
}

/** A --data path that should be a folder of images: a one-line refusal for a file or a missing path. */
export function checkImageFolder(option: string, path: string): string {
  const full = resolve(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(full).isDirectory();
  } catch {
    throw new UsageError(`${option} ${path}: no such folder (give a folder of images, each subfolder a class, or builtin:fashion-mnist)`);
  }
  if (!isFolder) throw new UsageError(`${option} ${path}: a file, not a folder (give a folder of images, each subfolder a class, or builtin:fashion-mnist)`);
  return full;
}
