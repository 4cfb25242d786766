import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { electronSupport, majorOf, type ElectronReleases } from './electronSupport';

const releases = JSON.parse(readFileSync(new URL('./electron-releases.json', import.meta.url), 'utf8')) as ElectronReleases;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };

describe('the pinned Electron', () => {
  it('is one of the three supported majors, by the table kept in the repo', () => {
    const verdict = electronSupport(pkg.devDependencies.electron!, releases, new Date());
    expect(verdict.reason).toMatch(/supported majors/);
    expect(verdict.supported).toBe(true);
  });

  it('is pinned exactly (no range), so the shipped Electron is the one checked', () => {
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('electronSupport', () => {
  const table: ElectronReleases = { cadenceDays: 56, supportedMajors: 3, majors: { '41': '2026-03-11', '42': '2026-05-06', '43': '2026-07-01', '44': '2026-08-25', '45': '2026-10-21' } };
  const day = new Date('2026-11-30');

  it('refuses a major more than two behind the newest', () => {
    expect(electronSupport('41.7.1', table, day)).toMatchObject({ supported: false });
    expect(electronSupport('42.0.0', table, day).reason).toMatch(/out of support/);
    expect(electronSupport('43.1.0', table, day).supported).toBe(true);
  });

  it('refuses when the table is stale: newer majors were due by now', () => {
    expect(electronSupport('45.5.0', table, new Date('2027-04-20')).reason).toMatch(/was due/);
    expect(electronSupport('45.5.0', table, new Date('2027-01-30')).supported).toBe(true);
  });

  it('reads majors from pinned and ranged versions', () => {
    expect(majorOf('45.5.0')).toBe(45);
    expect(majorOf('^41.0.0')).toBe(41);
    expect(() => majorOf('latest')).toThrow(/not a pinned/);
  });
});
