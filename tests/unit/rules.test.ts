// The node's validate_doc_update and the app's zod schemas are one
// definition: for every fixture, both accept or both refuse.
import { describe, expect, it } from 'vitest';
import { validateSource } from '../../server/design.ts';
import { compileValidator, validationError } from '../../server/node/validate.ts';
import { KINDS, problems, type DbKind } from '../../src/lib/model/index.ts';
import { validFixtures, invalidFixtures } from '../fixtures/documents.ts';

const admin = { name: 'admin', roles: ['_admin'] };
function vdu(db: DbKind, region: string | null, atCentral = region === null) {
  const fn = compileValidator(validateSource(db, region, atCentral), `${db}/test`);
  return (doc: any, userCtx: any = admin, oldDoc: any = null, secObj: any = {}) => {
    try {
      fn(doc, oldDoc, userCtx, secObj);
      return null;
    } catch (e) {
      return validationError(e).reason;
    }
  };
}

describe('zod schemas and validate_doc_update agree', () => {
  for (const [type, doc] of Object.entries(validFixtures)) {
    it(`a valid ${type} passes both`, () => {
      expect(problems(doc)).toBeNull();
      expect(vdu(KINDS[type].db, 'BDG')(doc)).toBeNull();
    });
  }
  for (const f of invalidFixtures) {
    it(`refuses ${f.name} in both, naming the field`, () => {
      const zodMessage = problems(f.doc);
      expect(zodMessage).not.toBeNull();
      const nodeMessage = vdu(KINDS[f.doc.type]?.db ?? 'catalog', 'BDG')(f.doc);
      expect(nodeMessage).not.toBeNull();
      expect(nodeMessage).toContain(f.field);
      expect(zodMessage).toContain(f.field);
    });
  }
});

