import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  // Each worker starts its own system (tests/e2e/fixtures.ts); the tests of a worker share it, one at a
  // time. Two: this machine's two cores, on either engine. (CI runs the CouchDB pass beside the two
  // soaks, which end after about two minutes: with one worker the second core then idled for three.)
  workers: 2,
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
