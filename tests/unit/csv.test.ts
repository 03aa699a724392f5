import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/lib/reports/csv.ts';

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

  it('quotes separators, quotes and line breaks, keeps any character', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x\ny')).toBe('"x\ny"');
    expect(csvCell('Kopi ☕ – café')).toBe('Kopi ☕ – café');
    expect(csvCell(Number.NaN)).toBe('');
  });
});
