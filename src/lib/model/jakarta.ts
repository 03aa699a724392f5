// Asia/Jakarta time (WIB): UTC+7 all year, no daylight saving. Every Jakarta
// day, week, month and date range the app shows or filters by comes from here;
// documents keep UTC instants (`created_at`), so this is the one place that
// turns a Jakarta calendar day into UTC bounds and back. The node's views
// (design-docs/ops/views/orders_by_*) are CouchDB JavaScript and carry the
// same offset themselves; tests/unit/jakarta.test.ts checks they agree.
export const TIME_ZONE = 'Asia/Jakarta';
export const OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const instant = (t: number | string | Date) => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime());

/** The Jakarta calendar day (YYYY-MM-DD) of an instant. */
export function jakartaDay(t: number | string | Date): string {
  return new Date(instant(t) + OFFSET_MS).toISOString().slice(0, 10);
}

function dayMs(day: string): number {
  if (!DAY.test(day)) throw new Error(`not a day (YYYY-MM-DD): ${day}`);
  return Date.parse(`${day}T00:00:00Z`);
}

/** The UTC instant (ISO) at which a Jakarta day begins: 00:00 WIB is 17:00 UTC the day before. */
export function dayStart(day: string): string {
  return new Date(dayMs(day) - OFFSET_MS).toISOString();
}

/** The last millisecond (UTC ISO) of a Jakarta day, for inclusive view key ranges. */
export function dayEnd(day: string): string {
  return new Date(dayMs(day) + DAY_MS - OFFSET_MS - 1).toISOString();
}

/** `n` days after (or before) a Jakarta day. */
export function addDays(day: string, n: number): string {
  return new Date(dayMs(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday that starts the calendar week of a Jakarta day (as the orders_by_week view keys it). */
export function weekStart(day: string): string {
  const dow = (new Date(dayMs(day)).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

export const monthStart = (day: string) => day.slice(0, 8) + '01';

/**
 * UTC ISO bounds (both inclusive) of the Jakarta days `from`..`to`; an empty side is open
 * ('' and '\uffff' sort below and above every timestamp key).
 */
export function dayRange(from: string, to: string): { lo: string; hi: string } {
  return { lo: from ? dayStart(from) : '', hi: to ? dayEnd(to) : '\uffff' };
}

/**
 * What is wrong with a period of days a person typed: 'reversed' when it ends before it starts,
 * 'missing' when a bound the caller needs is empty; null when it can be asked.
 */
export function periodProblem(from: string, to: string, bothNeeded = false): 'missing' | 'reversed' | null {
  if (bothNeeded && (!from || !to)) return 'missing';
  return from && to && from > to ? 'reversed' : null;
}

/** The time of day in Jakarta, HH:MM, of an instant. */
export function jakartaTime(t: number | string | Date): string {
  return new Date(instant(t) + OFFSET_MS).toISOString().slice(11, 16);
}
