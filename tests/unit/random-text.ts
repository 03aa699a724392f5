// Seeded random text for property tests: the characters people and attackers
// put in names. A failing case prints its seed, so it can be replayed.

/** mulberry32: small, fast, good enough to spread test cases. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  // formula starts and what follows them
  '=', '+', '-', '@', '=HYPERLINK("http://x","klik")', '=1+1', '+62', '-1', '@SUM(A1)', '=cmd|\' /C calc\'!A0',
  // controls, XML-illegal and line ends
  '\u0000', '\u0001', '\u0007', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F', '\u0085', '\t', '\n', '\r', '\r\n',
  '\uFFFE', '\uFFFF', '\u2028',
  // lone surrogates, a pair, emoji with joiners and modifiers
  '\uD800', '\uDFFF', '\uD83D', '\uDE00', '😀', '☕', '👩🏽‍💻', '🇮🇩', '❤️',
  // Latin with accents, dashes, quotes, separators, markup, OOXML escapes
  'é', 'ñ', 'Ç', 'ü', '–', '—', '…', '"', "'", ';', ',', '<', '>', '&', '&amp;', ']]>', '_x0041_', '_x00e9_',
  ' ', '  ', '\u00A0', 'Kopi', 'Rp 12.000', '2026-10-27', 'abc', '0', '1e3', 'ß', 'Ω', 'Ж', '中', 'ع',
];

/** A random string of 0..maxPieces pieces, built from the list above and random code units. */
export function randomText(next: () => number, maxPieces = 8): string {
  let s = '';
  const n = Math.floor(next() * (maxPieces + 1));
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.75) s += PIECES[Math.floor(next() * PIECES.length)];
    else if (r < 0.9) s += String.fromCharCode(Math.floor(next() * 0x10000)); // any code unit, surrogates included
    else s += String.fromCodePoint(Math.floor(next() * 0x110000)); // any code point
  }
  return s;
}
