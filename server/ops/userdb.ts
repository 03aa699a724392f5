// A shopper's own database at their region node (the embedded nodes have no
// couch_peruser, and on Apache CouchDB we want our rules in it anyway):
// members are the shopper and the region service, rules from the model.
import { Couch } from '../couch-client.ts';
import { userDbName } from '../../src/lib/model/ids.ts';
import { Initializer } from './init.ts';
import { designDoc } from '../design.ts';

export async function provisionUserDb(node: Couch, name: string, region: string, init = new Initializer()) {
  const db = userDbName(name);
  await init.db(node, db);
  await init.security(node, db, { admins: { names: [], roles: [] }, members: { names: [name], roles: ['service'] } });
  await init.doc(node, db, designDoc('userdb', region));
  return db;
}
