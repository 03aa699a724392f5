// A report as data: the words (already in the reader's language), the columns,
// the rows and the totals. The Excel and PDF writers only lay it out, so both
// files always say the same thing.
import type { Locale } from '../i18n/messages.ts';

/** text: as written; int: a count; idr: rupiah; day (YYYY-MM-DD) and month (YYYY-MM): a date cell a spreadsheet can sort. */
export type ColumnKind = 'text' | 'int' | 'idr' | 'day' | 'month';

export interface Column {
  label: string;
  kind: ColumnKind;
  /** Width in characters (Excel); the PDF shares the page in these proportions. */
  width: number;
}

/**
 * A cell. `null` is a figure we do not have: it stays an empty cell rather than
 * a 0, because 0 is a real answer in these reports (out of stock, nothing sold)
 * and a report must not make one up.
 */
export type Value = string | number | null;

export interface Bar {
  /** The day (YYYY-MM-DD) or month (YYYY-MM) in Asia/Jakarta. */
  key: string;
  /** The same as the reader reads it ("27 Okt 2026", "Okt 2026"). */
  label: string;
  value: number;
}

/** A table of its own: in the workbook, a sheet after the report's. */
export interface Table {
  sheet: string;
  columns: Column[];
  rows: Value[][];
  total: Value[];
}

export interface Report {
  locale: Locale;
  title: string;
  /** Region and period, e.g. "Bandung (BDG) · 27 Okt 2026 – 25 Nov 2026". */
  subtitle: string;
  /** When it was made, in Asia/Jakarta time. */
  generated: string;
  /** Sheet name in the workbook (at most 31 characters). */
  sheet: string;
  /** File name without extension. */
  file: string;
  columns: Column[];
  rows: Value[][];
  total: Value[];
  /** Shown instead of an empty table. */
  empty: string;
  chart?: { title: string; bars: Bar[]; caption: string };
  /** The sales of each day (or month) of the period, for a spreadsheet to sum or chart. */
  breakdown?: Table;
}

/** A figure, or null when it is not a finite number (never NaN or Infinity in a file). */
export const figure = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) ? n : null);

/** The sum of the figures we have. */
export const sum = (xs: Value[]): number => xs.reduce<number>((n, x) => n + (figure(x) ?? 0), 0);
