/**
 * A small disk for tests of a full disk: a tmpfs mounted for the test (Linux, as root), removed
 * after it. Elsewhere the tests that need one are skipped with `SMALL_DISK_SKIP` as the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

function canMount(): string | null {
  if (process.platform !== 'linux') return 'a tmpfs is mounted only on Linux';
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'tmpfs-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok ? null : 'mount -t tmpfs was refused (a container without the capability)';
}

/** Why full-disk tests cannot run here, or null when they can. */
export const SMALL_DISK_SKIP = canMount();

export interface SmallDisk {
  dir: string;
  /** Fills the disk with a filler file until `leave` bytes are free. */
  fill(leave?: number): void;
  /** Removes the filler: the disk has room again. */
  free(): void;
  freeBytes(): number;
}

/** Mounts tmpfs disks of `size` bytes for the file's tests; each is unmounted after its test. */
export function smallDisks(): (size: number) => SmallDisk {
  const mounted: string[] = [];
  afterEach(() => {
    for (const dir of mounted.splice(0)) {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (size) => {
    const dir = mkdtempSync(join(tmpdir(), 'small-disk-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot mount a tmpfs: ${r.stderr}`);
    mounted.push(dir);
    const filler = join(dir, 'filler');
    const freeBytes = () => {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    };
    return {
      dir,
      freeBytes,
      fill(leave = 0) {
        rmSync(filler, { force: true });
        const room = freeBytes() - leave;
        if (room > 0) writeFileSync(filler, Buffer.alloc(room));
      },
      free: () => rmSync(filler, { force: true }),
    };
  };
}
