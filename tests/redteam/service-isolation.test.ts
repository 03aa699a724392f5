// One bad account, database or request affects only its sender, and the
// service's own state is out of shoppers' (and admins') hands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, region, checkout, place, answerOf, allAnswered, invariants, addShoppers, password, until, SERVICE_DB, type Region } from './service-support.ts';
import { countingProxy } from '../support/counting-proxy.ts';
import { userDbName } from '../../src/lib/model/index.ts';

let r: Region;
const GOOD = ['ani', 'budi', 'citra'];
const BAD = ['x'.repeat(116), 'Budi Santoso'];
beforeAll(async () => {
  r = await region([], 30);
  // Accounts an operator made outside the sign-up rules, before the good ones.
  await addShoppers(r.c, BAD);
  await addShoppers(r.c, GOOD);
});
afterAll(async () => r?.c.stop());

describe('isolation', () => {
  it('a bad account among good ones: the service starts, provisions the good ones and answers them', async () => {
    expect((await r.admin.allDocs('_users', 'include_docs=false')).map((x: any) => x.id)).toContain(`org.couchdb.user:${BAD[0]}`);
    const s = await r.c.service(R);
    const reqs = await Promise.all(GOOD.map(async (name) => {
      const req = checkout(1);
      expect((await place(r, name, req)).status).toBe(201);
      return req;
    }));
    expect(await allAnswered(r, GOOD)).toBe(true);
    for (const [k, name] of GOOD.entries()) expect((await answerOf(r, name, reqs[k].request_id)).status).toBe('placed');
    expect(s.output.join('')).toMatch(/not a valid shopper name; skipped/);
    await invariants(r, GOOD);
    await s.kill();
  });

  it('the service\'s state is in a database no shopper or region admin can read or write; a forged _local checkpoint changes nothing', async () => {
    const s = await r.c.service(R);
    for (const who of [r.shopper('ani'), r.regionAdmin, r.c.anon(R)]) {
      expect([401, 403]).toContain((await who.request('GET', `/${SERVICE_DB}/_all_docs`)).status);
      expect([401, 403]).toContain((await who.request('PUT', `/${SERVICE_DB}/checkpoint:${userDbName('ani')}`, { since: 'x' })).status);
    }
    // What used to stall a region: a shopper rewrites the service's old checkpoint in their own database.
    const db = userDbName('ani');
    expect((await r.shopper('ani').request('PUT', `/${db}/_local/sebaran-service`, { since: 'x' })).status).toBe(201);
    const mine = checkout(1);
    const theirs = checkout(1);
    await place(r, 'ani', mine);
    await place(r, 'budi', theirs);
    expect(await allAnswered(r, GOOD)).toBe(true);
    expect((await answerOf(r, 'ani', mine.request_id)).status).toBe('placed');
    await invariants(r, GOOD);
    await s.kill();
  });

  it('a shopper database the service cannot read is retried with back-off while everybody else is answered', async () => {
    const proxy = await countingProxy(r.c.topology.regions[0].url);
    const s = await r.c.service(R, { nodeUrl: proxy.url });
    const broken = userDbName('citra');
    // An operator's mistake: the service is no longer a member of citra's database.
    await r.admin.ok('PUT', `/${broken}/_security`, { admins: { names: [], roles: [] }, members: { names: ['citra'], roles: [] } });
    proxy.reset();
    await place(r, 'citra', checkout(1));
    const reads = () => proxy.seen.filter((x) => x === `GET /${broken}/_changes`).length;
    expect(await until(async () => reads() >= 1, 20_000)).toBe(true); // it was tried
    const others = await Promise.all(['ani', 'budi'].map(async (name) => {
      const req = checkout(1);
      await place(r, name, req);
      return { name, req };
    }));
    expect(await allAnswered(r, ['ani', 'budi'])).toBe(true);
    for (const o of others) expect((await answerOf(r, o.name, o.req.request_id)).status).toBe('placed');
    const t0 = Date.now();
    await until(async () => Date.now() - t0 > 6000, 10_000);
    expect(reads()).toBeLessThanOrEqual(5);
    // Repaired, it is answered on a later round.
    await r.admin.ok('PUT', `/${broken}/_security`, { admins: { names: [], roles: [] }, members: { names: ['citra'], roles: ['service'] } });
    expect(await allAnswered(r, GOOD, 90_000)).toBe(true);
    await invariants(r, GOOD);
    await s.kill();
    await proxy.close();
  });

  it('a deleted account\'s data is not reachable by a new account of the same name', async () => {
    const s = await r.c.service(R);
    const db = userDbName('budi');
    expect((await r.svc.allDocs(db, 'include_docs=false')).length).toBeGreaterThan(0);
    const account = await r.admin.getDoc('_users', 'org.couchdb.user:budi');
    await r.admin.ok('DELETE', `/_users/org.couchdb.user:budi?rev=${account._rev}`);
    const gone = await until(async () => (await r.admin.request('GET', `/${db}`)).status === 404, 30_000);
    if (!gone) expect.fail(`budi's database stayed; service: ${s.output.join('').slice(-4000)}`);
    await r.admin.ok('PUT', '/_users/org.couchdb.user:budi', { _id: 'org.couchdb.user:budi', name: 'budi', type: 'user', roles: [], password: password('budi') });
    expect(await until(async () => (await r.shopper('budi').request('GET', `/${db}`)).status === 200, 30_000)).toBe(true);
    const rows = (await r.shopper('budi').ok('GET', `/${db}/_all_docs`)).rows.filter((x: any) => !x.id.startsWith('_design/'));
    expect(rows).toEqual([]);
    await s.kill();
  });
});
