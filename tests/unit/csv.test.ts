import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/lib/reports/csv.ts';
import { randomText, rng } from './random-text.ts';

/** RFC 4180 with `;`: what Excel reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ';') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('CSV for Excel in an Indonesian locale', () => {
  it('starts with a BOM and separates fields with ;', () => {
    expect(toCsv(['a', 'b'], [['x', 1]])).toBe('\uFEFFa;b\r\nx;1\r\n');
  });

  it('makes text that would run as a formula inert', () => {
    for (const evil of ['=HYPERLINK("http://x","klik")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(csvCell(evil).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvCell('Kopi = enak')).toBe('Kopi = enak');
    expect(csvCell(-5)).toBe('-5'); // numbers stay numbers
  });

  it('writes numbers with a decimal comma and a missing figure as an empty field', () => {
    expect(csvCell(1.5)).toBe('1,5');
    expect(csvCell(12000)).toBe('12000');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('');
  });

  it('quotes separators, quotes and line breaks, keeps any character', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x\ny')).toBe('"x\ny"');
    expect(csvCell('Kopi ☕ – café')).toBe('Kopi ☕ – café');
  });

  it('any random text reads back as written, and no field starts a formula (property)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = rng(seed);
      const header = [randomText(next), randomText(next)];
      const rows = Array.from({ length: 10 }, () => [randomText(next), randomText(next), Math.round((next() - 0.5) * 1e6)]);
      const csv = toCsv(header, rows);
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const back = parseCsv(csv.slice(1));
      expect(back.length, `seed ${seed}`).toBe(rows.length + 1);
      [header, ...rows].forEach((row, r) =>
        row.forEach((v, c) => {
          const got = back[r][c];
          if (typeof v === 'number') return expect(got, `seed ${seed}`).toBe(String(v));
          expect(got, `seed ${seed}`).toBe(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
          expect(/^[=+\-@\t\r]/.test(got), `seed ${seed}: ${JSON.stringify(got)}`).toBe(false);
        }),
      );
    }
  });
});
