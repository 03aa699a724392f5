import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A static PWA: the app server (server/app-server.ts) serves it and proxies /db/<node>.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    serviceWorker: { register: false },
  },
};

export default config;
