// After `vite build`: a Workbox service worker that precaches the app shell,
// so the shop loads (reload included) with the network gone.
import { generateSW } from 'workbox-build';
import { join } from 'node:path';
import { projectRoot } from './config.ts';

export async function buildServiceWorker(buildDir = join(projectRoot, 'build')) {
  const { count, size, warnings } = await generateSW({
    globDirectory: buildDir,
    globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,ttf}'], // ttf: the PDF reports' font
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
