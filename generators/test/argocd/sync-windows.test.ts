/**
 * Sync windows as Argo CD v3.5.3 evaluates them, at chosen instants (never the wall clock): inside
 * and outside production's office-hours window, across summer time, and the windows that cannot work.
 */
import { describe, expect, it } from 'vitest';
import { canLoadTimeZone, canSync, firesAt, nextAutomatedSync, parseGoDuration, parseSchedule, prepareWindow, windowActive, zoneOffset, type CronSchedule, type SyncWindowSpec } from '../../src/argocd/sync-windows.js';

const officeHours: SyncWindowSpec = { kind: 'allow', schedule: '0 7 * * 1-5', duration: '11h', timeZone: 'Europe/Dublin', manualSync: true };
const at = (iso: string) => Date.parse(iso);

describe('sync windows: production office hours (allow "0 7 * * 1-5" for 11h, Europe/Dublin)', () => {
  const windows = [prepareWindow(officeHours)];

  it('Fail (closed) at night: Tuesday 00:31 UTC, the hour the rehearsal failed', () => {
    expect(canSync(windows, at('2026-12-08T00:31:00Z'), false)).toBe(false);
  });

  it('Pass (manual sync) outside the window when it allows manual syncs', () => {
    expect(canSync(windows, at('2026-12-08T00:31:00Z'), true)).toBe(true);
    expect(canSync([prepareWindow({ ...officeHours, manualSync: false })], at('2026-12-08T00:31:00Z'), true)).toBe(false);
  });

  it('Pass inside the window, in winter (Dublin = UTC) and in summer (Dublin = UTC+1)', () => {
    expect(canSync(windows, at('2026-12-08T10:00:00Z'), false)).toBe(true);
    // 06:30 UTC in July is 07:30 in Dublin: open; 17:30 UTC is 18:30 in Dublin: closed.
    expect(canSync(windows, at('2026-07-07T06:30:00Z'), false)).toBe(true);
    expect(canSync(windows, at('2026-07-07T17:30:00Z'), false)).toBe(false);
    expect(canSync(windows, at('2026-12-08T17:30:00Z'), false)).toBe(true);
  });

  it('Pass: a merge on Tuesday night reaches the cluster at 07:00 Dublin; on Friday evening, on Monday', () => {
    expect(new Date(nextAutomatedSync(windows, at('2026-12-08T00:31:00Z'))!).toISOString()).toBe('2026-12-08T07:00:00.000Z');
    expect(new Date(nextAutomatedSync(windows, at('2026-12-11T18:05:00Z'))!).toISOString()).toBe('2026-12-14T07:00:00.000Z');
    // Summer: 07:00 Dublin is 06:00 UTC.
    expect(new Date(nextAutomatedSync(windows, at('2026-07-10T19:00:00Z'))!).toISOString()).toBe('2026-07-13T06:00:00.000Z');
    const now = at('2026-12-08T10:00:00Z');
    expect(nextAutomatedSync(windows, now)).toBe(now);
  });
});

describe('sync windows that cannot work, judged as Argo CD would', () => {
  it('Fail when a deny window covers every hour: automated syncs never run', () => {
    const windows = [prepareWindow({ kind: 'deny', schedule: '0 * * * *', duration: '1h', timeZone: 'UTC' })];
    expect(nextAutomatedSync(windows, at('2026-12-08T00:00:00Z'), 30)).toBeUndefined();
    // A 59-minute deny window leaves the last minute of each hour open.
    const leaky = [prepareWindow({ kind: 'deny', schedule: '0 * * * *', duration: '59m', timeZone: 'UTC' })];
    expect(new Date(nextAutomatedSync(leaky, at('2026-12-08T00:00:30Z'), 30)!).toISOString()).toBe('2026-12-08T00:59:00.000Z');
  });

  it('Fail when a schedule never fires: Argo CD (cron gives up after five years) counts the window active always', () => {
    const allow = prepareWindow({ kind: 'allow', schedule: '0 7 30 2 *', duration: '1h', timeZone: 'UTC' });
    expect(allow.neverFires).toBe(true);
    expect(windowActive(allow, at('2026-06-01T03:00:00Z'))).toBe(true);
    const deny = prepareWindow({ kind: 'deny', schedule: '0 7 31 4 *', duration: '1h', timeZone: 'UTC' });
    expect(canSync([deny], at('2026-06-01T03:00:00Z'), false)).toBe(false);
    expect(prepareWindow({ kind: 'allow', schedule: '0 7 29 2 *', duration: '1h' }).neverFires).toBe(false);
  });

  it('Fail when the schedule or duration does not parse: Argo CD refuses every sync of the project', () => {
    expect(prepareWindow({ kind: 'allow', schedule: '@daily', duration: '1h' }).error).toMatch(/cannot parse schedule '@daily'/);
    expect(prepareWindow({ kind: 'allow', schedule: '0 7 * * 7', duration: '1h' }).error).toMatch(/above maximum \(6\)/);
    expect(prepareWindow({ kind: 'allow', schedule: '0 7 * * 1-5', duration: '11' }).error).toMatch(/cannot parse duration '11'/);
    expect(canSync([prepareWindow({ kind: 'allow', schedule: '0 7 * *', duration: '1h' })], 0, false)).toBeUndefined();
  });

  it('Fail when the time zone cannot be loaded: Argo CD counts the window in UTC', () => {
    expect(canLoadTimeZone('Europe/Dublin')).toBe(true);
    expect(canLoadTimeZone('Europe/Dubln')).toBe(false);
    expect(zoneOffset('Europe/Dubln', at('2026-07-07T06:30:00Z'))).toBe(0);
    expect(zoneOffset('Europe/Dublin', at('2026-07-07T06:30:00Z'))).toBe(3_600_000);
  });
});

describe("the cron dialect of Argo CD's parser (robfig/cron v3: minute hour dom month dow)", () => {
  const schedule = (spec: string) => parseSchedule(spec) as CronSchedule;

  it('Pass with names, ranges, steps and lists', () => {
    const weekdays = schedule('30 7 * JAN-mar mon-FRI');
    expect(firesAt(weekdays, at('2026-01-05T07:30:00Z'))).toBe(true); // a Monday in January
    expect(firesAt(weekdays, at('2026-01-04T07:30:00Z'))).toBe(false); // Sunday
    expect(firesAt(weekdays, at('2026-04-06T07:30:00Z'))).toBe(false); // April
    const quarter = schedule('*/15 9-17/4 * * *');
    expect(firesAt(quarter, at('2026-01-05T13:45:00Z'))).toBe(true);
    expect(firesAt(quarter, at('2026-01-05T14:45:00Z'))).toBe(false);
  });

  it('Pass: day of month and day of week both restricted match either; one star means both must', () => {
    const either = schedule('0 0 13 * 5');
    expect(firesAt(either, at('2026-01-13T00:00:00Z'))).toBe(true); // the 13th, a Tuesday
    expect(firesAt(either, at('2026-01-09T00:00:00Z'))).toBe(true); // a Friday
    expect(firesAt(either, at('2026-01-10T00:00:00Z'))).toBe(false);
    // `*/1` keeps the star (a step of 1), `*/2` does not.
    expect(schedule('0 0 */1 * 5').domStar).toBe(true);
    expect(schedule('0 0 */2 * 5').domStar).toBe(false);
  });

  it('Pass: Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('90m')).toBe(5_400_000);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('')).toMatch(/invalid duration/);
    expect(parseGoDuration('1d')).toMatch(/invalid duration/);
  });
});
