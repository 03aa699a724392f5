// The browser's own words for a field it refuses ("Please fill out this field.") are in the
// browser's language, not the one chosen here: when it reports a field invalid, the app's own
// message from the catalogue takes their place in the bubble.
import { t } from './index.svelte.ts';

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** The catalogue's message for what is wrong with `el`, or null when nothing is. */
export function fieldMessage(el: Field): string | null {
  const v = el.validity;
  const input = el as HTMLInputElement;
  if (v.valueMissing) return t('form.required');
  if (v.typeMismatch && input.type === 'email') return t('form.email');
  if (v.badInput || v.typeMismatch) return t('form.badInput');
  if (v.rangeUnderflow) return t('form.min', { min: input.min });
  if (v.rangeOverflow) return t('form.max', { max: input.max });
  if (v.stepMismatch) return t('form.step', { step: input.step });
  if (v.tooShort) return t('form.tooShort', { n: input.minLength });
  if (v.tooLong) return t('form.tooLong', { n: input.maxLength });
  if (v.patternMismatch) return t('form.pattern');
  return null;
}

/** Translates every field's report on the page (the event does not bubble: caught on the way down). */
export function translateFieldMessages(doc: Document = document) {
  const onInvalid = (e: Event) => {
    const el = e.target as Field;
    if (typeof el?.setCustomValidity !== 'function' || el.validity.customError) return; // a page's own message stays
    const message = fieldMessage(el);
    if (!message) return;
    el.setCustomValidity(message);
    // For this report only (the browser reads it as it shows the bubble); the field's own constraints decide the next.
    setTimeout(() => el.setCustomValidity(''), 0);
  };
  doc.addEventListener('invalid', onInvalid, true);
  return () => doc.removeEventListener('invalid', onInvalid, true);
}
