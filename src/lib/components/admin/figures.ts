// Dashboard arithmetic over view rows, in Asia/Jakarta days.
export const jakartaDay = (t: number) => new Date(t + 7 * 3600_000).toISOString().slice(0, 10);

export interface DayRow {
  day: string;
  count: number;
  sum: number;
}

/** The Monday (Jakarta) that starts the calendar week of `day` (YYYY-MM-DD), as the orders_by_week view keys it. */
export function weekStart(day: string): string {
  const t = Date.parse(day + 'T00:00:00Z');
  const dow = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - dow * 86_400_000).toISOString().slice(0, 10);
}

/** Totals for today, this calendar week (from Monday) and this calendar month, in Jakarta days, from per-day rows. */
export function periodTotals(rows: DayRow[], now = Date.now()) {
  const today = jakartaDay(now);
  const total = (from: string) => rows.filter((r) => r.day >= from && r.day <= today).reduce((a, r) => ({ count: a.count + r.count, sum: a.sum + r.sum }), { count: 0, sum: 0 });
  return { today: total(today), week: total(weekStart(today)), month: total(today.slice(0, 8) + '01') };
}

/** The last `days` days, zero-filled, oldest first. */
export function lastDays(rows: DayRow[], days: number, now = Date.now()): DayRow[] {
  const by = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = jakartaDay(now - (days - 1 - i) * 86_400_000);
    return by.get(day) ?? { day, count: 0, sum: 0 };
  });
}
