// Every view of design-docs/ lives in exactly one design document, and the path the app and the
// services ask for (viewPath) names that one, for each database kind and for a region's copy at central.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { designDoc, ownDesignDocs } from '../../server/design.ts';
import { dbKindOf, designOf, viewPath, OWN_DESIGN, RETIRED_DESIGNS } from '../../src/lib/model/design.ts';
import type { DbKind } from '../../src/lib/model/index.ts';

const KINDS: DbKind[] = ['catalog', 'inventory', 'ops', 'userdb'];
const viewsOnDisk = (db: string) => {
  try {
    return readdirSync(`design-docs/${db}/views`).sort();
  } catch {
    return [];
  }
};

describe('design documents', () => {
  for (const kind of KINDS) {
    it(`${kind}: each view in one design document, the one viewPath names`, () => {
      const ddocs = [designDoc(kind, null), ...ownDesignDocs(kind)];
      const holders = new Map<string, string[]>();
      for (const d of ddocs) for (const v of Object.keys(d.views ?? {})) holders.set(v, [...(holders.get(v) ?? []), d._id]);
      expect([...holders.keys()].sort()).toEqual(viewsOnDisk(kind));
      for (const [view, ids] of holders) {
        expect(ids, view).toHaveLength(1);
        for (const dbName of [kind, `${kind}-bdg`, `${kind}-r2`]) {
          expect(viewPath(dbName, view)).toBe(`/${dbName}/${ids[0]}/_view/${view}`);
        }
      }
      // A retired design document is never made again (init removes it from an existing node).
      for (const name of RETIRED_DESIGNS[kind] ?? []) expect(ddocs.map((d) => d._id)).not.toContain(`_design/${name}`);
      // Only the main design document carries the write rules: a second one would run them twice.
      expect(ddocs.filter((d) => 'validate_doc_update' in d).map((d) => d._id)).toEqual(['_design/sebaran']);
    });
  }

  it('names only views that exist, each in its own design document', () => {
    for (const [kind, own] of Object.entries(OWN_DESIGN)) {
      expect(new Set(Object.values(own)).size).toBe(Object.keys(own).length);
      for (const view of Object.keys(own)) expect(viewsOnDisk(kind)).toContain(view);
    }
    expect(designOf('ops', 'orders_by_created')).toBe('sebaran');
    expect(dbKindOf('userdb-6a6f6b6f')).toBe('userdb');
    expect(dbKindOf('ops')).toBe('ops');
  });
});
