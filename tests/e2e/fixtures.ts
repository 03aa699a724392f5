// `test` for every browser test: each Playwright worker starts its own system (system.ts) before its
// first test, and every page's relative URL goes to that worker's app. Tests reach the nodes directly
// too (as an admin would) through SEBARAN_TOPOLOGY and SEBARAN_SECRETS, set here for the worker.
import { test as base } from '@playwright/test';
import { startSystem, type System } from './system.ts';

export { expect } from '@playwright/test';

export const test = base.extend<object, { system: System }>({
  system: [
    async ({}, use) => {
      const s = await startSystem();
      process.env.SEBARAN_E2E_URL = s.url;
      process.env.SEBARAN_TOPOLOGY = s.topologyPath;
      process.env.SEBARAN_SECRETS = s.secretsPath;
      await use(s);
      await s.stop();
    },
    { scope: 'worker', auto: true, timeout: 240_000 },
  ],
  baseURL: async ({ system }, use) => use(system.url),
});
