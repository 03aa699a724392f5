// A 5x7 bitmap font (A-Z, 0-9 and a little punctuation), so demo product tiles
// carry readable letters without a font file or a text renderer. Glyphs are
// drawn as whole-pixel blocks: crisp at any scale, and no seams between cells.
import type { Raster, RGB } from './raster.ts';

export const GLYPH_W = 5;
export const GLYPH_H = 7;

// One glyph: seven rows of five cells, '1' for ink.
const GLYPHS: Record<string, string> = {
  A: '01110 10001 10001 11111 10001 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11110 10001 10001 10001 10001 10001 11110',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 10001 01010 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  0: '01110 10001 10011 10101 11001 10001 01110',
  1: '00100 01100 00100 00100 00100 00100 01110',
  2: '01110 10001 00001 00010 00100 01000 11111',
  3: '11111 00010 00100 00010 00001 10001 01110',
  4: '00010 00110 01010 10010 11111 00010 00010',
  5: '11111 10000 11110 00001 00001 10001 01110',
  6: '00110 01000 10000 11110 10001 10001 01110',
  7: '11111 00001 00010 00100 01000 01000 01000',
  8: '01110 10001 10001 01110 10001 10001 01110',
  9: '01110 10001 10001 01111 00001 00010 01100',
  ',': '00000 00000 00000 00000 01100 00100 01000',
  '.': '00000 00000 00000 00000 00000 01100 01100',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  '&': '01100 10010 10100 01000 10101 10010 01101',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
};

/** Each glyph's ink as horizontal runs per row, [row, first cell, length], so a run is one block. */
const RUNS = new Map<string, Array<[number, number, number]>>(
  Object.entries(GLYPHS).map(([ch, bits]) => [ch, bits.split(' ').flatMap((row, y) => [...row.matchAll(/1+/g)].map((m): [number, number, number] => [y, m.index!, m[0].length]))]),
);

/** Upper-cases and drops what the font cannot draw. */
export const printable = (text: string) => [...text.toUpperCase()].filter((ch) => RUNS.has(ch)).join('');

/** Width of a line in cells: five per glyph and one between glyphs. */
export const textCells = (text: string) => Math.max(0, text.length * (GLYPH_W + 1) - 1);

/** The largest whole-pixel cell at which `text` fits in w x h pixels (0: it does not fit). */
export const fitCell = (text: string, w: number, h: number) => Math.max(0, Math.floor(Math.min(h / GLYPH_H, w / Math.max(1, textCells(text)))));

/** Draws `text` (printable) centred on (cx, cy) pixels, each cell `cell` pixels square. */
export function drawText(r: Raster, text: string, cx: number, cy: number, cell: number, c: RGB) {
  const x0 = Math.round(cx - (textCells(text) * cell) / 2);
  const y0 = Math.round(cy - (GLYPH_H * cell) / 2);
  [...text].forEach((ch, i) => {
    const gx = x0 + i * (GLYPH_W + 1) * cell;
    for (const [y, x, n] of RUNS.get(ch) ?? []) r.block(gx + x * cell, y0 + y * cell, gx + (x + n) * cell, y0 + (y + 1) * cell, c);
  });
}