describe('who may write what', () => {
  const bdg = (roles: string[], name = 'x') => ({ name, roles });
  it('a BDG node refuses a JKT document even from its own service', () => {
    const doc = { ...validFixtures.warehouse, _id: 'warehouse:JKT:JKT-A', region_code: 'JKT' };
    expect(vdu('inventory', 'BDG')(doc, bdg(['service', 'region:BDG']))).toMatch(/region_code: this node holds only BDG/);
  });
  it('the BDG service writes BDG stock and sales tallies; a shopper may not', () => {
    const rule = vdu('inventory', 'BDG');
    expect(rule(validFixtures.warehouse_item, bdg(['service', 'region:BDG']))).toBeNull();
    expect(rule(validFixtures.warehouse_item, bdg([], 'budi'))).toMatch(/may not write/);
    // What an item sold is the service's alone too: not the admin's (who records receipts), nor a shopper's.
    const ops = vdu('ops', 'BDG');
    expect(ops(validFixtures.sales_tally, bdg(['service', 'region:BDG']))).toBeNull();
    expect(ops(validFixtures.sales_tally, bdg(['region-admin', 'region:BDG'], 'admin-bdg'))).toMatch(/may not write/);
    expect(ops(validFixtures.sales_tally, bdg([], 'budi'))).toMatch(/may not write/);
  });
  it('central sends a region a restock request through the region\'s own database at central, never the merged one or a region node', () => {
    const restock = { _id: 'request:BDG:01JD0000000000000000000ABC', type: 'admin_request', region_code: 'BDG', kind: 'restock', product_id: 'product:SEM-00001', qty: 5, by: 'pusat', at: '2026-12-03T00:00:00.000Z' };
    const central = bdg(['central-admin'], 'pusat');
    expect(problems(restock)).toBeNull();
    expect(vdu('ops', 'BDG', true)(restock, central)).toBeNull();
    expect(vdu('ops', null)(restock, central)).toMatch(/write it into ops-bdg/);
    expect(vdu('ops', 'BDG')(restock, central)).toMatch(/may not write/);
    expect(vdu('ops', 'JKT', true)(restock, central)).toMatch(/only JKT/);
    // Nothing else of a region's is written at central, by anyone but the lanes.
    expect(vdu('inventory', 'BDG', true)(validFixtures.warehouse_item, central)).toMatch(/may not write/);
    expect(vdu('ops', 'BDG', true)({ ...restock, kind: 'count', stock_id: 'stock:BDG:BDG-A:SEM-00001', counted: 1, product_id: undefined, qty: undefined }, bdg(['region-admin', 'region:BDG'], 'pusat'))).toMatch(/may not write/);
    expect(vdu('ops', 'BDG', true)(restock, bdg(['replicator', 'region:BDG']))).toBeNull();
    // It may name the warehouse central has in mind: one of the region's own, never another region's.
    const toDago = { ...restock, warehouse_id: 'warehouse:BDG:BDG-DAGO' };
    expect(problems(toDago)).toBeNull();
    expect(vdu('ops', 'BDG', true)(toDago, central)).toBeNull();
    expect(vdu('ops', 'BDG', true)({ ...restock, warehouse_id: 'warehouse:JKT:JKT-A' }, central)).toMatch(/warehouse_id: must be a warehouse of BDG/);
    expect(vdu('ops', 'BDG', true)({ ...restock, warehouse_id: 'stock:BDG:BDG-A:SEM-00001' }, central)).toMatch(/warehouse_id/);
  });
  it("a region's copy of the catalog at central takes central's lane only: not the region's own replicator, bare tombstones neither", () => {
    const copy = vdu('catalog', 'BDG', true);
    const lanes = bdg(['replicator', 'central-lanes', 'region:BDG', 'region:JKT'], 'repl-pusat');
    const region = bdg(['replicator', 'region:BDG'], 'repl-bdg');
    expect(copy(validFixtures.product, lanes)).toBeNull();
    expect(copy(validFixtures.product, region)).toMatch(/written by central's lane only/);
    expect(copy({ _id: 'product:NEVER', _deleted: true }, region)).toMatch(/written by central's lane only/);
    expect(copy({ _id: 'product:NEVER', _deleted: true }, lanes)).toBeNull();
    expect(copy(validFixtures.product, bdg(['central-admin'], 'pusat'))).toMatch(/may not write/);
    // The region's own node still takes its replicator's copies: that is the lane from the copy.
    expect(vdu('catalog', 'BDG')(validFixtures.product, region)).toBeNull();
  });
  it('anonymous writes are told to sign in', () => {
    expect(vdu('catalog', null)(validFixtures.product, { name: null, roles: [] })).toMatch(/Sign in/);
  });
  it('catalog is written by the central admin at central, and only copied into regions', () => {
    expect(vdu('catalog', null)(validFixtures.product, bdg(['central-admin']))).toBeNull();
    expect(vdu('catalog', 'BDG')(validFixtures.product, bdg(['central-admin']))).toMatch(/may not write/);
    expect(vdu('catalog', 'BDG')(validFixtures.product, bdg(['replicator', 'region:BDG']))).toBeNull();
    expect(vdu('catalog', null)(validFixtures.product, bdg(['replicator', 'region:BDG']))).toMatch(/written at central/);
  });
  it('a replicator copies only its own region', () => {
    const central = vdu('ops', null);
    expect(central(validFixtures.order, bdg(['replicator', 'region:BDG']))).toBeNull();
    expect(central(validFixtures.order, bdg(['replicator', 'region:JKT']))).toMatch(/own region/);
  });
  it('a regional admin records goods received as themself, and nothing else in the ledger', () => {
    const rule = vdu('ops', 'BDG');
    const who = bdg(['region-admin', 'region:BDG'], 'admin-bdg');
    const receive = { ...validFixtures.ledger, _id: 'ledger:BDG:receive:01JD0000000000000000000001', reason: 'receive', delta: 5, by: 'admin-bdg' };
    expect(rule(receive, who)).toBeNull();
    // The ids the service derives (sales, cancels, counts, seeds) are the service's alone.
    for (const ns of ['sale', 'cancel', 'count', 'seed']) {
      expect(rule({ ...receive, _id: `ledger:BDG:${ns}:budi:01JD0000000000000000000001:0` }, who)).toMatch(/namespace only the region service writes/);
    }
    expect(rule({ ...receive, by: 'someone-else' }, who)).toMatch(/by: must be your own/);
    expect(rule({ ...receive, reason: 'sale', delta: -5 }, who)).toMatch(/goods received/);
    expect(rule(validFixtures.order, who)).toMatch(/may not write/);
  });
  it('ledger entries are immutable once written', () => {
    const rule = vdu('ops', 'BDG');
    const svc = bdg(['service', 'region:BDG']);
    expect(rule({ ...validFixtures.ledger, delta: 7 }, svc, validFixtures.ledger)).toMatch(/immutable/);
  });
  it('a shopper writes cart items only in a database they are a member of', () => {
    const rule = vdu('userdb', 'BDG');
    const sec = { members: { names: ['budi'], roles: [] } };
    expect(rule(validFixtures.cart_item, bdg([], 'budi'), null, sec)).toBeNull();
    expect(rule(validFixtures.cart_item, bdg([], 'ani'), null, sec)).toMatch(/may not write/);
    expect(rule(validFixtures.order_copy, bdg([], 'budi'), null, sec)).toMatch(/may not write/);
  });
  it('a deletion is bare or keeps the document as it was: no padding, no attachments, no other kind, from anyone', () => {
    const rule = vdu('userdb', 'BDG');
    const sec = { members: { names: ['budi'], roles: [] } };
    const budi = bdg([], 'budi');
    const old = { ...validFixtures.cart_item, _rev: '1-a' };
    const del = (extra: object) => rule({ _id: old._id, _rev: '1-a', _deleted: true, ...extra }, budi, old, sec);
    expect(del({})).toBeNull();
    expect(del({ ...validFixtures.cart_item })).toBeNull();
    expect(del({ ...validFixtures.cart_item, junk: 'x'.repeat(1000) })).toMatch(/junk/);
    expect(del({ junk: 'x' })).toMatch(/carries only _id and _rev/);
    expect(del({ ...validFixtures.cart_item, _attachments: { 'a.html': { content_type: 'text/html', data: 'PGgxPg==' } } })).toMatch(/_attachments/);
    expect(del({ ...validFixtures.order_copy, _id: old._id })).not.toBeNull();
    // Not even an operator or a replication peer stores a body the kind refuses.
    expect(vdu('catalog', null)({ _id: 'product:JUNK1', _deleted: true, pad: 'x' }, admin)).toMatch(/carries only _id and _rev/);
  });
  it("a tombstone for a document central never held comes only from the lane of the region its id names", () => {
    const repl = bdg(['replicator', 'region:BDG'], 'repl-bdg');
    const tomb = (id: string) => ({ _id: id, _rev: '1-a', _deleted: true });
    // Central's merged catalog is written at central: no region's lane brings anything into it.
    expect(vdu('catalog', null)(tomb('product:JUNK1'), repl)).toMatch(/own region/);
    expect(vdu('ops', null)(tomb(`order:JKT:budi:${'0'.repeat(26)}`), repl)).toMatch(/own region/);
    expect(vdu('ops', null)(tomb(`order:BDG:budi:${'0'.repeat(26)}`), repl)).toBeNull();
    // A region's catalog takes central's deletions, of products it never held too.
    expect(vdu('catalog', 'BDG', false)(tomb('product:GONE-1'), repl)).toBeNull();
    expect(vdu('catalog', null)(tomb('product:JUNK1'), admin)).toBeNull();
  });
  it('a region code may not change on an existing document', () => {
    const rule = vdu('ops', null);
    const moved = { ...validFixtures.user, region_code: 'JKT', _id: 'user:JKT:budi' };
    expect(rule(moved, admin, { ...validFixtures.user, _id: 'user:JKT:budi' })).toMatch(/may not change/);
  });
  it('an id must name the same region as region_code, so id-selected replication keeps it in its lane', () => {
    const rule = vdu('ops', null);
    expect(rule({ ...validFixtures.user, region_code: 'JKT' }, admin)).toMatch(/_id: must read user:JKT:/);
  });
});

describe('a type that is no kind', () => {
  // Names an object literal inherits: looked up in a plain map of kinds, they found a function, and
  // the rules then failed with a TypeError (a 500) instead of refusing the document.
  for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 7, null]) {
    it(`refuses type ${JSON.stringify(type)} with 403 in every database`, () => {
      for (const db of ['catalog', 'inventory', 'ops', 'userdb'] as DbKind[]) {
        const fn = compileValidator(validateSource(db, 'BDG'), `${db}/test`);
        let thrown: unknown = null;
        try {
          fn({ _id: 'x:BDG:1', type, region_code: 'BDG' }, null, { name: 'someone', roles: [] }, {});
        } catch (e) {
          thrown = e;
        }
        const err = validationError(thrown);
        expect([err.status, err.reason]).toEqual([403, expect.stringContaining('is not a document kind')]);
      }
    });
  }
});
