// The demo catalogue: every product has its own name and its own pictures (a 128 px
// thumbnail and a 480 px photo, valid PNGs), all repeatable from the seed.
import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { loadTopology } from '../../server/config.ts';
import { defaultDemoOptions, generateDemo, rng, type DemoOptions } from '../../server/ops/demo-data.ts';
import { demoProducts } from '../../server/ops/demo-products.ts';
import type { Product } from '../../src/lib/model/index.ts';

const topology = loadTopology();
const options = (o: Partial<DemoOptions>): DemoOptions => ({ ...defaultDemoOptions(), anchor: new Date('2026-11-01T00:00:00Z'), ...o });
const productsOf = (o: Partial<DemoOptions>, t = topology) =>
  generateDemo(t, options(o)).catalog.filter((d): d is Product => d.type === 'product');

const png = (p: Product, name: string) => Buffer.from((p._attachments as any)[name].data, 'base64');

/** Width, height and the inflated scanlines of a PNG. */
function decode(b: Buffer) {
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  let width = 0, height = 0;
  const idat: number[] = [];
  for (let o = 8; o < b.length;) {
    const len = b.readUInt32BE(o), type = b.toString('ascii', o + 4, o + 8);
    if (type === 'IHDR') [width, height] = [b.readUInt32BE(o + 8), b.readUInt32BE(o + 12)];
    if (type === 'IDAT') for (const byte of b.subarray(o + 8, o + 8 + len)) idat.push(byte);
    o += 12 + len;
  }
  return { width, height, raw: inflateSync(Uint8Array.from(idat)) };
}

describe('demo product names', () => {
  it.each([200, 5_000])('are unique for %i products', (n) => {
    const names = productsOf({ products: n, photos: false }).map((p) => p.name);
    expect(names).toHaveLength(n);
    expect(new Set(names).size).toBe(n);
  });

  it('are unique for 50,000 products', () => {
    // Names come from the catalogue alone: no regions, so no stock and orders to generate for them.
    const names = productsOf({ products: 50_000, photos: false }, { ...topology, regions: [] }).map((p) => p.name);
    expect(new Set(names).size).toBe(50_000);
    expect(names.filter((n) => / \(Varian \d+\)$/.test(n)).length).toBeGreaterThan(0);
  });

  it('keep the SKU scheme, the categories in turn, and read as noun, brand and size', () => {
    const products = productsOf({ products: 20, photos: false });
    expect(products.slice(0, 3).map((p) => p.sku)).toEqual(['SEM-00001', 'MIN-00002', 'MAK-00003']);
    expect(products[10].sku).toBe('SEM-00011');
    expect(products[0].category_id).toBe(products[10].category_id);
    for (const p of products) {
      expect(p.price % 500).toBe(0);
      expect(p.price).toBeGreaterThanOrEqual(2_000);
      expect(p.price).toBeLessThanOrEqual(200_000);
      expect(['pcs', 'pak', 'botol', 'kg', 'dus']).toContain(p.unit);
    }
  });

  it('have a description that matches: the same product, brand, size and variant', () => {
    const next = demoProducts(rng(7).next);
    for (let i = 0; i < 5_000; i++) {
      const d = next(i);
      expect(d.name.startsWith(`${[d.kind.noun, d.variety].filter(Boolean).join(' ')} ${d.brand.name}`)).toBe(true);
      expect(d.description).toContain(`merek ${d.brand.name}`);
      expect(d.name).toContain(d.size);
      expect(d.description).toContain(d.size);
      const suffix = d.variant > 1 ? ` (Varian ${d.variant})` : '';
      expect(d.name.endsWith(`${d.size}${suffix}`)).toBe(true);
      if (suffix) expect(d.description).toContain(`varian ${d.variant}`);
    }
  });

  it('depend on the seed only', () => {
    const names = (seed: number) => productsOf({ seed, products: 300, photos: false }).map((p) => p.name);
    expect(names(42)).toEqual(names(42));
    expect(names(43)).not.toEqual(names(42));
  });
});

describe('demo product pictures', () => {
  const products = productsOf({ products: 200 });

  it('each product has a 128 px thumbnail and a 480 px photo that decode', () => {
    for (const p of products) {
      expect(Object.keys(p._attachments ?? {}).sort()).toEqual(['photo.png', 'thumb.png']);
      for (const [name, size, budget] of [['thumb.png', 128, 4_096], ['photo.png', 480, 30_720]] as const) {
        expect((p._attachments as any)[name].content_type).toBe('image/png');
        const b = png(p, name);
        expect(b.length, `${p.sku} ${name}`).toBeLessThan(budget);
        const { width, height, raw } = decode(b);
        expect([width, height]).toEqual([size, size]);
        expect(raw.length).toBe((width * 3 + 1) * height);
      }
    }
  });

  it('differ from product to product, neighbours in a category included', () => {
    const thumbs = products.map((p) => png(p, 'thumb.png').toString('base64'));
    for (let i = 0; i + 10 < products.length; i++) {
      expect(products[i + 10].category_id).toBe(products[i].category_id);
      expect(thumbs[i + 10], `${products[i].sku} and ${products[i + 10].sku}`).not.toBe(thumbs[i]);
    }
    expect(new Set(thumbs).size).toBe(products.length);
  });

  it('are the same bytes for the same seed', () => {
    const again = productsOf({ products: 20 });
    for (const [i, p] of again.entries()) {
      expect(png(p, 'thumb.png').equals(png(products[i], 'thumb.png'))).toBe(true);
      expect(png(p, 'photo.png').equals(png(products[i], 'photo.png'))).toBe(true);
    }
  });
});

describe('demo prices', () => {
  const catalog = productsOf({ products: 600, photos: false });
  const priceOf = (name: RegExp) => catalog.filter((p) => name.test(p.name)).map((p) => p.price);
  it('grow with the size of one kind, and keep kinds apart: water is never priced like rice', () => {
    const rice1 = priceOf(/^Beras .* 1 kg/), rice10 = priceOf(/^Beras .* 10 kg/);
    expect(rice1.length && rice10.length).toBeTruthy();
    expect(Math.min(...rice10)).toBeGreaterThan(Math.max(...rice1));
    const water = priceOf(/^Air Mineral .* 600 ml/);
    expect(water.length).toBeGreaterThan(0);
    expect(Math.max(...water)).toBeLessThan(Math.min(...rice1));
  });
  it('are whole multiples of Rp 500, and a sack of rice is sold by the pack', () => {
    for (const p of catalog) expect(p.price % 500, p.name).toBe(0);
    expect(new Set(catalog.filter((p) => p.name.startsWith('Beras ')).map((p) => p.unit))).toEqual(new Set(['pak']));
  });
});
