/**
 * The CLI's side of issue 23 (items 1 and 3): a graph file that is a FIFO, /dev/zero or a link to
 * it, and graphs far past the block limit, are refused in one line (exit 2), with no stack and no
 * run folder, instead of hanging, growing without bound or overflowing the stack.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph/types';
import { undercomplete } from '../core/templates/undercomplete';
import { runCli } from './testCli';

const dir = mkdtempSync(join(tmpdir(), 'cli-hardening-'));

/** `bottleneck train --graph FILE`: one line on stderr, exit 2, no run made. A hang ends at the timeout and fails (status null). */
function expectRefused(file: string, message: RegExp) {
  const home = mkdtempSync(join(tmpdir(), 'cli-hardening-home-'));
  const r = runCli(home, ['train', '--graph', file], 60_000);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+|Maximum call stack/);
  expect(existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []).toEqual([]);
}

function blocks(count: number, chained: boolean): string {
  const nodes = Array.from({ length: count }, (_, i) => ({ id: `a${i}`, kind: 'Activation' as const, position: { x: 0, y: 0 }, params: {} }));
  const edges = chained ? nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `a${i}`, target: n.id })) : [];
  const file = join(dir, `${count}${chained ? '-chain' : ''}.bottleneck.json`);
  writeFileSync(file, JSON.stringify({ ...undercomplete(), nodes, edges } as GraphDoc));
  return file;
}

describe('bottleneck train --graph with a hostile file', () => {
  it('a FIFO: refused at once, not waited on', () => {
    const fifo = join(dir, 'pipe.bottleneck.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectRefused(fifo, /pipe\.bottleneck\.json: not a regular file \(a FIFO\)$/);
  });

  it('/dev/zero and a link to it: refused, not read without end', () => {
    const link = join(dir, 'zero.bottleneck.json');
    symlinkSync('/dev/zero', link);
    expectRefused('/dev/zero', /^bottleneck: \/dev\/zero: not a regular file \(a character device\)$/);
    expectRefused(link, /zero\.bottleneck\.json: not a regular file \(a character device\)$/);
  });

  it('100,000 blocks, 60,000 blocks, and a chain of 30,000: refused by the block limit, with no stack', () => {
    expectRefused(blocks(100_000, false), /: the graph has 100,000 blocks; a graph can have at most 2,000$/);
    expectRefused(blocks(60_000, false), /: the graph has 60,000 blocks; a graph can have at most 2,000$/);
    expectRefused(blocks(30_000, true), /: the graph has 30,000 blocks; a graph can have at most 2,000$/);
  });
});
