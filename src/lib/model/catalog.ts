// Catalog documents: written only at central, copied to every node and device.
import { z } from 'zod';
import { LIMITS, Rupiah, Sku, Slug, Text, Timestamp, couchFields, attachmentFields, Id } from './common.ts';

export const Category = z.strictObject({
  _id: Id().regex(/^category:[a-z0-9-]+$/, 'must be category:<slug>'),
  ...couchFields,
  ...attachmentFields,
  type: z.literal('category'),
  slug: Slug,
  name: Text(80),
  name_en: Text(80).optional(),
  sort: z.number().int().min(0).max(10_000),
  updated_at: Timestamp,
});
export type Category = z.infer<typeof Category>;

export const Product = z.strictObject({
  _id: Id().regex(/^product:[A-Z0-9-]+$/, 'must be product:<SKU>'),
  ...couchFields,
  ...attachmentFields,
  type: z.literal('product'),
  sku: Sku,
  name: Text(LIMITS.productName),
  description: z.string().max(4000, 'must be at most 4000 characters'),
  category_id: Id().regex(/^category:[a-z0-9-]+$/, 'must be category:<slug>'),
  price: Rupiah.min(100, 'must be at least Rp100'),
  unit: Text(20),
  active: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Product = z.infer<typeof Product>;
