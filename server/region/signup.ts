// A shopper's account at their region node. `_users` is admin-only (as in
// CouchDB 3), so this runs server-side with the node's server admin: it creates
// the `_users` document with a plain `password` (the node hashes it) and the
// shopper's own database at once, so the shopper can sync right after signing
// in. The region service later writes the profile in `ops` from the full name
// and email kept on the account (see ensureProfile in service.ts).
import { randomBytes } from 'node:crypto';
import { Couch, docPath, type Credentials } from '../couch-client.ts';
import { provisionUserDb } from '../ops/userdb.ts';
import { reservedName, signUpProblem, type SignUp, type SignUpError } from '../../src/lib/model/signup.ts';
import { LIMITS } from '../../src/lib/model/common.ts';
import { ulid, userDbName } from '../../src/lib/model/ids.ts';

export type SignUpResult =
  | { ok: true; status: 201; name: string; db: string }
  | { ok: false; status: number; error: SignUpError; reason: string };

const refuse = (status: number, error: SignUpError, reason: string): SignUpResult => ({ ok: false, status, error, reason });

const REASONS: Record<string, string> = {
  name_invalid: 'name must be 3-40 lower-case letters, digits, dot, dash or underscore, starting with a letter or digit',
  password_short: 'password must be at least 8 characters',
  password_long: 'password must be at most 128 characters',
  full_name_invalid: `full_name must be 1-${LIMITS.fullName} characters`,
  email_invalid: 'email must be an e-mail address',
  bad_request: 'the body must be a JSON object with exactly name, password, full_name and email',
};

export async function signUpShopper(nodeUrl: string, admin: Credentials, region: string, input: unknown): Promise<SignUpResult> {
  const problem = signUpProblem(input);
  if (problem) return refuse(400, problem, REASONS[problem]);
  const p = input as SignUp;
  const name = p.name;
  if (reservedName(name) || name === admin.name) return refuse(409, 'taken', `the name ${name} is taken`);
  const node = new Couch(nodeUrl, admin);
  const id = `org.couchdb.user:${name}`;
  // This account, not any earlier one of the same name: its database and its backup are keyed by it.
  const accountId = ulid(Date.now(), () => randomBytes(1)[0] / 256);
  let r;
  try {
    // No _rev: an existing account (shopper or staff) makes this a conflict, so nothing is ever overwritten.
    r = await node.request('PUT', `/_users/${docPath(id)}`, {
      _id: id, type: 'user', name, roles: [], password: p.password,
      full_name: p.full_name.trim(), email: p.email.trim(), region_code: region, account_id: accountId,
    });
  } catch (e) {
    return refuse(503, 'unavailable', `the ${region} node does not answer: ${(e as Error).message}`);
  }
  if (r.status === 409) return refuse(409, 'taken', `the name ${name} is taken`);
  if (r.status >= 300) return refuse(503, 'unavailable', `the ${region} node refused the account: ${r.status} ${r.json?.reason ?? ''}`.trim());
  // The account exists now; its database is made here and, should this fail, by the region service,
  // which provisions every shopper it sees in _users. A database left by a deleted account of the same
  // name is deleted first (provisionUserDb), so the new account starts empty even with the service down.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await provisionUserDb(node, name, region, accountId);
      break;
    } catch {
      /* raced with the region service provisioning the same database: look again */
    }
  }
  return { ok: true, status: 201, name, db: userDbName(name) };
}
