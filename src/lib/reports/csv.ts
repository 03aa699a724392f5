// A CSV download for tables an admin wants to take away. Written for Excel in
// an Indonesian locale: a BOM (so UTF-8 names survive), `;` between fields
// (`,` is the decimal separator there), and text that a spreadsheet would run
// as a formula (=, +, -, @, tab, CR at the start) made inert with a leading '.
// Numbers stay numbers, with a decimal comma for the same locale.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v).replace('.', ',') : '';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Array<Array<string | number>>): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}

export function download(name: string, body: BlobPart, type: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
