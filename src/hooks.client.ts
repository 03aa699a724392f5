// Runs once, before the first page renders: with client-side rendering a child page's form is on
// screen before the layout's onMount, and a click in that gap got the browser's own words.
import type { ClientInit } from '@sveltejs/kit';
import { translateFieldMessages } from '$lib/i18n/field-messages.ts';

export const init: ClientInit = () => {
  translateFieldMessages();
};
