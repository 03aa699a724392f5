// Every code the region service answers with has words in both languages, and
// the checkout rules answer every malformed request with a code.
import { describe, expect, it } from 'vitest';
import { messages } from '../../src/lib/i18n/messages.ts';
import { REJECTION_CODES, RESULT_CODES, checkoutProblem, decideCheckout, ids } from '../../src/lib/model/index.ts';
import { validFixtures as v } from '../fixtures/documents.ts';

describe('service answer codes', () => {
  it('every rejection and result code has an id and an en message', () => {
    for (const key of [...REJECTION_CODES.map((c) => `reject.${c}`), ...RESULT_CODES.map((c) => `result.${c}`)]) {
      expect(messages.id[key as keyof typeof messages.id], key).toMatch(/\w/);
      expect(messages.en[key as keyof typeof messages.en], key).toMatch(/\w/);
    }
  });

  it('a malformed checkout request gets a code naming what is wrong', () => {
    const ok = v.checkout_request;
    expect(checkoutProblem(ok)).toBeNull();
    expect(checkoutProblem({ ...ok, address: '   ' })?.code).toBe('address_missing');
    expect(checkoutProblem({ ...ok, items: [] })?.code).toBe('empty_cart');
    expect(checkoutProblem({ ...ok, items: Array(101).fill(ok.items[0]) })?.code).toBe('too_many_lines');
    expect(checkoutProblem({ ...ok, items: [{ ...ok.items[0], qty: 0 }] })?.code).toBe('quantity_limit');
    expect(checkoutProblem({ ...ok, request_id: '01JD0000000000000000000009' })?.code).toBe('bad_request');
    expect(checkoutProblem(null)?.code).toBe('bad_request');
    expect(checkoutProblem({ ...ok, surprise: 1 })?.code).toBe('bad_request');
  });

  it('merged lines above the per-item cap are refused, not turned into an order the node would refuse', () => {
    const line = { ...v.checkout_request.items[0], qty: 60_000 };
    const d = decideCheckout({ region_code: 'BDG', items: [line, line] }, 'BDG',
      () => ({ item: v.warehouse_item, available: 1_000_000 }), () => v.product);
    expect(d.ok).toBe(false);
    expect(d.rejections[0].code).toBe('quantity_limit');
  });

  it('order ids are per shopper and request, and their derived ledger ids follow', () => {
    const a = ids.order('BDG', 'ani', '01JD0000000000000000000000');
    expect(a).not.toBe(ids.order('BDG', 'budi', '01JD0000000000000000000000'));
    expect(ids.sale(a, 1)).toBe('ledger:BDG:sale:ani:01JD0000000000000000000000:1');
    expect(ids.cancel(a, 0)).toBe('ledger:BDG:cancel:ani:01JD0000000000000000000000:0');
  });
});
