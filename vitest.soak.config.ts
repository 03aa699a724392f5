import { defineConfig } from 'vitest/config';

// The soak (tests/soak): a minute or more of checkout load through a fault-injecting proxy, run on
// its own with `npm run test:soak` (SEBARAN_SOAK_SECONDS sets its length; SEBARAN_COUCHDB its engine).
// CI runs it after each engine's pass (.ci/run); `npm test` leaves it out to stay quick.
export default defineConfig({
  test: {
    include: ['tests/soak/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
