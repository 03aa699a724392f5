// The stock and sales reports as data, from what the admin page already has:
// stock lines and the region's orders. Pure, so a test can build one in Node.
import type { Locale } from '../i18n/messages.ts';
import { reportText } from '../i18n/reports.ts';
import { formatDate, formatDayLong, formatIDR, formatMonth, regionLabel } from '../i18n/format.ts';
import { stockStatus } from '../model/stock.ts';
import { jakartaDay } from '../model/jakarta.ts';
import { ids } from '../model/ids.ts';
import { figure, sum, type Bar, type Report, type Value } from './report.ts';

export interface Region {
  code: string;
  name: string;
}

export interface StockLineIn {
  name: string;
  sku: string;
  warehouse: string;
  quantity: number;
  low_threshold: number;
}

/** The part of an order a sales report reads. */
export interface OrderIn {
  status: string;
  created_at: string;
  items: Array<{ product_id: string; name: string; qty: number; subtotal: number }>;
}

const regionLine = (r: Region) => regionLabel(r.name, r.code);

export function stockReport(a: { locale: Locale; region: Region; asOf: string; now: number; lines: StockLineIn[] }): Report {
  const t = reportText(a.locale);
  const lines = [...a.lines].sort((x, y) => x.name.localeCompare(y.name) || x.warehouse.localeCompare(y.warehouse));
  const rows: Value[][] = lines.map((l) => {
    const q = figure(l.quantity);
    const low = figure(l.low_threshold);
    const status = q === null || low === null ? null : t(`report.status.${stockStatus(q, low)}`);
    return [l.name, l.sku, l.warehouse, q, low, status];
  });
  return {
    locale: a.locale,
    title: t('report.stock.title'),
    subtitle: `${regionLine(a.region)} · ${t('report.asOf', { date: formatDayLong(a.asOf, a.locale) })}`,
    generated: t('report.generated', { at: formatDate(new Date(a.now).toISOString(), a.locale) }),
    sheet: t('report.stock.sheet'),
    file: `${t('report.stock.file')}-${a.region.code}-${a.asOf}`,
    columns: [
      { label: t('report.col.product'), kind: 'text', width: 36 },
      { label: t('report.col.sku'), kind: 'text', width: 14 },
      { label: t('report.col.warehouse'), kind: 'text', width: 24 },
      { label: t('report.col.stock'), kind: 'int', width: 10 },
      { label: t('report.col.low'), kind: 'int', width: 16 },
      { label: t('report.col.status'), kind: 'text', width: 12 },
    ],
    rows,
    total: [t('report.stock.total', { n: rows.length }), null, null, sum(rows.map((r) => r[3])), null, null],
    empty: t('report.empty'),
  };
}

/** Whole days from `from` to `to` (YYYY-MM-DD), both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

// Past two months of days the bars get too thin to read: the chart shows months.
const MAX_DAILY_BARS = 62;

export function salesReport(a: { locale: Locale; region: Region; from: string; to: string; now: number; orders: OrderIn[] }): Report {
  const t = reportText(a.locale);
  // Canceled orders sold nothing; the period is whole Jakarta days.
  const orders = a.orders.filter((o) => {
    if (o.status === 'canceled') return false;
    const at = Date.parse(o.created_at);
    return Number.isFinite(at) && jakartaDay(at) >= a.from && jakartaDay(at) <= a.to;
  });
  const by = new Map<string, { name: string; sku: string; units: number; revenue: number }>();
  const days = daysBetween(a.from, a.to);
  const monthly = days.length > MAX_DAILY_BARS;
  const buckets = new Map((monthly ? [...new Set(days.map((d) => d.slice(0, 7)))] : days).map((k) => [k, { orders: 0, units: 0, revenue: 0 }]));
  for (const o of orders) {
    const day = jakartaDay(Date.parse(o.created_at));
    const bucket = buckets.get(monthly ? day.slice(0, 7) : day)!;
    bucket.orders++;
    for (const it of o.items) {
      const e = by.get(it.product_id) ?? { name: it.name, sku: ids.skuOf(it.product_id), units: 0, revenue: 0 };
      e.units += figure(it.qty) ?? 0;
      e.revenue += figure(it.subtotal) ?? 0;
      by.set(it.product_id, e);
      bucket.units += figure(it.qty) ?? 0;
      bucket.revenue += figure(it.subtotal) ?? 0;
    }
  }
  const lines = [...by.values()].sort((x, y) => y.revenue - x.revenue || x.name.localeCompare(y.name));
  const rows: Value[][] = lines.map((l) => [l.name, l.sku, l.units, l.revenue]);
  const bars: Bar[] = [...buckets].map(([key, b]) => ({ key, label: monthly ? formatMonth(key, a.locale) : formatDayLong(key, a.locale), value: b.revenue }));
  const highest = Math.max(0, ...bars.map((b) => b.value));
  const perBucket: Value[][] = [...buckets].map(([key, b]) => [key, b.orders, b.units, b.revenue]);
  return {
    locale: a.locale,
    title: t('report.sales.title'),
    subtitle: `${regionLine(a.region)} · ${t('report.period', { from: formatDayLong(a.from, a.locale), to: formatDayLong(a.to, a.locale) })}`,
    generated: t('report.generated', { at: formatDate(new Date(a.now).toISOString(), a.locale) }),
    sheet: t('report.sales.sheet'),
    file: `${t('report.sales.file')}-${a.region.code}-${a.from}_${a.to}`,
    columns: [
      { label: t('report.col.product'), kind: 'text', width: 42 },
      { label: t('report.col.sku'), kind: 'text', width: 16 },
      { label: t('report.col.units'), kind: 'int', width: 12 },
      { label: t('report.col.revenue'), kind: 'idr', width: 18 },
    ],
    rows,
    total: [t('report.sales.total', { n: orders.length }), null, sum(rows.map((r) => r[2])), sum(rows.map((r) => r[3]))],
    empty: t('report.empty'),
    chart: {
      title: t(monthly ? 'report.chart.monthly' : 'report.chart.daily'),
      bars,
      caption: t('report.chart.max', { amount: formatIDR(highest) }),
    },
    breakdown: {
      sheet: t(monthly ? 'report.monthly.sheet' : 'report.daily.sheet'),
      columns: [
        { label: t(monthly ? 'report.col.month' : 'report.col.day'), kind: monthly ? 'month' : 'day', width: 16 },
        { label: t('report.col.orders'), kind: 'int', width: 12 },
        { label: t('report.col.units'), kind: 'int', width: 12 },
        { label: t('report.col.revenue'), kind: 'idr', width: 18 },
      ],
      rows: perBucket,
      total: [t('report.breakdown.total'), sum(perBucket.map((r) => r[1])), sum(perBucket.map((r) => r[2])), sum(perBucket.map((r) => r[3]))],
    },
  };
}
