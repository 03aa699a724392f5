// What text a report file can hold. Names come from people, so anything can be
// in them: control characters, lone surrogates, emoji, text that looks like a
// formula. Each format gets the same name back, minus what it cannot carry.

// Not allowed anywhere in an XML 1.0 document (so not in an .xlsx): C0 controls
// other than tab/LF/CR, unpaired surrogates, U+FFFE and U+FFFF. DEL is legal XML
// but exceljs drops it on write, so it goes here too and the rule stays one rule.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text as an .xlsx cell can hold it: characters XML 1.0 cannot hold are removed. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, '');
}

// In OOXML strings `_xHHHH_` is an escape for a character (Excel and exceljs
// decode it on read), so a literal one is written with its `_` escaped. A CR
// would come back as LF (XML parsers normalise line ends), so it is escaped
// the way Excel itself writes it.
const OOXML_ESCAPE = /_(?=x[0-9A-Fa-f]{4}_)/g;

/** The text as it goes into an .xlsx string, so that it reads back as `xmlText(s)`. */
export function xlsxString(s: string): string {
  return xmlText(s).replace(OOXML_ESCAPE, '_x005F_').replace(/\r/g, '_x000D_');
}

// Emoji and their joiners: the embedded PDF font has no glyphs for them.
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|[\u200D\uFE0E\uFE0F\u20E3]|[\u{E0020}-\u{E007F}]/gu;
// C1 controls and line/paragraph separators would break a table cell's line.
const PDF_SPACE = /[\t\n\r\u0085\u2028\u2029]+/g;
const PDF_DROP = /[\u0080-\u009F]/g;

/** The text as the PDF shows it on one line: no controls, no emoji (no glyphs for them), nothing else changed. */
export function pdfText(s: string): string {
  return xmlText(s).replace(PDF_SPACE, ' ').replace(PDF_DROP, '').replace(EMOJI, '').replace(/ {2,}/g, ' ').trim();
}
