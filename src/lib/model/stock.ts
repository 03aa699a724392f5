// Stock is a fold of the ledger: the snapshot of an item is the sum of its
// entries, and `ledger_count` says how many were folded in. The same fold
// counts what the item sold (sales net of cancels), for its sales tally.
import type { LedgerEntry } from './ops.ts';

export interface Folded {
  quantity: number;
  count: number;
  /** Units sold, net of cancels. */
  units: number;
  /** Their revenue (IDR), net of cancels. */
  revenue: number;
}

export const emptyFold = (): Folded => ({ quantity: 0, count: 0, units: 0, revenue: 0 });

type FoldedEntry = Pick<LedgerEntry, 'stock_id' | 'delta'> & Partial<Pick<LedgerEntry, 'reason' | 'amount'>>;

/** What an entry adds to the units and revenue sold; the ledger view's map (design-docs/ledger) does the same. */
export function salesOf(e: FoldedEntry): [units: number, revenue: number] {
  if (e.reason !== 'sale' && e.reason !== 'cancel') return [0, 0];
  const amount = e.amount ?? 0;
  return [-e.delta, e.reason === 'sale' ? amount : -amount];
}

/** Adds one entry to a fold (or takes it out again, with sign -1). */
export function addToFold(f: Folded, e: FoldedEntry, sign: 1 | -1 = 1) {
  const [units, revenue] = salesOf(e);
  f.quantity += sign * e.delta;
  f.count += sign;
  f.units += sign * units;
  f.revenue += sign * revenue;
}

export function foldLedger(entries: Iterable<FoldedEntry>): Map<string, Folded> {
  const out = new Map<string, Folded>();
  for (const e of entries) {
    const f = out.get(e.stock_id) ?? emptyFold();
    addToFold(f, e);
    out.set(e.stock_id, f);
  }
  return out;
}

export type StockStatus = 'out' | 'low' | 'normal';

export function stockStatus(quantity: number, lowThreshold: number): StockStatus {
  if (quantity <= 0) return 'out';
  return quantity <= lowThreshold ? 'low' : 'normal';
}
