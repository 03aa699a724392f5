// The shape of couchdb/topology.json: which nodes exist. Adding a region is
// an edit of that file plus `init`, never a code change.
import { z } from 'zod';
import { RegionCode, Text } from './common.ts';

export const WarehouseSpec = z.strictObject({
  code: z.string().regex(/^[A-Z0-9-]{2,20}$/),
  name: Text(80),
  city: Text(80),
  delivery_days: z.strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) }),
});

export const RegionSpec = z.strictObject({
  code: RegionCode,
  name: Text(80),
  url: z.string().url(),
  warehouses: z.array(WarehouseSpec).min(1),
});
export type RegionSpec = z.infer<typeof RegionSpec>;

export const Topology = z
  .strictObject({
    central: z.strictObject({ code: z.string(), name: Text(80), url: z.string().url() }),
    regions: z.array(RegionSpec).min(1),
    app: z.strictObject({ host: z.string(), port: z.number().int().min(0).max(65535) }).optional(),
    /** Browser origins (besides the app's own) allowed to call the nodes directly with credentials. */
    cors_origins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin such as http://host:port')).optional(),
  })
  .refine((t) => new Set(t.regions.map((r) => r.code)).size === t.regions.length, 'region codes must be unique')
  // Accounts are named after codes (repl-<code>): a region named like central would share central's lane account.
  .refine((t) => t.regions.every((r) => r.code !== 'PUSAT' && r.code !== t.central.code.toUpperCase()), 'a region code must not be central\'s (PUSAT)');
export type Topology = z.infer<typeof Topology>;

/** The databases a region shares with central (catalog is central's own, pulled by every region). */
export const REGIONAL_DBS = ['inventory', 'ops'] as const;
export type RegionalDb = (typeof REGIONAL_DBS)[number];

/**
 * A region's own database at central (`ops-bdg`, `inventory-bdg`, `catalog-bdg`): where the region's
 * lanes end, and where central writes what it sends that region (a restock request; its own copy of the
 * catalog), which the region then pulls.
 */
export const centralDbOf = (db: RegionalDb | 'catalog', code: string) => `${db}-${code.toLowerCase()}`;

/** What the browser gets: no node URLs, only codes and names (it reaches nodes through /db/<code>). */
export function publicTopology(t: Topology) {
  return {
    central: { code: t.central.code, name: t.central.name },
    regions: t.regions.map((r) => ({ code: r.code, name: r.name, warehouses: r.warehouses })),
  };
}
export type PublicTopology = ReturnType<typeof publicTopology>;
