// Which nodes there are (the app server's /config.json, kept for offline starts) and which region
// this device chose. Read once per page load, by the shop and by the admin layouts' load functions.
import type { PublicTopology } from '../model/topology.ts';

const TOPOLOGY_KEY = 'sebaran.topology';
export const REGION_KEY = 'sebaran.region';

let asked: Promise<PublicTopology | null> | null = null;

async function fetchTopology(): Promise<PublicTopology | null> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (res.ok) {
      const topology = (await res.json()) as PublicTopology;
      localStorage.setItem(TOPOLOGY_KEY, JSON.stringify(topology));
      return topology;
    }
  } catch {
    /* offline: the cached topology will do */
  }
  return cachedTopology();
}

export function cachedTopology(): PublicTopology | null {
  const cached = localStorage.getItem(TOPOLOGY_KEY);
  return cached ? (JSON.parse(cached) as PublicTopology) : null;
}

/** The topology, fetched once per page load (every caller shares the one request). */
export function loadTopology() {
  return (asked ??= fetchTopology());
}

/** The region this device shops in (and whose admin pages it shows), if it chose one. */
export function chosenRegion(topology: PublicTopology | null) {
  const region = localStorage.getItem(REGION_KEY);
  return region && topology?.regions.some((r) => r.code === region) ? region : null;
}
