// Words in the downloadable reports (Excel, PDF), in id and en. Kept apart from
// the UI messages because the report writers run outside Svelte (in a lazy
// chunk and in Node tests) and take the language as an argument.
import type { Locale } from './messages.ts';

export const reportMessages = {
  id: {
    'report.stock.title': 'Laporan stok',
    'report.sales.title': 'Laporan penjualan',
    'report.stock.sheet': 'Stok',
    'report.sales.sheet': 'Penjualan',
    'report.stock.file': 'stok',
    'report.sales.file': 'penjualan',
    'report.asOf': 'per {date}',
    'report.period': '{from} – {to}',
    'report.generated': 'Dibuat {at}',
    'report.page': 'Halaman {page} dari {pages}',
    'report.col.product': 'Produk',
    'report.col.sku': 'SKU',
    'report.col.warehouse': 'Gudang',
    'report.col.stock': 'Stok',
    'report.col.low': 'Batas menipis',
    'report.col.status': 'Status',
    'report.col.units': 'Terjual',
    'report.col.revenue': 'Pendapatan',
    'report.status.out': 'Habis',
    'report.status.low': 'Menipis',
    'report.status.normal': 'Normal',
    'report.stock.total': 'Total ({n} baris)',
    'report.sales.total': 'Total ({n} pesanan)',
    'report.chart.daily': 'Penjualan harian (pendapatan)',
    'report.chart.monthly': 'Penjualan bulanan (pendapatan)',
    'report.chart.max': 'Tertinggi: {amount}',
    'report.daily.sheet': 'Per hari',
    'report.monthly.sheet': 'Per bulan',
    'report.col.day': 'Tanggal',
    'report.col.month': 'Bulan',
    'report.col.orders': 'Pesanan',
    'report.breakdown.total': 'Total',
    'report.empty': 'Tidak ada data pada periode ini.',
    'report.failed': 'Laporan tidak dapat dibuat: {reason}',
    'report.offlineSales': 'Laporan penjualan dibuat dari data server region, jadi perlu koneksi.',
    'report.offlineFirst': 'Perangkat ini belum menyimpan alat pembuat laporan: buat satu laporan saat online, setelah itu laporan stok bisa dibuat offline.',
  },
  en: {
    'report.stock.title': 'Stock report',
    'report.sales.title': 'Sales report',
    'report.stock.sheet': 'Stock',
    'report.sales.sheet': 'Sales',
    'report.stock.file': 'stock',
    'report.sales.file': 'sales',
    'report.asOf': 'as of {date}',
    'report.period': '{from} – {to}',
    'report.generated': 'Generated {at}',
    'report.page': 'Page {page} of {pages}',
    'report.col.product': 'Product',
    'report.col.sku': 'SKU',
    'report.col.warehouse': 'Warehouse',
    'report.col.stock': 'Stock',
    'report.col.low': 'Low threshold',
    'report.col.status': 'Status',
    'report.col.units': 'Units sold',
    'report.col.revenue': 'Revenue',
    'report.status.out': 'Out',
    'report.status.low': 'Low',
    'report.status.normal': 'Normal',
    'report.stock.total': 'Total (rows: {n})',
    'report.sales.total': 'Total (orders: {n})',
    'report.chart.daily': 'Daily sales (revenue)',
    'report.chart.monthly': 'Monthly sales (revenue)',
    'report.chart.max': 'Highest: {amount}',
    'report.daily.sheet': 'By day',
    'report.monthly.sheet': 'By month',
    'report.col.day': 'Day',
    'report.col.month': 'Month',
    'report.col.orders': 'Orders',
    'report.breakdown.total': 'Total',
    'report.empty': 'No data in this period.',
    'report.failed': 'The report could not be made: {reason}',
    'report.offlineSales': 'The sales report is made from the region server\'s data, so it needs a connection.',
    'report.offlineFirst': 'This device has not stored the report tools yet: make one report while online, and the stock report works offline after that.',
  },
} satisfies Record<Locale, Record<string, string>>;

export type ReportKey = keyof (typeof reportMessages)['id'];
// English has every Indonesian key (a missing one fails the type check).
const _enIsComplete: Record<ReportKey, string> = reportMessages.en;
void _enIsComplete;

/** A translator bound to one language, for code that runs outside the Svelte UI. */
export function reportText(locale: Locale) {
  return (key: ReportKey, params: Record<string, string | number> = {}): string => {
    const text: string = reportMessages[locale][key] ?? reportMessages.id[key];
    return text.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? `{${k}}`));
  };
}
