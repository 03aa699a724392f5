// Operations documents: users, orders, the stock ledger and admin requests.
// Homed at the region service; admins only (never synced to a shopper).
import { z } from 'zod';
import { RESULT_CODES } from './codes.ts';
import { Email, LIMITS, Note, PositiveQuantity, RegionCode, Rupiah, Text, Timestamp, Ulid, Username, couchFields, Id } from './common.ts';

export const UserProfile = z.strictObject({
  _id: Id().regex(/^user:[A-Z]{2,5}:[a-z0-9._-]+$/, 'must be user:<REGION>:<username>'),
  ...couchFields,
  type: z.literal('user'),
  region_code: RegionCode,
  name: Username,
  full_name: Text(LIMITS.fullName),
  email: Email,
  phone: z.string().regex(/^\+?[0-9 -]{6,20}$/, 'must be a phone number').optional(),
  address: Text(LIMITS.address).optional(),
  created_at: Timestamp,
});
export type UserProfile = z.infer<typeof UserProfile>;

export const ORDER_STATUSES = ['placed', 'processed', 'shipped', 'delivered', 'canceled'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const OrderItem = z.strictObject({
  product_id: Id().regex(/^product:/, 'must be a product id'),
  stock_id: Id().regex(/^stock:/, 'must be a warehouse item id'),
  warehouse_id: Id().regex(/^warehouse:/, 'must be a warehouse id'),
  name: Text(LIMITS.productName),
  qty: PositiveQuantity,
  price: Rupiah,
  subtotal: Rupiah,
});
export type OrderItem = z.infer<typeof OrderItem>;

export const StatusChange = z.strictObject({
  status: OrderStatus,
  at: Timestamp,
  by: z.string().max(60),
  /** The admin request that made this change, so a replayed request is recognised. */
  request_id: z.string().max(80).optional(),
});

export const Order = z.strictObject({
  _id: Id().regex(/^order:[A-Z]{2,5}:[a-z0-9][a-z0-9._-]{2,39}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be order:<REGION>:<user>:<request ULID>'),
  ...couchFields,
  type: z.literal('order'),
  region_code: RegionCode,
  user_name: Username,
  request_id: Ulid,
  items: z.array(OrderItem).min(1, 'an order needs at least one item').max(LIMITS.lines),
  total: Rupiah,
  status: OrderStatus,
  address: Text(LIMITS.address),
  history: z.array(StatusChange).min(1),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Order = z.infer<typeof Order>;

export const LEDGER_REASONS = ['seed', 'receive', 'count', 'sale', 'cancel'] as const;

/** One immutable stock movement; the snapshot is the sum of these. */
export const LedgerEntry = z.strictObject({
  _id: Id().regex(/^ledger:[A-Z]{2,5}:[0-9A-Za-z:._-]+$/, 'must be ledger:<REGION>:<id>'),
  ...couchFields,
  type: z.literal('ledger'),
  region_code: RegionCode,
  stock_id: Id().regex(/^stock:/, 'must be a warehouse item id'),
  delta: z.number().int('must be a whole number').min(-10_000_000).max(10_000_000).refine((d) => d !== 0, 'must not be zero'),
  reason: z.enum(LEDGER_REASONS),
  /** A sale's or a cancel's line subtotal (IDR): the sales tallies' revenue (stock.ts salesOf). */
  amount: Rupiah.optional(),
  ref: z.string().max(200).optional(),
  note: Note.optional(),
  by: z.string().max(60),
  at: Timestamp,
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/**
 * What one warehouse item has sold, net of cancels: the ledger's fold of its sale and cancel entries,
 * written by the region service (tallies.ts). Kept apart from the warehouse item, which every shopper
 * reads; this stays with the admins. The best sellers read these, one row an item, not the orders.
 */
export const SalesTally = z.strictObject({
  _id: Id().regex(/^tally:[A-Z]{2,5}:[A-Z0-9-]+:[A-Z0-9-]+$/, 'must be tally:<REGION>:<WAREHOUSE>:<SKU>'),
  ...couchFields,
  type: z.literal('sales_tally'),
  region_code: RegionCode,
  stock_id: Id().regex(/^stock:/, 'must be a warehouse item id'),
  product_id: Id().regex(/^product:/, 'must be a product id'),
  units: z.number().int('must be a whole number'),
  revenue: z.number().int('must be a whole number'),
  updated_at: Timestamp,
});
export type SalesTally = z.infer<typeof SalesTally>;

const requestBase = {
  ...couchFields,
  type: z.literal('admin_request'),
  region_code: RegionCode,
  by: z.string().max(60),
  at: Timestamp,
};
const requestId = Id().regex(/^request:[A-Z]{2,5}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be request:<REGION>:<ULID>');

/** What an admin asks the region service to do; the service is the only one that acts on it. */
export const AdminRequest = z.discriminatedUnion('kind', [
  z.strictObject({
    _id: requestId, ...requestBase, kind: z.literal('order_status'),
    order_id: Id().regex(/^order:/, 'must be an order id'),
    status: z.enum(['processed', 'shipped', 'delivered', 'canceled']),
  }),
  z.strictObject({
    _id: requestId, ...requestBase, kind: z.literal('count'),
    stock_id: Id().regex(/^stock:/), counted: z.number().int().min(0).max(10_000_000), note: Note.optional(),
  }),
  z.strictObject({
    _id: requestId, ...requestBase, kind: z.literal('threshold'),
    stock_id: Id().regex(/^stock:/), low_threshold: z.number().int().min(0).max(10_000_000),
  }),
  z.strictObject({
    _id: requestId, ...requestBase, kind: z.literal('restock'),
    product_id: Id().regex(/^product:/), qty: PositiveQuantity, note: Note.optional(),
    /** The warehouse central has in mind (a low row it saw), if any: the region's admin may still choose another. */
    warehouse_id: Id().regex(/^warehouse:[A-Z]{2,5}:[A-Z0-9-]{2,20}$/, 'must be a warehouse id').optional(),
  }),
  z.strictObject({
    _id: requestId, ...requestBase, kind: z.literal('restock_done'),
    restock_id: requestId, note: Note.optional(),
  }),
]);
export type AdminRequest = z.infer<typeof AdminRequest>;

/** The service's answer to a request: written once, next to it, so the request itself stays immutable. */
export const RequestResult = z.strictObject({
  _id: Id().regex(/^result:[A-Z]{2,5}:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be result:<REGION>:<ULID>'),
  ...couchFields,
  type: z.literal('request_result'),
  region_code: RegionCode,
  request_id: requestId,
  ok: z.boolean(),
  /** What the admin's screen shows (translated); `message` is the English fallback. */
  code: z.enum(RESULT_CODES).optional(),
  args: z.record(z.string().max(40), z.union([z.string().max(200), z.number()])).optional(),
  message: z.string().max(500),
  at: Timestamp,
});
export type RequestResult = z.infer<typeof RequestResult>;

/** A region's own report on its node and replications, written by its service and replicated to central. */
export const NodeHealth = z.strictObject({
  _id: Id().regex(/^health:[A-Z]{2,5}:node$/, 'must be health:<REGION>:node'),
  ...couchFields,
  type: z.literal('health'),
  region_code: RegionCode,
  at: Timestamp,
  replications: z.array(
    z.strictObject({
      id: z.string().max(100),
      state: z.string().max(40),
      pending: z.number().int().min(0).nullable(),
      last_updated: z.string().max(40).nullable(),
      error: z.string().max(500).nullable(),
    }),
  ).max(50),
});
export type NodeHealth = z.infer<typeof NodeHealth>;
