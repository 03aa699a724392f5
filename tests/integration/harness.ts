export { startCluster, until, now, type TestCluster } from '../../server/throwaway-cluster.ts';
