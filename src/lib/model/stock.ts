// Stock is a fold of the ledger: the snapshot of an item is the sum of its
// entries, and `ledger_count` says how many were folded in.
import type { LedgerEntry } from './ops.ts';

export interface Folded {
  quantity: number;
  count: number;
}

export function foldLedger(entries: Iterable<Pick<LedgerEntry, 'stock_id' | 'delta'>>): Map<string, Folded> {
  const out = new Map<string, Folded>();
  for (const e of entries) {
    const f = out.get(e.stock_id) ?? { quantity: 0, count: 0 };
    f.quantity += e.delta;
    f.count += 1;
    out.set(e.stock_id, f);
  }
  return out;
}

export type StockStatus = 'out' | 'low' | 'normal';

export function stockStatus(quantity: number, lowThreshold: number): StockStatus {
  if (quantity <= 0) return 'out';
  return quantity <= lowThreshold ? 'low' : 'normal';
}
