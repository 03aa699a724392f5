// Runs once, before the first page renders: with client-side rendering a child page is on screen
// before the layout's onMount, and a click or a screen reader in that gap got the browser's defaults.
import type { ClientInit } from '@sveltejs/kit';
import { translateFieldMessages } from '$lib/i18n/field-messages.ts';
import { i18n } from '$lib/i18n/index.svelte.ts';
import { watchAppCache } from '$lib/sync/app-cache.svelte.ts';

export const init: ClientInit = () => {
  // The page's language from the first paint (screen readers, hyphenation), not from the layout's mount.
  document.documentElement.lang = i18n.locale;
  translateFieldMessages();
  watchAppCache();
};
