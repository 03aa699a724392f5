// The shopper's copy of an order, derived from the order alone: written by the
// region service after each decision and status change, and by a rebuild for
// orders whose copy the backup had not caught yet.
import { ids, type Order, type OrderCopy } from '../../src/lib/model/index.ts';

export function orderCopyOf(order: Order, region: string, existing: { _rev?: string } | null = null): OrderCopy {
  return {
    ...(existing?._rev ? { _rev: existing._rev } : {}),
    _id: ids.orderCopy(order._id), type: 'order_copy', region_code: region, request_id: order.request_id, order_id: order._id,
    status: order.status, items: order.items, total: order.total, rejections: [], history: order.history,
    created_at: order.created_at, updated_at: order.updated_at,
  };
}
