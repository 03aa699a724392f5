// Inventory documents: the region service's stock snapshot, public to shoppers.
import { z } from 'zod';
import { Quantity, RegionCode, Text, Timestamp, couchFields, Id } from './common.ts';

export const Warehouse = z.strictObject({
  _id: Id().regex(/^warehouse:[A-Z]{2,5}:[A-Z0-9-]+$/, 'must be warehouse:<REGION>:<CODE>'),
  ...couchFields,
  type: z.literal('warehouse'),
  region_code: RegionCode,
  code: z.string().regex(/^[A-Z0-9-]{2,20}$/, 'must be 2-20 upper-case letters, digits or dashes'),
  name: Text(80),
  city: Text(80),
  delivery_days: z.strictObject({ min: z.number().int().min(0).max(60), max: z.number().int().min(0).max(60) }),
  updated_at: Timestamp,
});
export type Warehouse = z.infer<typeof Warehouse>;

/** Stock of one product in one warehouse: a snapshot folded from the ledger by the region service. */
export const WarehouseItem = z.strictObject({
  _id: Id().regex(/^stock:[A-Z]{2,5}:[A-Z0-9-]+:[A-Z0-9-]+$/, 'must be stock:<REGION>:<WAREHOUSE>:<SKU>'),
  ...couchFields,
  type: z.literal('warehouse_item'),
  region_code: RegionCode,
  warehouse_id: Id().regex(/^warehouse:/, 'must be a warehouse id'),
  product_id: Id().regex(/^product:/, 'must be a product id'),
  quantity: Quantity,
  low_threshold: Quantity,
  /** How many ledger entries are folded into `quantity`: lets a restarted service resume exactly. */
  ledger_count: Quantity,
  updated_at: Timestamp,
});
export type WarehouseItem = z.infer<typeof WarehouseItem>;
