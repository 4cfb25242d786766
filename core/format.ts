/** Numbers as the app shows them, the same in the desktop app, the browser and the CLI. */

/**
 * A duration as a clock, seconds rounded down: 0:07, 12:05, 1:02:03 (hours when there are any).
 * `empty` stands for an unknown duration (null, negative or not finite).
 */
export function formatDuration(ms: number | null, empty = '–'): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return empty;
  const total = Math.floor(ms / 1000);
  const seconds = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
