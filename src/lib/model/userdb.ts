// A shopper's own database: cart and checkout requests written by the
// shopper, order copies written by the region service.
import { z } from 'zod';
import { LIMITS, PositiveQuantity, RegionCode, Rupiah, Text, Timestamp, Ulid, couchFields, Id } from './common.ts';
import { REJECTION_CODES } from './codes.ts';
import { OrderItem, OrderStatus, StatusChange } from './ops.ts';

export const CartItem = z.strictObject({
  _id: Id().regex(/^cart:stock:/, 'must be cart:<warehouse item id>'),
  ...couchFields,
  type: z.literal('cart_item'),
  region_code: RegionCode,
  stock_id: Id().regex(/^stock:/, 'must be a warehouse item id'),
  product_id: Id().regex(/^product:/, 'must be a product id'),
  qty: PositiveQuantity,
  updated_at: Timestamp,
});
export type CartItem = z.infer<typeof CartItem>;

export const CheckoutRequest = z.strictObject({
  _id: Id().regex(/^checkout:[0-9A-HJKMNP-TV-Z]{26}$/, 'must be checkout:<ULID>'),
  ...couchFields,
  type: z.literal('checkout_request'),
  region_code: RegionCode,
  request_id: Ulid,
  items: z
    .array(z.strictObject({ stock_id: Id().regex(/^stock:/), product_id: Id().regex(/^product:/), qty: PositiveQuantity }))
    .min(1, 'the cart is empty')
    .max(LIMITS.lines),
  address: Text(LIMITS.address),
  created_at: Timestamp,
});
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

/** The service's copy of an order in the shopper's database, with live status or the rejection. */
export const OrderCopy = z.strictObject({
  _id: Id().regex(/^my-order:[A-Z]{2,5}:/, 'must be my-order:<REGION>:<id>'),
  ...couchFields,
  type: z.literal('order_copy'),
  region_code: RegionCode,
  request_id: Ulid,
  order_id: Id().regex(/^order:/).nullable(),
  status: z.union([OrderStatus, z.literal('rejected')]),
  items: z.array(OrderItem),
  total: Rupiah,
  rejections: z.array(
    z.strictObject({
      stock_id: z.string(),
      code: z.enum(REJECTION_CODES).optional(),
      available: z.number().int().min(0).optional(),
      reason: z.string().max(300),
    }),
  ),
  history: z.array(StatusChange),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type OrderCopy = z.infer<typeof OrderCopy>;
