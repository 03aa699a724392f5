import { defineConfig } from 'vitest/config';
import { SlowFirst } from './tests/slow-first.ts';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/conformance/**/*.test.ts', 'tests/redteam/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start a cluster of node processes and spend part of their time waiting on
    // them (replication, timers, CouchDB's start). On this 2-core machine, measured the same hour: the
    // embedded files 270 s with two workers, 241 s with three; the CouchDB pass's 457 s and 400 s.
    maxWorkers: 3,
    fileParallelism: true,
    sequence: { sequencer: SlowFirst },
  },
});
