// Reading the ops design doc's product_sales view (key [product, region], value [units, revenue]),
// shared by central's overview and product page and the regional overview.

type Row = { key: unknown[]; value: [number, number] };

export interface ProductSales {
  product: string;
  units: number;
  revenue: number;
}

/** One row a product, every region the node holds summed. */
export const BEST_SELLERS_QUERY = { group_level: 1 } as const;

/** One row a region, for one product. */
export const productByRegionQuery = (productId: string) => ({ group: true, startkey: [productId], endkey: [productId, {}] });

/** The `n` products sold most (by units), from rows of BEST_SELLERS_QUERY. */
export function bestSellers(rows: Row[], n = 10): ProductSales[] {
  return rows
    .map((r) => ({ product: r.key[0] as string, units: r.value[0], revenue: r.value[1] }))
    .sort((a, b) => b.units - a.units)
    .slice(0, n);
}

/** Units and revenue in each of `regions` (0 where it sold nothing), from rows of productByRegionQuery. */
export function salesByRegion(rows: Row[], regions: string[]) {
  const sold = new Map(rows.map((r) => [r.key[1] as string, r.value]));
  return regions.map((region) => ({ region, units: sold.get(region)?.[0] ?? 0, revenue: sold.get(region)?.[1] ?? 0 }));
}
