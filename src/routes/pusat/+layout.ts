// The central admin's pages load their data in their own load functions; this one first finds out
// whether the central admin is signed in at central (its node comes from the topology).
import { centralAdmin } from '$lib/sync/central.svelte.ts';
import { loadTopology } from '$lib/sync/topology.ts';

export const load = async () => {
  const topology = await loadTopology();
  if (topology && !centralAdmin.user) await centralAdmin.restore(topology.central.code);
  return { topology, regions: topology?.regions.map((r) => r.code) ?? [] };
};
