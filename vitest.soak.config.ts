import { defineConfig } from 'vitest/config';

// The soak (tests/soak): minutes of checkout load through a fault-injecting proxy, run on its
// own with `npm run test:soak` (SEBARAN_SOAK_SECONDS sets its length; SEBARAN_COUCHDB its engine).
// It is not part of `npm test` while its last invariant fails on the embedded node (see README).
export default defineConfig({
  test: {
    include: ['tests/soak/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
