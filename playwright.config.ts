import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  // Each worker starts its own system (tests/e2e/fixtures.ts); the tests of a worker share it, one at a
  // time. Two on the embedded engine (this machine's two cores); one on CouchDB, whose pass CI runs
  // beside the two soaks.
  workers: process.env.SEBARAN_COUCHDB ? 1 : 2,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  globalSetup: './tests/e2e/global-setup.ts',
  outputDir: 'test-results/e2e',
  use: {
    viewport: { width: 420, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
