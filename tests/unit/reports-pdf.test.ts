// The PDF report, rendered in Node and read back with poppler (pdftoppm, pdftotext):
// the page is drawn, the chart is there, and every character a font can show survives.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPdf, type PdfFonts } from '../../src/lib/reports/pdf.ts';
import { salesReport } from '../../src/lib/reports/build.ts';
import { NOW, region, salesFixture, stockFixture } from './report-fixtures.ts';
import { randomText, rng } from './random-text.ts';

const fonts: PdfFonts = {
  regular: new Uint8Array(readFileSync('static/fonts/Roboto-Regular.ttf')),
  bold: new Uint8Array(readFileSync('static/fonts/Roboto-Medium.ttf')),
};

// Every file this test writes, under one directory it removes.
const scratch = mkdtempSync(join(tmpdir(), 'sebaran-reports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function save(bytes: Uint8Array): string {
  const file = join(mkdtempSync(join(scratch, 'pdf-')), 'report.pdf');
  writeFileSync(file, bytes);
  return file;
}

const text = (file: string) => execFileSync('pdftotext', ['-layout', file, '-']).toString();
const pages = (file: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);

/** Page 1 as pixels (PPM from pdftoppm): size and how many are ink, and how many are the chart's teal. */
function page1(file: string) {
  const dir = mkdtempSync(join(scratch, 'ppm-'));
  execFileSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', file, join(dir, 'p')]);
  const ppm = readFileSync(join(dir, readdirSync(dir)[0]));
  const [, w, h] = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 30).toString('latin1'))!.map(Number);
  const data = ppm.subarray(ppm.length - w * h * 3);
  let ink = 0;
  let teal = 0;
  for (let i = 0; i < data.length; i += 3) {
    if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink++;
    if (Math.abs(data[i] - 0x0f) < 40 && Math.abs(data[i + 1] - 0x76) < 40 && Math.abs(data[i + 2] - 0x6e) < 40) teal++;
  }
  return { w, h, ink, teal };
}

describe('the sales PDF', () => {
  it('renders page 1 as an A4 page with ink on it, a PNG of it too', async () => {
    const file = save(await toPdf(salesFixture(), fonts));
    const p = page1(file);
    expect([Math.abs(p.w - 413.5) < 1, p.h]).toEqual([true, 585]); // A4 at 50 dpi
    expect(p.ink).toBeGreaterThan(2000);
    const dir = mkdtempSync(join(scratch, 'png-'));
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, join(dir, 'p')]);
    expect(statSync(join(dir, readdirSync(dir)[0])).size).toBeGreaterThan(3000);
  });

  it('keeps the en dash, accents and the names around emoji; nothing turns into ?', async () => {
    const out = text(save(await toPdf(salesFixture(), fonts)));
    expect(out).toContain('Laporan penjualan');
    expect(out).toContain('Bandung (BDG) · 27 Okt 2026 – 25 Nov 2026');
    expect(out).toContain('Kopi Gayo – 250 g');
    expect(out).toContain('Crème brûlée, niño & jalapeño');
    expect(out).toContain('Teh manis');
    expect(out).toContain('Bell tab herenullend');
    expect(out).toContain('=HYPERLINK("http://evil","klik")');
    expect(out).not.toContain('?');
    expect(out).not.toContain('\uFFFD');
    // Columns from i18n, the SKU among them, money in rupiah, the total line, the page footer.
    expect(out).toMatch(/Produk\s+SKU\s+Terjual\s+Pendapatan/);
    expect(out).toMatch(/SKU-0\s+1\s+Rp\s12\.500/);
    expect(out).toMatch(/Total \(12 pesanan\)\s+66\s+Rp\s825\.000/);
    expect(out).toContain('Penjualan harian (pendapatan)');
    expect(out).toContain('Halaman 1 dari 1');
  });

  it('draws the daily sales chart as bars', async () => {
    const withSales = page1(save(await toPdf(salesFixture(), fonts)));
    // The same period with no orders: the chart is empty, so the teal is the bars.
    const none = page1(save(await toPdf(salesReport({ locale: 'id', region, from: '2026-10-27', to: '2026-11-25', now: NOW, orders: [] }), fonts)));
    expect(none.teal).toBe(0);
    expect(withSales.teal).toBeGreaterThan(200);
  });

  it('follows the language: English title, headers, chart and footer', async () => {
    const out = text(save(await toPdf(salesFixture('en'), fonts)));
    expect(out).toContain('Sales report');
    expect(out).toMatch(/Product\s+SKU\s+Units sold\s+Revenue/);
    expect(out).toContain('Daily sales (revenue)');
    expect(out).toContain('Generated 25 Nov 2026, 12:00 WIB');
    expect(out).toContain('Page 1 of 1');
  });

  it('runs over pages with the header repeated on each', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `Produk nomor ${i} – ukuran ñ`);
    const file = save(await toPdf(salesFixture('id', names), fonts));
    const n = pages(file);
    expect(n).toBeGreaterThan(2);
    const out = text(file);
    expect(out.match(/Produk\s+SKU\s+Terjual\s+Pendapatan/g)!.length).toBe(n);
    expect(out).toContain(`Halaman ${n} dari ${n}`);
    expect(out).toContain('Produk nomor 149 – ukuran ñ');
  });
});

describe('the stock PDF', () => {
  it('lists SKU, warehouse, stock and status in words; an unknown figure is left blank', async () => {
    const out = text(save(await toPdf(stockFixture(), fonts)));
    expect(out).toContain('Laporan stok');
    expect(out).toContain('Bandung (BDG) · per 25 Nov 2026');
    expect(out).toMatch(/Produk\s+SKU\s+Gudang\s+Stok\s+Batas menipis\s+Status/);
    expect(out).toMatch(/Beras 5 kg – premium\s+BRS-5\s+Gudang Cimahi\s+0\s+5\s+Habis/);
    expect(out).toMatch(/Tanpa angka\s+NAN-1\s+Gudang Dago\s+5\n/);
    expect(out).toMatch(/Total \(4 baris\)\s+43/);
  });
});

describe('any text (property)', () => {
  it('random names never break the PDF, and the text beside them survives', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const next = rng(seed);
      const names = Array.from({ length: 25 }, (_, i) => `${randomText(next)} «ok-${i}–é» ${randomText(next)}`);
      const file = save(await toPdf(salesFixture('id', names), fonts));
      expect(page1(file).ink, `seed ${seed}`).toBeGreaterThan(2000);
      // Reading order without layout keeps a wrapped name's lines together.
      const out = execFileSync('pdftotext', [file, '-']).toString();
      const joined = out.replace(/\s+/g, '');
      for (let i = 0; i < names.length; i++) expect(joined, `seed ${seed}`).toContain(`«ok-${i}–é»`);
      const questionsIn = names.join('').split('?').length - 1;
      expect(out.split('?').length - 1, `seed ${seed}`).toBeLessThanOrEqual(questionsIn);
    }
  });
});
