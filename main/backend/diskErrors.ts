/** Failed writes in words a user can act on: the cause first, then the system's message. */

const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
};

/** Whether an error is the file system refusing (full, read-only, not permitted) rather than a fault of ours. */
export function isDiskError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in CAUSES;
}

export function describeWriteError(err: unknown): string {
  const { code, message } = (err ?? {}) as NodeJS.ErrnoException;
  return code && CAUSES[code] ? `${CAUSES[code]} (${message})` : String(message ?? err);
}
