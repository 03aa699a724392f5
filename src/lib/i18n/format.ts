// Money in rupiah and times in Jakarta, whatever the device's own settings.
import { TIME_ZONE } from '../model/jakarta.ts';

const idr = new Intl.NumberFormat('id-ID', { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 });

export function formatIDR(amount: number): string {
  return idr.format(amount);
}

export function formatDate(iso: string, locale: 'id' | 'en' = 'id'): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short',
  }).format(new Date(iso));
}
