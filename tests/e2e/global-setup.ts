// Before any browser test: what they need on this machine, and the app built from the current
// sources (once, for every worker; each worker then starts its own system, see fixtures.ts).
import { existsSync } from 'node:fs';
import { ensureBuild } from '../../server/build-stamp.ts';

export default async function setup() {
  if (!existsSync('/usr/bin/chromium')) throw new Error('End-to-end tests need Chromium: apt-get install -y chromium');
  if (!existsSync('/usr/bin/pdftoppm')) throw new Error('The report tests need pdftoppm: apt-get install -y poppler-utils');
  ensureBuild();
}
