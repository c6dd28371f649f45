/**
 * `event_time` must be exactly `YYYY-MM-DDTHH:MM:SS.sssZ`, a real UTC calendar time from 1970 to 9999,
 * i.e. `new Date(s).toISOString() === s` with a year ≥ 1970. This checks the same thing digit by digit
 * without allocating, which is several times faster than the Date round trip on the hot path.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Epoch ms of a contract `event_time`, or -1 when the string is not one. */
export function parseEventTime(s: string): number {
  if (s.length !== 24) return -1;
  if (
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 /* . */ ||
    s.charCodeAt(23) !== 90 /* Z */
  ) {
    return -1;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return -1;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return -1;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > monthDays) return -1;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The wire form of an epoch-ms time (inverse of `parseEventTime`). */
export function formatEventTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
