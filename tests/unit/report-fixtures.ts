// Reports built from names people really type, for the Excel and PDF tests.
import { salesReport, stockReport } from '../../src/lib/reports/build.ts';

export const NOW = Date.parse('2026-11-25T05:00:00Z'); // 12:00 in Jakarta
export const region = { code: 'BDG', name: 'Bandung' };

export const NAMES = [
  'Kopi Gayo ☕ – 250 g',
  'Crème brûlée, niño & jalapeño',
  'Bell\u0007 tab\there\u0000null\u001Fend',
  '=HYPERLINK("http://evil","klik")',
  '+62 812',
  '-5 diskon',
  '@SUM(A1:A9)',
  'Teh 😀👩🏽‍💻 manis',
  'lone \uD800 surrogate',
  'literal _x0041_ escape',
  'line\r\nbreak',
];

/** One order a day from 2026-10-27, one per name, plus a canceled one and one without figures. */
export function salesFixture(locale: 'id' | 'en' = 'id', names = NAMES) {
  const orders = names.map((name, i) => ({
    status: 'placed',
    created_at: new Date(Date.parse('2026-10-27T00:00:00Z') + (i % 30) * 86_400_000).toISOString(),
    items: [{ product_id: `product:SKU-${i}`, name, qty: i + 1, subtotal: (i + 1) * 12_500 }],
  }));
  orders.push({ status: 'canceled', created_at: '2026-11-01T03:00:00Z', items: [{ product_id: 'product:X', name: 'canceled', qty: 9, subtotal: 9 }] });
  orders.push({ status: 'placed', created_at: '2026-11-01T03:00:00Z', items: [{ product_id: 'product:SKU-NAN', name: 'Tanpa angka', qty: Number.NaN, subtotal: Number.NaN }] });
  return salesReport({ locale, region, from: '2026-10-27', to: '2026-11-25', now: NOW, orders });
}

export function stockFixture(locale: 'id' | 'en' = 'id') {
  const lines = [
    { name: 'Beras 5 kg – premium', sku: 'BRS-5', warehouse: 'Gudang Cimahi', quantity: 0, low_threshold: 5 },
    { name: 'Gula', sku: 'GLA-1', warehouse: 'Gudang Dago', quantity: 3, low_threshold: 5 },
    { name: 'Minyak', sku: 'MNY-2', warehouse: 'Gudang Dago', quantity: 40, low_threshold: 5 },
    { name: 'Tanpa angka', sku: 'NAN-1', warehouse: 'Gudang Dago', quantity: Number.NaN, low_threshold: 5 },
  ];
  return stockReport({ locale, region, asOf: '2026-11-25', now: NOW, lines });
}
