// A report as an A4 PDF, laid out by pdfmake with an embedded Unicode font
// (Roboto, shipped with the app), so "–", "é" and "ñ" print as themselves.
// Loaded only when an admin asks for a PDF.
import pdfMake from 'pdfmake/build/pdfmake.js';
import { reportText } from '../i18n/reports.ts';
import { formatIDR } from '../i18n/format.ts';
import { pdfText } from './text.ts';
import type { ColumnKind, Report, Value } from './report.ts';

/** The TrueType files of the embedded font: regular, and medium for bold. */
export interface PdfFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

const PAGE_WIDTH = 595.28 - 2 * 40; // A4 minus the margins
const INK = '#0f766e';

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function cellText(v: Value, kind: ColumnKind, locale: Report['locale']): string {
  if (v === null) return '';
  if (typeof v === 'string') return pdfText(v);
  if (!Number.isFinite(v)) return '';
  return kind === 'idr' ? formatIDR(v) : v.toLocaleString(locale === 'id' ? 'id-ID' : 'en-GB');
}

/** Bars of the sales per day (or month), drawn as vector shapes, with the first and last day under them. */
function chart(c: NonNullable<Report['chart']>) {
  const height = 110;
  const max = Math.max(0, ...c.bars.map((b) => b.value));
  const slot = PAGE_WIDTH / Math.max(1, c.bars.length);
  const bars = c.bars
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => max > 0 && b.value > 0)
    .map(({ b, i }) => {
      const h = Math.max(0.5, (b.value / max) * height);
      return { type: 'rect', x: i * slot + slot * 0.15, y: height - h, w: Math.max(0.4, slot * 0.7), h, color: INK };
    });
  const first = c.bars[0]?.label ?? '';
  const last = c.bars[c.bars.length - 1]?.label ?? '';
  return [
    {
      columns: [
        { text: pdfText(c.title), bold: true },
        { text: pdfText(c.caption), alignment: 'right', color: '#555555' },
      ],
      margin: [0, 0, 0, 4],
    },
    {
      canvas: [
        ...bars,
        { type: 'line', x1: 0, y1: height + 0.5, x2: PAGE_WIDTH, y2: height + 0.5, lineWidth: 0.5, lineColor: '#888888' },
      ],
    },
    {
      columns: [
        { text: first, fontSize: 7, color: '#555555' },
        { text: last, fontSize: 7, color: '#555555', alignment: 'right' },
      ],
      margin: [0, 2, 0, 12],
    },
  ];
}

/** The document definition: exported so a test can look at the layout without a PDF reader. */
export function pdfDefinition(r: Report) {
  const t = reportText(r.locale);
  const share = r.columns.reduce((n, c) => n + c.width, 0);
  // lightHorizontalLines pads 8 pt on each side between columns, none at the edges.
  const inner = PAGE_WIDTH - 16 * (r.columns.length - 1);
  const align = (kind: ColumnKind) => (kind === 'text' ? 'left' : 'right');
  const header = r.columns.map((c) => ({ text: pdfText(c.label), bold: true, alignment: align(c.kind) }));
  const body = r.rows.map((row) => r.columns.map((c, i) => ({ text: cellText(row[i] ?? null, c.kind, r.locale), alignment: align(c.kind) })));
  const total = r.columns.map((c, i) => ({ text: cellText(r.total[i] ?? null, c.kind, r.locale), bold: true, alignment: align(c.kind) }));
  return {
    pageSize: 'A4',
    pageMargins: [40, 40, 40, 50],
    info: { title: pdfText(r.title), subject: pdfText(r.subtitle), creator: 'Sebaran', producer: 'Sebaran' },
    defaultStyle: { font: 'Roboto', fontSize: 9 },
    footer: (page: number, pages: number) => ({ text: t('report.page', { page, pages }), alignment: 'right', fontSize: 8, color: '#555555', margin: [40, 20, 40, 0] }),
    content: [
      { text: pdfText(r.title), fontSize: 16, bold: true },
      { text: pdfText(r.subtitle), margin: [0, 2, 0, 0] },
      { text: pdfText(r.generated), fontSize: 8, color: '#555555', margin: [0, 2, 0, 12] },
      ...(r.chart ? chart(r.chart) : []),
      r.rows.length === 0
        ? { text: pdfText(r.empty), italics: true, margin: [0, 0, 0, 8] }
        : {
            table: { headerRows: 1, dontBreakRows: true, widths: r.columns.map((c) => (c.width / share) * inner), body: [header, ...body, total] },
            layout: 'lightHorizontalLines',
          },
    ],
  };
}

export function toPdf(r: Report, fonts: PdfFonts): Promise<Uint8Array> {
  const vfs = { 'Roboto-Regular.ttf': base64(fonts.regular), 'Roboto-Medium.ttf': base64(fonts.bold) };
  const family = { Roboto: { normal: 'Roboto-Regular.ttf', bold: 'Roboto-Medium.ttf', italics: 'Roboto-Regular.ttf', bolditalics: 'Roboto-Medium.ttf' } };
  return new Promise((resolve, reject) => {
    try {
      // Without a callback pdfmake lays the document out now, so bad input throws here.
      const doc = pdfMake.createPdf(pdfDefinition(r), undefined, family, vfs).getStream();
      const chunks: Uint8Array[] = [];
      doc.on('readable', () => {
        for (let c = doc.read(Number.MAX_SAFE_INTEGER); c !== null; c = doc.read(Number.MAX_SAFE_INTEGER)) chunks.push(c);
      });
      doc.on('error', reject);
      doc.on('end', () => {
        const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) out.set(c, (at += c.length) - c.length);
        resolve(out);
      });
      doc.end();
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
