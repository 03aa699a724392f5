// Every document kind, the database it lives in, and who may write it.
// The nodes' validate_doc_update functions are generated from this table.
import { z } from 'zod';
import { Category, Product } from './catalog.ts';
import { Warehouse, WarehouseItem } from './inventory.ts';
import { AdminRequest, LedgerEntry, NodeHealth, Order, RequestResult, SalesTally, UserProfile } from './ops.ts';
import { CartItem, CheckoutRequest, OrderCopy } from './userdb.ts';
import { SERVICE_LEDGER_IDS } from './ids.ts';

export * from './common.ts';
export * from './ids.ts';
export * from './codes.ts';
export * from './catalog.ts';
export * from './inventory.ts';
export * from './ops.ts';
export * from './userdb.ts';

export type DbKind = 'catalog' | 'inventory' | 'ops' | 'userdb';

/**
 * Roles a writer may hold. `home` is the document's one writer; replication
 * copies it elsewhere under the `replicator` role.
 *  - central-admin: catalog at central; restock requests at central
 *  - service: the region service at its node
 *  - region-admin: ledger receipts and requests at its node
 *  - shopper: the owner of a per-user database
 */
export type Writer = 'central-admin' | 'service' | 'region-admin' | 'shopper';

export interface KindRule {
  schema: z.ZodType;
  db: DbKind;
  /** Who writes it at its home node. */
  writers: Writer[];
  /** Documents a writer may create but never change or delete. */
  immutable?: boolean;
  /** Regional documents carry region_code and stay in their region. */
  regional: boolean;
  /** Ids (a regex) in this kind that only the service may write: the ones it derives itself. */
  serviceIds?: string;
}

export const KINDS: Record<string, KindRule> = {
  category: { schema: Category, db: 'catalog', writers: ['central-admin'], regional: false },
  product: { schema: Product, db: 'catalog', writers: ['central-admin'], regional: false },
  warehouse: { schema: Warehouse, db: 'inventory', writers: ['service'], regional: true },
  warehouse_item: { schema: WarehouseItem, db: 'inventory', writers: ['service'], regional: true },
  user: { schema: UserProfile, db: 'ops', writers: ['service'], regional: true },
  order: { schema: Order, db: 'ops', writers: ['service'], regional: true },
  ledger: { schema: LedgerEntry, db: 'ops', writers: ['service', 'region-admin'], immutable: true, regional: true, serviceIds: SERVICE_LEDGER_IDS },
  admin_request: { schema: AdminRequest, db: 'ops', writers: ['service', 'region-admin', 'central-admin'], immutable: true, regional: true },
  request_result: { schema: RequestResult, db: 'ops', writers: ['service'], immutable: true, regional: true },
  sales_tally: { schema: SalesTally, db: 'ops', writers: ['service'], regional: true },
  health: { schema: NodeHealth, db: 'ops', writers: ['service'], regional: true },
  cart_item: { schema: CartItem, db: 'userdb', writers: ['shopper'], regional: true },
  checkout_request: { schema: CheckoutRequest, db: 'userdb', writers: ['shopper'], immutable: true, regional: true },
  order_copy: { schema: OrderCopy, db: 'userdb', writers: ['service'], regional: true },
};

export function kindsOf(db: DbKind) {
  return Object.entries(KINDS).filter(([, k]) => k.db === db);
}

/** A person-readable list of what is wrong with a document, or null when it is valid. */
export function problems(doc: unknown): string | null {
  const type = (doc as { type?: unknown } | null)?.type;
  const rule = typeof type === 'string' ? KINDS[type] : undefined;
  if (!rule) return `type: unknown document type ${JSON.stringify(type)}`;
  const r = rule.schema.safeParse(doc);
  if (r.success) return null;
  return r.error.issues.map((i) => `${type}.${i.path.join('.') || '(document)'}: ${i.message}`).join('; ');
}
export * from './order-state.ts';
export * from './stock.ts';
export * from './checkout.ts';
export * from './cart.ts';
export * from './order-ref.ts';
