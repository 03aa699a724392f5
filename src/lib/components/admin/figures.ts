// Dashboard arithmetic over view rows, in Asia/Jakarta days.
export const jakartaDay = (t: number) => new Date(t + 7 * 3600_000).toISOString().slice(0, 10);

export interface DayRow {
  day: string;
  count: number;
  sum: number;
}

/** Totals for today, the last 7 days and the last 30 days (Jakarta), from per-day rows. */
export function periodTotals(rows: DayRow[], now = Date.now()) {
  const today = jakartaDay(now);
  const since = (days: number) => jakartaDay(now - (days - 1) * 86_400_000);
  const total = (from: string) => rows.filter((r) => r.day >= from && r.day <= today).reduce((a, r) => ({ count: a.count + r.count, sum: a.sum + r.sum }), { count: 0, sum: 0 });
  return { today: total(today), week: total(since(7)), month: total(since(30)) };
}

/** The last `days` days, zero-filled, oldest first. */
export function lastDays(rows: DayRow[], days: number, now = Date.now()): DayRow[] {
  const by = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = jakartaDay(now - (days - 1 - i) * 86_400_000);
    return by.get(day) ?? { day, count: 0, sum: 0 };
  });
}
