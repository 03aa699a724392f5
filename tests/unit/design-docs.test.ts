// Every view of design-docs/ lives in the database's main design document, and the path the app and the
// services ask for (viewPath) names it, for each database kind and for a region's copy at central.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { designDoc } from '../../server/design.ts';
import { viewPath, RETIRED_DESIGNS } from '../../src/lib/model/design.ts';
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
    it(`${kind}: every view in _design/sebaran, the one viewPath names`, () => {
      const ddoc = designDoc(kind, null);
      expect(Object.keys(ddoc.views).sort()).toEqual(viewsOnDisk(kind));
      for (const view of Object.keys(ddoc.views)) {
        for (const dbName of [kind, `${kind}-bdg`, `${kind}-r2`]) expect(viewPath(dbName, view)).toBe(`/${dbName}/${ddoc._id}/_view/${view}`);
      }
      // A retired design document is never made again (init removes it from an existing node).
      for (const name of RETIRED_DESIGNS[kind] ?? []) expect(ddoc._id).not.toBe(`_design/${name}`);
      // A region's copy at central carries the write rules only: nothing queries it.
      expect(designDoc(kind, 'BDG', true, false).views).toEqual({});
    });
  }
});
