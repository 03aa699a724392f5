// Every word a person reads comes from the catalogue, in both languages: each stored status,
// code and error a screen can show has its message, and id and en say the same things.
import { describe, it, expect } from 'vitest';
import { messages } from '../../src/lib/i18n/messages.ts';
import { formatDate, regionLabel } from '../../src/lib/i18n/format.ts';
import { LANES, REPLICATION_STATES, laneKey } from '../../src/lib/i18n/enums.ts';
import { replicationDocs } from '../../server/ops/lanes.ts';
import { loadTopology } from '../../server/config.ts';
import { ORDER_STATUSES, REJECTION_CODES, RESULT_CODES } from '../../src/lib/model/index.ts';
import { SIGNUP_ERRORS } from '../../src/lib/model/signup.ts';
import { SHOP_ERRORS } from '../../src/lib/sync/user-docs.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogue', () => {
  it('has the same keys, each non-empty, with the same placeholders, in id and en', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.id).sort());
    for (const [key, text] of Object.entries(messages.id)) {
      const en = (messages.en as Record<string, string>)[key];
      expect(text.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
      expect(placeholders(en), key).toEqual(placeholders(text));
    }
  });

  it('has a message in both languages for every status, code and error value the app can show', () => {
    const wanted = [
      ...ORDER_STATUSES.map((s) => `orders.status.${s}`), 'orders.rejected', 'orders.pending', 'orders.waiting',
      ...REJECTION_CODES.map((c) => `reject.${c}`),
      ...RESULT_CODES.map((c) => `result.${c}`),
      ...SIGNUP_ERRORS.map((c) => `signup.${c}`),
      ...SHOP_ERRORS.map((c) => `shop.error.${c}`),
      ...(['normal', 'low', 'out'] as const).map((s) => `stock.status.${s}`),
      ...REPLICATION_STATES.map((s) => `sync.state.${s}`), 'sync.state.unknown',
      ...LANES.map((l) => `sync.lane.${l}`),
      ...['invalid', 'invalidField', 'offline', 'conflict', 'signin', 'forbidden', 'notFound', 'server', 'unknown'].map((e) => `error.${e}`),
    ];
    for (const key of wanted) {
      expect(messages.id, key).toHaveProperty([key]);
      expect(messages.en, key).toHaveProperty([key]);
    }
  });

  it('never puts an English stored value or a schema phrase into an Indonesian message', () => {
    const raw = /\b(placed|processed|shipped|delivered|canceled|running|crashing|conflict|undefined|null)\b|must be|HTTP \d/;
    for (const [key, text] of Object.entries(messages.id)) expect(text, key).not.toMatch(raw);
  });
});

describe('times on screen', () => {
  it('are Jakarta time, labelled WIB, in both languages, whatever the zone of the process', () => {
    // 2026-11-20T17:05Z is 00:05 on the 21st in Jakarta: a UTC (or device-zone) clock would say the 20th.
    expect(formatDate('2026-11-20T17:05:00.000Z', 'id')).toMatch(/^21 Nov 2026,? 00[.:]05 WIB$/);
    expect(formatDate('2026-11-20T17:05:00.000Z', 'en')).toMatch(/^21 Nov 2026,? 00:05 WIB$/);
  });
});

describe('a region on screen', () => {
  it('reads "name (code)", and only the code while its name is not known, never "BDG (BDG)"', () => {
    expect(regionLabel('Bandung', 'BDG')).toBe('Bandung (BDG)');
    expect(regionLabel('BDG', 'BDG')).toBe('BDG');
    expect(regionLabel(undefined, 'BDG')).toBe('BDG');
  });
});

describe('a region\'s data lanes on the sync page', () => {
  it('are named in words, every one init declares (the shopper backup too)', () => {
    const t = loadTopology();
    const who = { name: 'x', password: 'y' };
    const secrets = { regions: Object.fromEntries(t.regions.map((r) => [r.code, { replicator: who }])) } as any;
    const ids = [...replicationDocs(t, t.regions[0], secrets).map((d) => d._id), 'sebaran-shoppers-push'];
    for (const id of ids) expect(laneKey(id), id).not.toBeNull();
    expect(laneKey('sebaran-something-new')).toBeNull();
  });
});
