// A report as an Excel workbook, written by exceljs. Loaded only when an admin
// asks for one (the page imports this module dynamically), so the shop's own
// JavaScript stays small.
import ExcelJS from 'exceljs';
import { xlsxString } from './text.ts';
import { figure, type ColumnKind, type Report, type Table, type Value } from './report.ts';

/** Where the table starts: title, subtitle and "generated" lines come first. */
export const HEADER_ROW = 4;

export const NUM_FMT: Record<ColumnKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  idr: '"Rp"\\ #,##0',
  day: 'd mmm yyyy',
  month: 'mmm yyyy',
};

/**
 * The value exceljs stores. Text is always a string cell, never a formula: an
 * .xlsx keeps formulas in their own element, so "=HYPERLINK(...)" typed as a
 * name is shown as those characters and never run. Empty text and missing
 * figures are empty cells. A day or month is a date cell (midnight UTC, which
 * a spreadsheet reads as that calendar day), so it sorts and filters as one.
 */
function cellValue(v: Value, kind: ColumnKind = 'text'): string | number | Date | null {
  if (typeof v === 'number') return figure(v);
  if (typeof v !== 'string') return null;
  if ((kind === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(v)) || (kind === 'month' && /^\d{4}-\d{2}$/.test(v))) {
    const at = new Date(`${kind === 'month' ? `${v}-01` : v}T00:00:00Z`);
    if (Number.isFinite(at.getTime())) return at;
  }
  const s = xlsxString(v);
  return s === '' ? null : s;
}

/** Excel refuses sheet names over 31 characters or with []:*?/\\ in them. */
const sheetName = (name: string, fallback: string) => xlsxString(name).replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || fallback;

/** One sheet: the report's title, subtitle and "generated" lines, then the table with its total. */
function addSheet(wb: ExcelJS.Workbook, r: Report, t: Table, fallback: string) {
  const ws = wb.addWorksheet(sheetName(t.sheet, fallback), { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  ws.columns = t.columns.map((c) => ({ width: c.width }));
  ws.getCell(1, 1).value = cellValue(r.title);
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = cellValue(r.subtitle);
  ws.getCell(3, 1).value = cellValue(r.generated);
  ws.getCell(3, 1).font = { italic: true, color: { argb: 'FF666666' } };

  const header = ws.getRow(HEADER_ROW);
  t.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = cellValue(c.label);
    cell.font = { bold: true };
    cell.border = { bottom: { style: 'thin' } };
    if (c.kind !== 'text') cell.alignment = { horizontal: 'right' };
  });
  const put = (values: Value[], at: number, bold = false) => {
    const row = ws.getRow(at);
    t.columns.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.value = cellValue(values[i] ?? null, c.kind);
      if (NUM_FMT[c.kind]) cell.numFmt = NUM_FMT[c.kind]!;
      if (bold) cell.font = { bold: true };
    });
  };
  t.rows.forEach((values, i) => put(values, HEADER_ROW + 1 + i));
  put(t.total, HEADER_ROW + 1 + t.rows.length, true);
  ws.getRow(HEADER_ROW + 1 + t.rows.length).eachCell((c) => (c.border = { top: { style: 'thin' } }));
}

export async function toXlsx(r: Report): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Sebaran';
  wb.title = xlsxString(r.title);
  addSheet(wb, r, r, 'Sheet1');
  if (r.breakdown) addSheet(wb, r, r.breakdown, 'Sheet2');
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
