/** Backends for a test file: each on a fresh runs folder (or the one given), disposed after its test. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { BottleneckBackend } from './service';

export function testBackends(prefix: string): (runsRoot?: string) => BottleneckBackend {
  const made: BottleneckBackend[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((b) => b.dispose()));
  });
  return (runsRoot = mkdtempSync(join(tmpdir(), prefix))) => {
    const b = new BottleneckBackend({ shell: 'cli', runsRoot, graphsRoot: join(runsRoot, 'graphs'), experimentsRoot: join(runsRoot, 'experiments'), settingsPath: join(runsRoot, 'settings.json') });
    made.push(b);
    return b;
  };
}
