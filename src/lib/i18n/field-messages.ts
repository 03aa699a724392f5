// The browser's own words for a field it refuses ("Please fill out this field.") are in the
// browser's language, not the one chosen here: when it reports a field invalid, the app's own
// message from the catalogue takes their place in the bubble.
import { formatCount, i18n, t } from './index.svelte.ts';

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A bound as people read it: 10.000.000, not 10000000 (a date bound stays as it is). */
const bound = (v: string) => (/^-?\d+$/.test(v) ? formatCount(Number(v), i18n.locale) : v);

/** The catalogue's message for what is wrong with `el`, or null when nothing is. */
export function fieldMessage(el: Field): string | null {
  const v = el.validity;
  const input = el as HTMLInputElement;
  if (v.valueMissing) return t('form.required');
  if (v.typeMismatch && input.type === 'email') return t('form.email');
  if (v.badInput || v.typeMismatch) return t('form.badInput');
  if (v.rangeUnderflow) return t('form.min', { min: bound(input.min) });
  if (v.rangeOverflow) return t('form.max', { max: bound(input.max) });
  // A number field without a step attribute steps by 1 (HTML's default): the message still names it.
  if (v.stepMismatch) return input.step && input.step !== 'any' && input.step !== '1' ? t('form.step', { step: input.step }) : t('form.whole');
  if (v.tooShort) return t('form.tooShort', { n: input.minLength });
  if (v.tooLong) return t('form.tooLong', { n: input.maxLength });
  if (v.patternMismatch) return t('form.pattern');
  return null;
}

const isField = (el: unknown): el is Field =>
  el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;

/**
 * Keeps every field's message in the app's language, set before the browser needs it: Chromium takes
 * the bubble's words before the `invalid` event runs, so a message set only there showed on the next
 * report, not this one. A field's own constraints still decide whether it is valid: the message is
 * set only while they fail, and a page's own custom message (one this did not set) is left alone.
 */
export function translateFieldMessages(doc: Document = document) {
  const ours = new WeakSet<Field>();
  const sync = (el: Field) => {
    if (el.validity.customError && !ours.has(el)) return; // a page's own message stays
    el.setCustomValidity('');
    ours.delete(el);
    const message = fieldMessage(el);
    if (!message) return;
    el.setCustomValidity(message);
    ours.add(el);
  };
  const onField = (e: Event) => {
    if (isField(e.target)) sync(e.target);
  };
  // Before a submit click or Enter validates the form: every field of it, in the language chosen now.
  const onSubmitIntent = (e: Event) => {
    const form = (e.target as Element | null)?.closest?.('form');
    if (form) for (const el of Array.from(form.elements)) if (isField(el)) sync(el);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') onSubmitIntent(e);
  };
  const events: Array<[string, EventListener]> = [
    ['input', onField], ['change', onField], ['focusin', onField], ['invalid', onField],
    ['click', onSubmitIntent], ['keydown', onKey as EventListener],
  ];
  for (const [type, fn] of events) doc.addEventListener(type, fn, true);
  return () => {
    for (const [type, fn] of events) doc.removeEventListener(type, fn, true);
  };
}
