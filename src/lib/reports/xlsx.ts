// A report as an Excel workbook, written by exceljs. Loaded only when an admin
// asks for one (the page imports this module dynamically), so the shop's own
// JavaScript stays small.
import ExcelJS from 'exceljs';
import { xlsxString } from './text.ts';
import { figure, type ColumnKind, type Report, type Value } from './report.ts';

/** Where the table starts: title, subtitle and "generated" lines come first. */
export const HEADER_ROW = 4;

export const NUM_FMT: Record<ColumnKind, string | undefined> = {
  text: undefined,
  int: '#,##0',
  idr: '"Rp"\\ #,##0',
};

/**
 * The value exceljs stores. Text is always a string cell, never a formula: an
 * .xlsx keeps formulas in their own element, so "=HYPERLINK(...)" typed as a
 * name is shown as those characters and never run. Empty text and missing
 * figures are empty cells.
 */
function cellValue(v: Value): string | number | null {
  if (typeof v === 'number') return figure(v);
  if (typeof v !== 'string') return null;
  const s = xlsxString(v);
  return s === '' ? null : s;
}

export async function toXlsx(r: Report): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Sebaran';
  wb.title = xlsxString(r.title);
  // Excel refuses sheet names over 31 characters or with []:*?/\ in them.
  const ws = wb.addWorksheet(xlsxString(r.sheet).replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet1', {
    views: [{ state: 'frozen', ySplit: HEADER_ROW }],
  });
  ws.columns = r.columns.map((c) => ({ width: c.width }));
  ws.getCell(1, 1).value = cellValue(r.title);
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = cellValue(r.subtitle);
  ws.getCell(3, 1).value = cellValue(r.generated);
  ws.getCell(3, 1).font = { italic: true, color: { argb: 'FF666666' } };

  const header = ws.getRow(HEADER_ROW);
  r.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = cellValue(c.label);
    cell.font = { bold: true };
    cell.border = { bottom: { style: 'thin' } };
    if (c.kind !== 'text') cell.alignment = { horizontal: 'right' };
  });
  const put = (values: Value[], at: number, bold = false) => {
    const row = ws.getRow(at);
    r.columns.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.value = cellValue(values[i] ?? null);
      if (NUM_FMT[c.kind]) cell.numFmt = NUM_FMT[c.kind]!;
      if (bold) cell.font = { bold: true };
    });
  };
  r.rows.forEach((values, i) => put(values, HEADER_ROW + 1 + i));
  put(r.total, HEADER_ROW + 1 + r.rows.length, true);
  ws.getRow(HEADER_ROW + 1 + r.rows.length).eachCell((c) => (c.border = { top: { style: 'thin' } }));
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
