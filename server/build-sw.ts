// After `vite build`: a Workbox service worker that precaches the app shell,
// so the shop loads (reload included) with the network gone.
import { generateSW } from 'workbox-build';
import { join, relative } from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { projectRoot } from './config.ts';

/**
 * The report libraries (pdfmake, exceljs: about 2.3 MB) are admin-only: precaching them would make
 * every shopper's phone download them. They are cached on first use instead (runtime cache below).
 */
function reportChunks(buildDir: string): string[] {
  const dir = join(buildDir, '_app/immutable/chunks');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .filter((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      return text.length > 300_000 && /pdfmake|ExcelJS|exceljs/.test(text);
    })
    .map((f) => relative(buildDir, join(dir, f)));
}

export async function buildServiceWorker(buildDir = join(projectRoot, 'build')) {
  const { count, size, warnings } = await generateSW({
    globDirectory: buildDir,
    globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
    globIgnores: reportChunks(buildDir),
    // Hashed app files never change, so a copy fetched once is good offline; the PDF font likewise.
    runtimeCaching: [
      { urlPattern: ({ url }) => url.pathname.startsWith('/_app/immutable/'), handler: 'CacheFirst', options: { cacheName: 'sebaran-app-immutable' } },
      { urlPattern: ({ url }) => url.pathname.startsWith('/fonts/'), handler: 'CacheFirst', options: { cacheName: 'sebaran-fonts' } },
      // Product photos carry their revision in the URL, so a cached one never goes stale. Thumbnails are
      // all cached for offline use (src/lib/sync/photo-cache.ts, same cache); detail sizes only as seen.
      {
        urlPattern: ({ url }) => /^\/db\/[^/]+\/catalog\/[^/]+\/thumb\.[a-z]+$/.test(url.pathname),
        handler: 'CacheFirst',
        options: { cacheName: 'sebaran-thumbs', cacheableResponse: { statuses: [200] } },
      },
      {
        urlPattern: ({ url }) => /^\/db\/[^/]+\/catalog\/[^/]+\/photo\.[a-z]+$/.test(url.pathname),
        handler: 'CacheFirst',
        options: { cacheName: 'sebaran-photos', cacheableResponse: { statuses: [200] }, expiration: { maxEntries: 300 } },
      },
    ],
    swDest: join(buildDir, 'sw.js'),
    // Every page is the same client-rendered shell.
    navigateFallback: '/index.html',
    navigateFallbackDenylist: [/^\/db\//, /^\/config\.json$/],
    // The new version waits until the shopper says so (workbox-window prompt).
    skipWaiting: false,
    clientsClaim: true,
    cleanupOutdatedCaches: true,
    sourcemap: false,
    mode: 'production',
  });
  for (const w of warnings) console.warn(`service worker: ${w}`);
  return { count, size };
}

if (process.argv[1]?.endsWith('build-sw.ts')) {
  buildServiceWorker().then(({ count, size }) => console.log(`service worker: ${count} files precached (${Math.round(size / 1024)} KB)`));
}
