// The current language, remembered on the device; `t` fills {placeholders}.
import { messages, type Locale, type MessageKey } from './messages.ts';

const KEY = 'sebaran.locale';
const initial: Locale = typeof localStorage !== 'undefined' && localStorage.getItem(KEY) === 'en' ? 'en' : 'id';
export const i18n = $state({ locale: initial as Locale });

export function setLocale(l: Locale) {
  i18n.locale = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = messages[i18n.locale][key] ?? messages.id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? `{${k}}`));
}

export { formatIDR, formatDate, formatCount, regionLabel } from './format.ts';

/** A category's name in the chosen language: its English name when it has one and English is chosen. */
export function categoryName(c: { name: string; name_en?: string } | null | undefined): string {
  if (!c) return '';
  return i18n.locale === 'en' && c.name_en ? c.name_en : c.name;
}
