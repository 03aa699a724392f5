// A small PDF writer: title, subtitle, a table over as many A4 pages as it
// needs, and a totals line. Standard Helvetica, so no fonts are embedded.
export interface PdfTable {
  title: string;
  subtitle: string;
  header: string[];
  /** Column widths in points; the page is 595 wide with 40 pt margins. */
  widths: number[];
  rows: string[][];
  totals?: string;
}

// Helvetica speaks WinAnsi: keep text to what it can show.
const clean = (s: string) => s.replace(/\u00a0/g, ' ').replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');
const esc = (s: string) => clean(s).replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');

export function pdf(t: PdfTable): Uint8Array {
  const pages: string[] = [];
  const top = 800;
  const line = 16;
  let ops: string[] = [];
  let y = top;
  const text = (x: number, yy: number, s: string, size = 10, bold = false) =>
    ops.push(`BT /${bold ? 'F2' : 'F1'} ${size} Tf ${x} ${yy} Td (${esc(s)}) Tj ET`);
  const fit = (s: string, w: number) => (clean(s).length * 5.2 > w ? clean(s).slice(0, Math.max(1, Math.floor(w / 5.2) - 2)) + '..' : s);
  const headerRow = () => {
    let x = 40;
    t.header.forEach((h, i) => {
      text(x, y, fit(h, t.widths[i]), 10, true);
      x += t.widths[i];
    });
    ops.push(`40 ${y - 4} m 555 ${y - 4} l S`);
    y -= line + 2;
  };
  const newPage = (first: boolean) => {
    if (!first) pages.push(ops.join('\n'));
    ops = [];
    y = top;
    if (first) {
      text(40, y, t.title, 16, true);
      y -= 22;
      text(40, y, t.subtitle, 10);
      y -= 26;
    }
    headerRow();
  };
  newPage(true);
  for (const r of t.rows) {
    if (y < 60) newPage(false);
    let x = 40;
    r.forEach((c, i) => {
      text(x, y, fit(c, t.widths[i] - 6), 9);
      x += t.widths[i];
    });
    y -= line;
  }
  if (t.totals) {
    if (y < 60) newPage(false);
    ops.push(`40 ${y + 10} m 555 ${y + 10} l S`);
    text(40, y - 4, t.totals, 11, true);
  }
  pages.push(ops.join('\n'));

  // Objects: 1 catalog, 2 pages, 3 F1, 4 F2, then (page, content) pairs.
  const objs: string[] = [];
  const kids = pages.map((_, i) => `${5 + i * 2} 0 R`).join(' ');
  objs.push('<< /Type /Catalog /Pages 2 0 R >>');
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  pages.forEach((content, i) => {
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${6 + i * 2} 0 R >>`);
    const bytes = latin1(content);
    objs.push(`<< /Length ${bytes.length} >>\nstream\n${content}\nendstream`);
  });
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(latin1(out).length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = latin1(out).length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return latin1(out);
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
