import { describe, expect, it } from '@jest/globals';
import { calendarDay, daysBetween, isForcedPassDue } from './forced-pass-due.js';

const at = (iso: string) => new Date(iso);

describe('calendarDay', () => {
  it('is the date in the zone, not in UTC', () => {
    expect(calendarDay(at('2025-06-01T23:30:00Z'), 'UTC')).toBe('2025-06-01');
    expect(calendarDay(at('2025-06-01T23:30:00Z'), 'Europe/Berlin')).toBe('2025-06-02');
    expect(calendarDay(at('2025-06-02T02:30:00Z'), 'America/New_York')).toBe('2025-06-01');
  });

  it('counts whole days across months and years', () => {
    expect(daysBetween('2024-12-30', '2025-01-03')).toBe(4);
    expect(daysBetween('2024-02-27', '2024-03-02')).toBe(4);
    expect(daysBetween('2025-01-05', '2025-01-01')).toBe(-4);
  });
});

describe('isForcedPassDue', () => {
  it('runs the first forced pass at once', () => {
    expect(isForcedPassDue(null, at('2025-01-01T03:00:00Z'), 'UTC', 4)).toBe(true);
  });

  it('is due on the fourth calendar day, not before', () => {
    const last = at('2025-01-01T03:00:00Z');
    expect(isForcedPassDue(last, at('2025-01-02T03:00:00Z'), 'UTC', 4)).toBe(false);
    expect(isForcedPassDue(last, at('2025-01-04T03:00:00Z'), 'UTC', 4)).toBe(false);
    expect(isForcedPassDue(last, at('2025-01-05T03:00:00Z'), 'UTC', 4)).toBe(true);
    // A check that fires late (a replica was down at 03:00) still runs it.
    expect(isForcedPassDue(last, at('2025-01-07T11:00:00Z'), 'UTC', 4)).toBe(true);
  });

  it('does not run twice on the same day (a restart re-runs the check)', () => {
    const last = at('2025-01-05T03:00:02Z');
    expect(isForcedPassDue(last, at('2025-01-05T03:00:30Z'), 'UTC', 4)).toBe(false);
    expect(isForcedPassDue(last, at('2025-01-05T23:59:59Z'), 'UTC', 4)).toBe(false);
  });

  it('reads the days in the configured zone', () => {
    // 23:30 UTC on 1 June is already 2 June in Berlin: at 03:00 Berlin on 5 June only 3 days have passed there.
    const last = at('2025-06-01T23:30:00Z');
    const fiveJune0300Berlin = at('2025-06-05T01:00:00Z');
    expect(isForcedPassDue(last, fiveJune0300Berlin, 'Europe/Berlin', 4)).toBe(false);
    expect(isForcedPassDue(last, fiveJune0300Berlin, 'UTC', 4)).toBe(true);
  });

  describe('across daylight-saving changes', () => {
    it('Europe/Berlin, spring forward: 03:00 four days on is only 95 hours later and still due', () => {
      // 27 March 03:00 CET = 02:00Z; clocks go forward on 30 March; 31 March 03:00 CEST = 01:00Z.
      const last = at('2025-03-27T02:00:00Z');
      const now = at('2025-03-31T01:00:00Z');
      expect((now.getTime() - last.getTime()) / 3600_000).toBe(95);
      expect(isForcedPassDue(last, now, 'Europe/Berlin', 4)).toBe(true);
      expect(isForcedPassDue(last, at('2025-03-30T01:00:00Z'), 'Europe/Berlin', 4)).toBe(false);
    });

    it('Europe/Berlin, fall back: 96 hours that span only three calendar days are not due', () => {
      // 23 October 00:30 CEST = 22 October 22:30Z; clocks go back on 26 October; 26 October 23:30 CET = 22:30Z.
      const last = at('2025-10-22T22:30:00Z');
      const now = at('2025-10-26T22:30:00Z');
      expect((now.getTime() - last.getTime()) / 3600_000).toBe(96);
      expect(isForcedPassDue(last, now, 'Europe/Berlin', 4)).toBe(false);
      // ...and at 03:00 CET the next day (97 hours after a 03:00 CEST start) it is due, once.
      expect(isForcedPassDue(at('2025-10-23T01:00:00Z'), at('2025-10-27T02:00:00Z'), 'Europe/Berlin', 4)).toBe(true);
    });

    it('America/New_York, spring forward and fall back at 03:00 local', () => {
      // 6 March 03:00 EST = 08:00Z; DST from 9 March; 10 March 03:00 EDT = 07:00Z (95 hours).
      expect(isForcedPassDue(at('2025-03-06T08:00:00Z'), at('2025-03-10T07:00:00Z'), 'America/New_York', 4)).toBe(true);
      expect(isForcedPassDue(at('2025-03-06T08:00:00Z'), at('2025-03-09T07:00:00Z'), 'America/New_York', 4)).toBe(false);
      // 30 October 03:00 EDT = 07:00Z; standard time from 2 November; 3 November 03:00 EST = 08:00Z (97 hours).
      expect(isForcedPassDue(at('2025-10-30T07:00:00Z'), at('2025-11-03T08:00:00Z'), 'America/New_York', 4)).toBe(true);
      expect(isForcedPassDue(at('2025-10-30T07:00:00Z'), at('2025-11-02T08:00:00Z'), 'America/New_York', 4)).toBe(false);
    });

    it('a daily check at 03:00 local from March to November runs every fourth day, through both changes', () => {
      // Simulates the scheduler: each day's 03:00 in Berlin, with the pass starting at the check.
      const tz = 'Europe/Berlin';
      let last: Date | null = null;
      const ran: string[] = [];
      for (let day = new Date(Date.UTC(2025, 2, 1)); day < new Date(Date.UTC(2025, 10, 30)); day = new Date(day.getTime() + 86_400_000)) {
        const ymd = day.toISOString().slice(0, 10);
        // 03:00 Berlin is 02:00Z in winter and 01:00Z in summer.
        const now = [at(`${ymd}T01:00:00Z`), at(`${ymd}T02:00:00Z`)].find((d) => calendarDay(d, tz) === ymd && new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(d) === '03')!;
        if (isForcedPassDue(last, now, tz, 4)) {
          ran.push(ymd);
          last = now;
        }
      }
      const gaps = ran.slice(1).map((d, i) => daysBetween(ran[i], d));
      expect(new Set(gaps)).toEqual(new Set([4]));
      // Runs on both sides of each change: 29 March CET then 2 April CEST; 23 October CEST then 27 October CET.
      expect(ran).toEqual(expect.arrayContaining(['2025-03-29', '2025-04-02', '2025-10-23', '2025-10-27']));
    });
  });
});
