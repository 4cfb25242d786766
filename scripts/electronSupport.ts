/**
 * Whether the Electron the app pins is still supported. Electron patches only its latest three
 * majors; the table of majors is kept in the repo (scripts/electron-releases.json), so the check
 * needs no network and cannot be satisfied by whatever happens to be installed.
 */
export interface ElectronReleases {
  cadenceDays: number;
  supportedMajors: number;
  /** Major -> the day its x.0.0 was published (YYYY-MM-DD). */
  majors: Record<string, string>;
}

export interface SupportVerdict {
  supported: boolean;
  reason: string;
}

const DAY_MS = 86_400_000;

export function majorOf(version: string): number {
  const match = /^[\^~]?(\d+)\./.exec(version.trim());
  if (!match) throw new Error(`"${version}" is not a pinned Electron version`);
  return Number(match[1]);
}

export function electronSupport(pinned: string, releases: ElectronReleases, today: Date): SupportVerdict {
  const major = majorOf(pinned);
  const known = Object.keys(releases.majors).map(Number).sort((a, b) => a - b);
  const newest = known.at(-1);
  if (newest === undefined) return { supported: false, reason: 'the table of Electron majors is empty' };
  const oldestSupported = newest - releases.supportedMajors + 1;
  if (major < oldestSupported) {
    return { supported: false, reason: `Electron ${major} is out of support: ${newest} is the newest major, and only ${oldestSupported}–${newest} get fixes` };
  }
  const published = releases.majors[String(major)];
  if (!published) return { supported: false, reason: `Electron ${major} is not in scripts/electron-releases.json: add it (npm view electron time)` };
  // The table itself can go stale: on Electron's cadence, three newer majors (ending this one's
  // support) are due by this date. Past it, the table must be brought up to date.
  const newestDate = Date.parse(releases.majors[String(newest)]!);
  const dueMajors = newest + Math.floor((today.getTime() - newestDate) / (releases.cadenceDays * DAY_MS));
  if (dueMajors - releases.supportedMajors + 1 > major) {
    return {
      supported: false,
      reason: `Electron ${dueMajors} was due by ${today.toISOString().slice(0, 10)} on a ${releases.cadenceDays}-day cadence, which ends support for ${major}: update scripts/electron-releases.json (npm view electron time) and the electron dependency`,
    };
  }
  return { supported: true, reason: `Electron ${major} is among the supported majors ${oldestSupported}–${newest}` };
}
