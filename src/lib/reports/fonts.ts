// The PDF font, from the app's own origin: static/fonts is served with the app
// and precached by the service worker, so a PDF can be made offline too.
import type { PdfFonts } from './pdf.ts';

async function get(name: string): Promise<Uint8Array> {
  const res = await fetch(`/fonts/${name}`);
  if (!res.ok) throw new Error(`/fonts/${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

let loaded: Promise<PdfFonts> | undefined;

/** Roboto regular and medium, fetched once per page load. */
export function loadFonts(): Promise<PdfFonts> {
  loaded ??= Promise.all([get('Roboto-Regular.ttf'), get('Roboto-Medium.ttf')]).then(([regular, bold]) => ({ regular, bold }));
  loaded.catch(() => (loaded = undefined)); // a failed fetch is tried again next time
  return loaded;
}
