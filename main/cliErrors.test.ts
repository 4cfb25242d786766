import { describe, expect, it } from 'vitest';
import { describeCliError, oneLine, UsageError } from './cliErrors';
import { ModelError } from './backend/modelProtocol';

describe('the CLI error line', () => {
  it('collapses sharp’s repeated lines to the first and the system’s reason', () => {
    const sharp = '/tmp/x/g.png: unable to open for write\nsystem error: No such file or directory\n/tmp/x/g.png: write error\nsystem error: No such file or directory\nwbuffer_write: write failed\nsystem error: Unknown error -1\nvips2png: unable to write to target /tmp/x/g.png';
    expect(oneLine(sharp)).toBe('/tmp/x/g.png: unable to open for write (No such file or directory)');
    expect(oneLine('checkpoint.json: not valid JSON (Unexpected token \'g\', "garbage{\n" is not valid JSON)')).toBe('checkpoint.json: not valid JSON (Unexpected token \'g\', "garbage{ " is not valid JSON)');
  });

  it('exits 2 for what was typed wrong, 1 for the rest; a fault of ours says so', () => {
    expect(describeCliError(new UsageError('--epochs must be…'))).toEqual({ line: '--epochs must be…', exitCode: 2 });
    expect(describeCliError(new ModelError('no run x', 'not-found')).exitCode).toBe(2);
    expect(describeCliError(new ModelError('the graph cannot be read', 'unreadable')).exitCode).toBe(1);
    const disk = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' });
    expect(describeCliError(disk)).toEqual({ line: 'the disk is full (ENOSPC: no space left on device, write)', exitCode: 1 });
    expect(describeCliError(new Error('cannot write /a/b.png: the disk is full', { cause: disk }))).toEqual({ line: 'cannot write /a/b.png: the disk is full', exitCode: 1 });
    expect(describeCliError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toEqual({ line: "internal error: Cannot read properties of undefined (reading 'x') (BOTTLENECK_DEBUG=1 prints where)", exitCode: 1 });
    expect(describeCliError(new Error(`a${'b'.repeat(5000)}`)).line.length).toBeLessThan(600);
  });
});
