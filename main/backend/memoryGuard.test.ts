import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_FASHION_MNIST } from './datasets';
import { BottleneckBackend } from './service';
import { wideGraph as wide } from '../../core/shapes/wideGraph';

const GB = 1024 ** 3;
const made: BottleneckBackend[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((b) => b.dispose()));
});


describe('memory guard', () => {
  it.each([
    ['4.3 billion', wide(256, 1, 65_536)],
    ['640 million', wide(128, 3, 12_950)],
  ])('refuses a graph of %s parameters with the estimate and the limit, before any run folder or tensor', async (_what, graph) => {
    const runsRoot = mkdtempSync(join(tmpdir(), 'memory-guard-'));
    const b = new BottleneckBackend({ shell: 'cli', runsRoot, graphsRoot: join(runsRoot, 'graphs'), totalMemory: () => 16 * GB });
    made.push(b);
    const rss = process.memoryUsage().rss;
    await expect(b.invoke('train:start', { graph, datasetId: BUILTIN_FASHION_MNIST })).rejects.toThrow(
      /^training this graph needs about \d+ GB \(weights [\d.]+ GB, .*\), more than the 8\.0 GB a run may use on \S+ \(half of this machine.s memory\): use fewer units or a smaller batch$/,
    );
    expect(process.memoryUsage().rss - rss).toBeLessThan(512 * 1024 ** 2);
    expect(readdirSync(runsRoot).filter((n) => n !== 'graphs')).toEqual([]);
    expect(await b.invoke('runs:list', {})).toEqual([]);
  });
});
