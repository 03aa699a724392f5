// The Excel report, read back with exceljs: every cell, any name, no NaN, no formulas.
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { toXlsx, HEADER_ROW } from '../../src/lib/reports/xlsx.ts';
import { NAMES, salesFixture, stockFixture } from './report-fixtures.ts';
import { xmlText } from '../../src/lib/reports/text.ts';
import type { Report, Value } from '../../src/lib/reports/report.ts';
import { randomText, rng } from './random-text.ts';

async function readBack(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

/** The cells of one row as values, without exceljs's leading hole. */
const rowValues = (ws: ExcelJS.Worksheet, r: number, n: number) =>
  Array.from({ length: n }, (_, i) => ws.getCell(r, i + 1).value ?? null);

describe('the sales workbook', () => {
  it('reads back with title, the period with its en dash, headers from i18n, and every row', async () => {
    const r = salesFixture();
    const ws = await readBack(await toXlsx(r));
    expect(ws.name).toBe('Penjualan');
    expect(ws.getCell('A1').value).toBe('Laporan penjualan');
    expect(ws.getCell('A2').value).toBe('Bandung (BDG) · 27 Okt 2026 – 25 Nov 2026');
    expect(ws.getCell('A3').value).toMatch(/^Dibuat 25 Nov 2026.* 12[.:]00 WIB$/);
    expect(rowValues(ws, HEADER_ROW, 4)).toEqual(['Produk', 'SKU', 'Terjual', 'Pendapatan']);
    expect(r.rows.length).toBe(NAMES.length + 1);
    r.rows.forEach((row, i) => {
      const got = rowValues(ws, HEADER_ROW + 1 + i, 4);
      expect(got).toEqual(row.map((v) => (typeof v === 'string' ? xmlText(v) : v)));
      expect(typeof got[2]).toBe('number');
      expect(typeof got[3]).toBe('number');
      expect(ws.getCell(HEADER_ROW + 1 + i, 4).numFmt).toContain('Rp');
    });
    // Names come back as typed, minus only what XML cannot hold.
    const names = r.rows.map((_, i) => ws.getCell(HEADER_ROW + 1 + i, 1).value);
    expect(names).toContain('Kopi Gayo ☕ – 250 g');
    expect(names).toContain('Crème brûlée, niño & jalapeño');
    expect(names).toContain('Bell tab\therenullend');
    expect(names).toContain('=HYPERLINK("http://evil","klik")');
    expect(names).toContain('Teh 😀👩🏽‍💻 manis');
    expect(names).toContain('lone  surrogate');
    expect(names).toContain('literal _x0041_ escape');
    expect(names).toContain('line\r\nbreak');
    const total = rowValues(ws, HEADER_ROW + 1 + r.rows.length, 4);
    expect(total).toEqual(['Total (12 pesanan)', null, NAMES.reduce((n, _, i) => n + i + 1, 0), NAMES.reduce((n, _, i) => n + (i + 1) * 12_500, 0)]);
  });

  it('a sales line without figures adds nothing to the sums (0 sold), and no cell is ever NaN', async () => {
    const ws = await readBack(await toXlsx(salesFixture()));
    const all: unknown[] = [];
    ws.eachRow((row) => row.eachCell((c) => all.push(c.value)));
    expect(all.some((v) => typeof v === 'number' && !Number.isFinite(v))).toBe(false);
    let found = false;
    ws.eachRow((row) => {
      if (row.getCell(1).value === 'Tanpa angka') {
        found = true;
        expect([row.getCell(3).value, row.getCell(4).value]).toEqual([0, 0]);
      }
    });
    expect(found).toBe(true);
  });

  it('keeps formula-like names as text cells, never formulas', async () => {
    const ws = await readBack(await toXlsx(salesFixture()));
    ws.eachRow((row) => row.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('has a sheet per day of the period: date cells, the orders, units and revenue of each, and the same total', async () => {
    const r = salesFixture();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await toXlsx(r)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[1];
    expect(ws.name).toBe('Per hari');
    expect(ws.getCell('A2').value).toBe('Bandung (BDG) · 27 Okt 2026 – 25 Nov 2026');
    expect(rowValues(ws, HEADER_ROW, 4)).toEqual(['Tanggal', 'Pesanan', 'Terjual', 'Pendapatan']);
    const days = r.breakdown!.rows.length;
    expect(days).toBe(30);
    const first = ws.getCell(HEADER_ROW + 1, 1);
    // A real date, the first of the period, shown as a day: a spreadsheet sorts and filters it as one.
    expect(first.value).toBeInstanceOf(Date);
    expect((first.value as Date).toISOString()).toBe('2026-10-27T00:00:00.000Z');
    expect(first.numFmt).toBe('d mmm yyyy');
    const revenue = Array.from({ length: days }, (_, i) => ws.getCell(HEADER_ROW + 1 + i, 4).value as number);
    const orders = Array.from({ length: days }, (_, i) => ws.getCell(HEADER_ROW + 1 + i, 2).value as number);
    const total = rowValues(ws, HEADER_ROW + 1 + days, 4);
    expect(total[0]).toBe('Total');
    expect(total[1]).toBe(orders.reduce((n, x) => n + x, 0));
    expect(total[3]).toBe(revenue.reduce((n, x) => n + x, 0));
    // The days add up to the report's own total (its last row, the sum of every product line).
    expect(total[3]).toBe(r.total[3]);
    expect(total[1]).toBe(12);
  });

  it('follows the language: English headers, title and sheet name', async () => {
    const ws = await readBack(await toXlsx(salesFixture('en')));
    expect(ws.name).toBe('Sales');
    expect(ws.getCell('A1').value).toBe('Sales report');
    expect(ws.getCell('A3').value).toMatch(/^Generated 25 Nov 2026, 12:00 WIB$/);
    expect(rowValues(ws, HEADER_ROW, 4)).toEqual(['Product', 'SKU', 'Units sold', 'Revenue']);
  });
});

describe('the stock workbook', () => {
  it('has a SKU column, counts as numbers, a missing figure as an empty cell, and statuses in words', async () => {
    const r = stockFixture();
    const ws = await readBack(await toXlsx(r));
    expect(ws.getCell('A2').value).toBe('Bandung (BDG) · per 25 Nov 2026');
    expect(rowValues(ws, HEADER_ROW, 6)).toEqual(['Produk', 'SKU', 'Gudang', 'Stok', 'Batas menipis', 'Status']);
    expect(rowValues(ws, HEADER_ROW + 1, 6)).toEqual(['Beras 5 kg – premium', 'BRS-5', 'Gudang Cimahi', 0, 5, 'Habis']);
    expect(rowValues(ws, HEADER_ROW + 2, 6)).toEqual(['Gula', 'GLA-1', 'Gudang Dago', 3, 5, 'Menipis']);
    expect(rowValues(ws, HEADER_ROW + 3, 6)).toEqual(['Minyak', 'MNY-2', 'Gudang Dago', 40, 5, 'Normal']);
    // Unknown stock is not "0 in stock": the cell stays empty and the status unknown.
    expect(rowValues(ws, HEADER_ROW + 4, 6)).toEqual(['Tanpa angka', 'NAN-1', 'Gudang Dago', null, 5, null]);
    expect(rowValues(ws, HEADER_ROW + 5, 6)).toEqual(['Total (4 baris)', null, null, 43, null, null]);
  });
});

describe('any text, read back (property)', () => {
  it('every random name reads back equal, minus what XML 1.0 cannot hold, as a text cell', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = rng(seed);
      const rows: Value[][] = Array.from({ length: 30 }, () => {
        const n = next();
        const num = n < 0.1 ? Number.NaN : n < 0.15 ? Number.POSITIVE_INFINITY : Math.round((next() - 0.3) * 1e7);
        return [randomText(next), randomText(next), num];
      });
      const r: Report = {
        locale: 'id', title: randomText(next), subtitle: randomText(next), generated: 'x', sheet: randomText(next, 3), file: 'f',
        columns: [{ label: randomText(next), kind: 'text', width: 20 }, { label: 'b', kind: 'text', width: 20 }, { label: 'c', kind: 'idr', width: 20 }],
        rows, total: ['t', null, 0], empty: '',
      };
      const ws = await readBack(await toXlsx(r));
      const text = (s: string) => (xmlText(s) === '' ? null : xmlText(s));
      expect(ws.getCell('A1').value, `seed ${seed}`).toBe(text(r.title));
      expect(ws.getCell('A2').value, `seed ${seed}`).toBe(text(r.subtitle));
      expect(ws.getCell(HEADER_ROW, 1).value, `seed ${seed}`).toBe(text(r.columns[0].label));
      rows.forEach((row, i) => {
        const got = rowValues(ws, HEADER_ROW + 1 + i, 3);
        const want = [text(row[0] as string), text(row[1] as string), Number.isFinite(row[2]) ? row[2] : null];
        expect(got, `seed ${seed} row ${i}: ${JSON.stringify(row)}`).toEqual(want);
        for (let c = 1; c <= 2; c++) {
          const cell = ws.getCell(HEADER_ROW + 1 + i, c);
          expect(cell.type === ExcelJS.ValueType.String || cell.type === ExcelJS.ValueType.Null, `seed ${seed}`).toBe(true);
        }
      });
    }
  });
});
