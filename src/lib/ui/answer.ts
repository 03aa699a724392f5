// The service's answer to an admin request, in the admin's language.
import { t } from '$lib/i18n/index.svelte.ts';
import type { MessageKey } from '$lib/i18n/messages.ts';
import type { RequestAnswer } from '$lib/sync/admin.svelte.ts';

export function answerText(a: RequestAnswer): string {
  if (!a.code) return t(a.ok ? 'result.applied' : 'result.refused'); // an answer from before codes existed: its English message stays in the database
  const args: Record<string, string | number> = { ...(a.args ?? {}) };
  // A move to where the order already is: someone (another tab, another admin) made it first.
  if (a.code === 'bad_move' && args.from === args.to && typeof args.to === 'string') return t('result.already', { status: t(`orders.status.${args.to}` as MessageKey) });
  // Statuses are words too: translate them like the rest.
  for (const k of ['from', 'to', 'status']) {
    if (typeof args[k] === 'string') args[k] = t(`orders.status.${args[k]}` as MessageKey);
  }
  return t(`result.${a.code}` as MessageKey, args);
}
