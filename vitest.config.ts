import { defineConfig } from 'vitest/config';
import { SlowFirst } from './tests/slow-first.ts';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/conformance/**/*.test.ts', 'tests/redteam/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start a cluster of node processes: two at once fills this 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    sequence: { sequencer: SlowFirst },
  },
});
