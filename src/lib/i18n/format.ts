// Money in rupiah and times in Jakarta, whatever the device's own settings.
import { TIME_ZONE } from '../model/jakarta.ts';

const idr = new Intl.NumberFormat('id-ID', { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 });

export function formatIDR(amount: number): string {
  return idr.format(amount);
}

/** A moment in Jakarta time, labelled so ("6 Des 2026, 13.05 WIB"): a reader in another zone, or on a
 *  device set to one, must not take it for their own clock. WIB is what Indonesians write in both languages. */
export function formatDate(iso: string, locale: 'id' | 'en' = 'id'): string {
  const at = new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short',
  }).format(new Date(iso));
  return `${at} WIB`;
}

/** A region as people name it, "Bandung (BDG)"; only its code while its name is not known (not "BDG (BDG)"). */
export function regionLabel(name: string | null | undefined, code: string): string {
  return name && name !== code ? `${name} (${code})` : code;
}

/** A count with the reader's thousands separator ("2.163" / "2,163"). */
export function formatCount(n: number, locale: 'id' | 'en' = 'id'): string {
  return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-US', { maximumFractionDigits: 0 }).format(n);
}

/** Rupiah on a chart axis: short, in the reader's language ("Rp 1,2 jt" / "IDR 1.2M"). */
export function formatIDRShort(amount: number, locale: 'id' | 'en' = 'id'): string {
  return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-US', { style: 'currency', currency: 'IDR', notation: 'compact', maximumFractionDigits: 1 }).format(amount);
}

/** A Jakarta calendar day (YYYY-MM-DD) with its year, as a report names it: "27 Okt 2026" / "27 Oct 2026". */
export function formatDayLong(day: string, locale: 'id' | 'en' = 'id'): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
}

/** A month (YYYY-MM): "Okt 2026" / "Oct 2026". */
export function formatMonth(month: string, locale: 'id' | 'en' = 'id'): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { timeZone: 'UTC', month: 'short', year: 'numeric' }).format(new Date(`${month}-01T00:00:00Z`));
}

/** A Jakarta calendar day (YYYY-MM-DD) as a chart label: "25 Nov". */
export function formatDay(day: string, locale: 'id' | 'en' = 'id'): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(`${day}T00:00:00Z`));
}
