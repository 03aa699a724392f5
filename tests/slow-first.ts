// Runs the longest test files first. On a fresh clone (CI) vitest has no record of past durations and
// orders files by size, so a two-minute file could start last and run alone on one worker while the
// other idles: in the CouchDB pass that tail cost about 50 s of a 450 s run. Longest first (the
// durations of a CouchDB pass here, in seconds) fills both workers to the end.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LONGEST: Record<string, number> = {
  'tests/integration/start.test.ts': 166,
  'tests/integration/accounts.test.ts': 88,
  'tests/integration/central-cluster.test.ts': 81,
  'tests/integration/checkout.test.ts': 45,
  'tests/redteam/service-answers.test.ts': 41,
  'tests/integration/unannounced.test.ts': 36,
  'tests/redteam/service-isolation.test.ts': 30,
  'tests/redteam/full-disk-checkout.test.ts': 26,
  'tests/integration/idle.test.ts': 24,
  'tests/integration/robustness.test.ts': 22,
  'tests/integration/resilience.test.ts': 20,
  'tests/unit/limits.test.ts': 20,
};

export class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const known = (f: TestSpecification) => LONGEST[f.moduleId.slice(f.project.config.root.length + 1)] ?? 0;
    // A stable sort: files without a known duration keep vitest's own order, after the known ones.
    return base.map((f, k) => ({ f, k, d: known(f) })).sort((a, b) => b.d - a.d || a.k - b.k).map((x) => x.f);
  }
}
