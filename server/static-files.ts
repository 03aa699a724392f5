// The built app's files, as the app server hands them out. Text (scripts, styles, HTML, JSON, SVG)
// goes gzipped to a browser that accepts it: the shop's scripts are about 400 KB as built and 130 KB
// gzipped, the difference a phone on a slow link waits for on a first visit. Each file is compressed
// once, at the highest level, and kept while its size and time stand.
import { readFileSync, statSync, type Stats } from 'node:fs';
import { extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.txt': 'text/plain',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.webmanifest', '.txt', '.ico', '.ttf']);
/** Larger files go as they are (the build has none): the cache stays small. */
const MAX_CACHED = 4 * 1024 * 1024;

interface Entry {
  size: number;
  mtimeMs: number;
  raw: Buffer;
  gzip: Buffer | null;
}

export class StaticFiles {
  private cache = new Map<string, Entry>();

  /** Sends `file` (known to exist); `immutable` for content-hashed paths. */
  send(req: IncomingMessage, res: ServerResponse, file: string, immutable: boolean) {
    const stat = statSync(file);
    const entry = this.entry(file, stat);
    const gzip = entry.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? entry.gzip! : entry.raw;
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'Content-Length': String(body.length),
      ...(entry.gzip ? { Vary: 'Accept-Encoding' } : {}),
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private entry(file: string, stat: Stats): Entry {
    const hit = this.cache.get(file);
    if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit;
    const raw = readFileSync(file);
    const gzip = COMPRESSIBLE.has(extname(file)) && raw.length > 256 ? gzipSync(new Uint8Array(raw), { level: 9 }) : null;
    const entry = { size: stat.size, mtimeMs: stat.mtimeMs, raw, gzip: gzip && gzip.length < raw.length ? gzip : null };
    if (raw.length <= MAX_CACHED) this.cache.set(file, entry);
    return entry;
  }
}
