// The regional admin's pages load their data in their own load functions; this one first finds out
// whether an admin of the device's region is signed in there (or, offline, was last time).
import { regionAdmin } from '$lib/sync/admin.svelte.ts';
import { chosenRegion, loadTopology } from '$lib/sync/topology.ts';

export const load = async () => {
  const region = chosenRegion(await loadTopology());
  if (region) await regionAdmin.restore(region);
  return { region };
};
