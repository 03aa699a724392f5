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
});
