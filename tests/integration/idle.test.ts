// An idle region costs a handful of requests a minute: the service follows
// the node's feeds (/_db_updates, ops/_changes) as long-polls instead of
// rescanning every shopper database (on CouchDB /_db_updates needs the
// _global_changes database, which init creates).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, until, type TestCluster, type ServiceHandle } from '../../server/throwaway-cluster.ts';
import { countingProxy, type CountingProxy } from '../support/counting-proxy.ts';
import { ids, userDbName } from '../../src/lib/model/ids.ts';

let c: TestCluster;
let proxy: CountingProxy;
let service: ServiceHandle;
beforeAll(async () => {
  c = await startCluster(['BDG']);
  proxy = await countingProxy(c.topology.regions[0].url);
  service = await service_();
});
afterAll(async () => {
  await service?.kill();
  await proxy?.close();
  await c?.stop();
});
const service_ = () => c.service('BDG', { nodeUrl: proxy.url });

describe('an idle region', () => {
  it('hears of a new account through the feed, then asks the node only a few times in 20 s', async () => {
    // The proxy sees the service's traffic: starting up takes many requests.
    expect(proxy.seen.length).toBeGreaterThan(5);
    expect((await c.admin('BDG').request('GET', '/_db_updates?since=now')).status).toBe(200);
    // A new account reaches the service through /_db_updates: it provisions the shopper's database.
    const name = 'sepi.bdg';
    await c.admin('BDG').ok('PUT', `/_users/org.couchdb.user:${name}`, { _id: `org.couchdb.user:${name}`, name, type: 'user', roles: [], password: 'sepi-rahasia-1' });
    expect(await until(async () => (await c.admin('BDG').request('GET', `/${userDbName(name)}`)).status === 200, 30_000)).toBe(true);
    // ... and its profile for the admin's user list, the last step of taking a new shopper in.
    expect(await until(async () => !!(await c.admin('BDG').getDoc('ops', ids.user('BDG', name))), 30_000)).toBe(true);
    expect(service.output.join('')).not.toMatch(/rescanning/);
    // Taking the account in ends with a tail of writes (its backup, checkpoints) and the feed's wake-ups
    // for them; on a loaded machine that tail ran into the window. Idle starts when the service has gone
    // 3 s without a request. A service that kept itself busy (a loop on its own writes) never gets there.
    expect(await until(async () => proxy.quietFor() >= 3_000, 30_000), 'the service goes quiet').toBe(true);
    // Idle: measured over a fixed window (this test is about a count, not a speed).
    proxy.reset();
    await new Promise((r) => setTimeout(r, 20_000));
    const seen = [...proxy.seen];
    // Long-polls re-armed, the scheduler checked for the health report, perhaps one heartbeat: well under 15.
    expect(seen.length, seen.join('\n')).toBeLessThanOrEqual(15);
    // A rescan would read the shopper's database every second; CouchDB may still announce the
    // account's write late (its _global_changes batches), which costs one look.
    // Which account a database belongs to is read once per run (it names the checkpoint); then the feed.
    expect(seen.filter((s) => s.startsWith('GET /userdb-') && !s.endsWith('/_design/account')).length, seen.join('\n')).toBeLessThanOrEqual(1);
  }, 90_000);
});
