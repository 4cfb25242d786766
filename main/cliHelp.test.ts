/** The CLI's help, version and refusals (issue 21, defect 10): its own words, the option and its range, exit 2. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newRunId } from './backend/runs/naming';
import { RunStore } from './backend/runs/store';
import { undercomplete } from '../core/templates/undercomplete';
import { symbolicIcon } from './backend/testImages';
import { runCli } from './testCli';

const home = mkdtempSync(join(tmpdir(), 'bottleneck-cli-help-'));
const cli = (args: string[]) => runCli(home, args);
const COMMANDS = ['train', 'runs', 'sample', 'interpolate', 'encode', 'score', 'export'];
const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('bottleneck help', () => {
  it('help, --help and -h print every command with a line each, exit 0; no command prints it too, exit 2', () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(0);
      for (const c of COMMANDS) expect(r.stdout, c).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
      expect(r.stdout).toContain('"bottleneck help COMMAND" or "bottleneck COMMAND --help"');
    }
    const none = cli([]);
    expect(none.status).toBe(2);
    expect(none.stdout).toContain('usage: bottleneck COMMAND [options]');
  });

  it('every command takes --help (and help COMMAND gives the same), exit 0, without running anything', () => {
    for (const c of COMMANDS) {
      const r = cli([c, '--help']);
      expect([r.status, r.stderr], c).toEqual([0, '']);
      expect(r.stdout, c).toMatch(new RegExp(`^usage:\\n  bottleneck ${c}`));
      if (c === 'train' || c === 'score') expect(cli(['help', c]).stdout, c).toBe(r.stdout);
    }
    // Anywhere among the arguments, and for a sub-command.
    expect(cli(['train', '--epochs', '3', '--help']).stdout).toContain('--background');
    expect(cli(['runs', 'show', 'x', '-h']).stdout).toMatch(/^usage:\n {2}bottleneck runs/);
    const unknown = cli(['help', 'fly']);
    expect([unknown.status, unknown.stderr.trim()]).toEqual([2, 'bottleneck: no command "fly": the commands are train, runs, sweep, one-class, sample, interpolate, encode, score, export, help']);
  });

  it('--version prints the version', () => {
    for (const flag of ['--version', '-V', 'version']) {
      const r = cli([flag]);
      expect([r.status, r.stdout.trim()]).toEqual([0, `bottleneck ${version}`]);
    }
  });
});

describe('bottleneck refuses in its own words, one line, exit 2', () => {
  it('unknown options and commands, a value missing or given to a flag, an extra argument', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-file-')), 'notes.txt');
    writeFileSync(file, 'hello');
    const icons = mkdtempSync(join(tmpdir(), 'cli-icons-'));
    await symbolicIcon(join(icons, 'a.png'), 16);
    for (const [args, message] of [
      [['train', '--bogus'], 'train: unknown option --bogus (see "bottleneck train --help")'],
      [['sample', 'x', '--colour', 'red'], 'sample: unknown option --colour (see "bottleneck sample --help")'],
      [['fly'], 'unknown command "fly": the commands are train, runs, sweep, one-class, sample, interpolate, encode, score, export, help (see "bottleneck help")'],
      [['train', '--epochs'], '--epochs needs a value (see "bottleneck train --help")'],
      [['train', '--json=yes'], '--json takes no value (see "bottleneck train --help")'],
      [['train', 'quickly'], 'train: unexpected argument "quickly" (see "bottleneck train --help")'],
      // A negative number is a value, refused with the option's range.
      [['train', '--epochs', '-3'], '--epochs must be a whole number from 1 to 10,000, got "-3"'],
      [['train', '--seed', '-1'], '--seed must be a whole number from 0 to 2,147,483,647, got "-1"'],
      [['sample', 'x', '--n', '-5', '--out', 'a.png'], '--n must be a whole number from 1 to 256, got "-5"'],
      [['train', '--data', file], `--data ${file}: a file, not a folder (give a folder of images, each subfolder a class, or builtin:fashion-mnist)`],
      [['train', '--data', join(file, 'nope')], `--data ${join(file, 'nope')}: no such folder (give a folder of images, each subfolder a class, or builtin:fashion-mnist)`],
      [['train', '--data', icons, '--background', 'grey'], '--background must be one of white, black, alpha, got "grey"'],
      [['sample', 'NOPE', '--out', 'a.png'], `no run "NOPE" in ${join(home, 'runs')} (see "bottleneck runs")`],
      [['runs', 'show', 'NOPE'], `no run "NOPE" in ${join(home, 'runs')} (see "bottleneck runs")`],
      [['train', '--resume', 'zz9'], `no run "zz9" in ${join(home, 'runs')} (see "bottleneck runs")`],
      [['sample', 'x', '--scale', '0', '--out', 'a.png'], '--scale must be a whole number from 1 to 32, got "0"'],
    ] as const) {
      const r = cli([...args]);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([2, `bottleneck: ${message}`]);
    }
  });

  it('a run by the unique start or end of its id; several matches listed', () => {
    const store = new RunStore(join(home, 'runs'));
    const a = newRunId(new Date('2025-05-05T10:00:00Z'));
    const b = newRunId(new Date('2025-05-05T11:00:00Z'));
    for (const id of [a, b]) store.create(id, undercomplete(), 'builtin:fashion-mnist');
    const bySuffix = cli(['runs', 'show', a.slice(-4)]);
    expect(bySuffix.status, bySuffix.stderr).toBe(0);
    expect(bySuffix.stdout.split('\n')[0]).toMatch(new RegExp(`^run ${a} `));
    expect(cli(['runs', 'show', b.slice(0, 13)]).stdout.split('\n')[0]).toMatch(new RegExp(`^run ${b} `));
    const both = cli(['runs', 'show', '20250505']);
    expect([both.status, both.stderr.trim()]).toEqual([2, `bottleneck: "20250505" matches 2 runs: ${[a, b].sort().join(', ')}; give more of the id`]);
  });
});
