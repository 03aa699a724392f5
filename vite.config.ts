import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export default defineConfig({
  plugins: [sveltekit()],
  resolve: {
    // pouchdb-browser extends Node's EventEmitter; without the npm `events` package the page dies.
    alias: { events: require.resolve('events/') },
  },
  server: { port: 5173 },
  // exceljs and pdfmake are single chunks past Vite's 500 kB hint; they load only
  // when an admin downloads a report, never with the shop's pages.
  build: { chunkSizeWarningLimit: 1400 },
});
