// The order lists of both admin levels: which view serves a filter, one source per region.
import { memorySource, mergedQuery, viewSource, type KeyRow, type KeySource, type PageQuery, type TimeRange, type ViewFn } from './key-pager.ts';

export interface OrderFilter {
  status: string;
  shopper: string;
}

export async function orderSources(regions: string[], f: OrderFilter, view: ViewFn, range: TimeRange): Promise<KeySource[]> {
  const shopper = f.shopper.trim();
  if (shopper && f.status) {
    // No view keys both: one shopper's orders in the range are few, so they are read whole and filtered here.
    return Promise.all(
      regions.map(async (R) => {
        const rows = (await view('orders_by_user', { startkey: [R, shopper, range.lo], endkey: [R, shopper, range.hi], reduce: false })) as KeyRow[];
        return memorySource([R, shopper], rows.filter((r) => r.value?.status === f.status));
      }),
    );
  }
  return regions.map((R) =>
    shopper ? viewSource(view, 'orders_by_user', [R, shopper]) : f.status ? viewSource(view, 'orders_by_status', [R, f.status]) : viewSource(view, 'orders_by_created', [R]),
  );
}

/** The order list for a filter, as one query: every region's range merged newest first. */
export async function orderQuery(regions: string[], f: OrderFilter, view: ViewFn, range: TimeRange): Promise<PageQuery> {
  return mergedQuery(await orderSources(regions, f, view, range), range);
}
