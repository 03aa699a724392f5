// Dashboard arithmetic over view rows, in Asia/Jakarta days (src/lib/model/jakarta.ts).
import { addDays, jakartaDay, monthStart, weekStart } from '../model/jakarta.ts';
import { formatIDR, formatIDRShort } from '../i18n/format.ts';

export { jakartaDay, weekStart };

export interface DayRow {
  day: string;
  count: number;
  sum: number;
}

/** Totals for today, this calendar week (from Monday) and this calendar month, in Jakarta days, from per-day rows. */
export function periodTotals(rows: DayRow[], now = Date.now()) {
  const today = jakartaDay(now);
  const total = (from: string) => rows.filter((r) => r.day >= from && r.day <= today).reduce((a, r) => ({ count: a.count + r.count, sum: a.sum + r.sum }), { count: 0, sum: 0 });
  return { today: total(today), week: total(weekStart(today)), month: total(monthStart(today)) };
}

/** The last `days` Jakarta days, zero-filled, oldest first. */
export function lastDays(rows: DayRow[], days: number, now = Date.now()): DayRow[] {
  const by = new Map(rows.map((r) => [r.day, r]));
  const today = jakartaDay(now);
  return Array.from({ length: days }, (_, i) => {
    const day = addDays(today, i - (days - 1));
    return by.get(day) ?? { day, count: 0, sum: 0 };
  });
}

/**
 * chart.js options both dashboards share: the chart fills its container (whose height the page sets),
 * from the first render; a money axis reads in rupiah, in the reader's language.
 */
export function chartOptions(opts: { money?: boolean; locale: 'id' | 'en'; legend?: boolean }) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    // The tooltip says the figure as the pages do: rupiah in full, counts in the reader's digits.
    locale: opts.locale === 'en' ? 'en-US' : 'id-ID',
    plugins: {
      legend: { display: opts.legend ?? true },
      ...(opts.money ? { tooltip: { callbacks: { label: (c: { dataset: { label?: string }; parsed: { y: number } }) => `${c.dataset.label ? `${c.dataset.label}: ` : ''}${formatIDR(c.parsed.y)}` } } } : {}),
    },
    scales: {
      y: {
        beginAtZero: true,
        ticks: opts.money ? { callback: (v: string | number) => formatIDRShort(Number(v), opts.locale) } : { precision: 0 },
      },
    },
  };
}
