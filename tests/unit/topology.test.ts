// The topology file: what `init`, the accounts and the lanes can rely on.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../server/config.ts';
import { Topology } from '../../src/lib/model/topology.ts';

describe('the topology file', () => {
  it("refuses a region whose code is central's: its accounts would be central's lane account", () => {
    const t = loadTopology();
    expect(Topology.safeParse(t).success).toBe(true);
    const bad = { ...t, regions: [...t.regions, { ...t.regions[0], code: 'PUSAT', url: 'http://127.0.0.1:1' }] };
    const r = Topology.safeParse(bad);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("must not be central");
  });
});
