// The single write path every document goes through, as CouchDB orders its
// checks: a malformed document refuses the whole request; then per document
// who may write it (members, database admins for design documents, server
// admins for `_users`), a stale revision is a conflict before any rule runs,
// the `_users` and `_replicator` rules, and every validate_doc_update of the
// database, the documents of one request in one sandboxed call.
import { HttpError, forbidden } from './http.ts';
import type { UserCtx } from './auth.ts';
import { compileValidators, type ValidatorSet } from './validate.ts';
import { replicationDocProblem } from './replication-doc.ts';
import { winners } from './point-reads.ts';
import { CONFLICT_REASON, conflict, isStorageFailure } from './errors.ts';
import { wellFormed } from './doc-shape.ts';
import { checkUserDoc } from './users-db.ts';
import type { Security } from './security.ts';

/** An open database as a write needs it. */
export interface WritableDb {
  pouch: PouchDB.Database;
  security: Security;
  /** Compiled on the first write, dropped when a design document or the admins change. */
  validators: ValidatorSet | null;
}

export interface WriteResult {
  ok?: boolean;
  id: string;
  rev?: string;
  error?: string;
  reason?: string;
}

/** What the store lends the write path. */
export interface Writer {
  requireMember(ctx: UserCtx, db: WritableDb, name: string): void;
  requireDbAdmin(ctx: UserCtx, db: WritableDb, name: string): void;
  pbkdf2Iterations: number;
  /** How long all validate_doc_update functions may take over one write request. */
  validateTimeoutMs: number;
}

/** A document as a write finds it: the winner (null if deleted) and every leaf revision. */
interface Current {
  doc: any;
  leaves: string[];
  deleted?: boolean;
}

async function validatorsOf(w: Writer, db: WritableDb): Promise<ValidatorSet> {
  // Every design-doc write (local or replicated) passes through writeDocs, whose caller drops this cache.
  if (db.validators) return db.validators;
  const res = await db.pouch.allDocs({ startkey: '_design/', endkey: '_design/\uffff', include_docs: true });
  const ddocs = res.rows
    .filter((r: any) => typeof r.doc?.validate_doc_update === 'string')
    .map((r: any) => ({ id: r.id as string, source: r.doc.validate_doc_update as string }));
  // Shared with databases of the same design documents and admins (validate.ts says why that is safe).
  db.validators = compileValidators(ddocs, w.validateTimeoutMs, undefined, JSON.stringify(db.security.admins));
  return db.validators;
}

/**
 * Writes `docs` to `db`; returns a result per document, whether any regular document was written
 * (`wrote`) and whether a design document was (`designs`: the caller drops the compiled rules).
 */
export async function writeDocs(w: Writer, db: WritableDb, name: string, docs: unknown[], ctx: UserCtx, newEdits: boolean) {
  const results: WriteResult[] = new Array(docs.length);
  const accepted: Array<{ i: number; doc: any }> = [];
  const toValidate: Array<{ i: number; doc: any; old: any }> = [];
  const validators = await validatorsOf(w, db);
  const ids = docs.map((d: any) => (d && typeof d === 'object' && typeof d._id === 'string' ? d._id : null));
  const known = ids.filter((id): id is string => id !== null && !id.startsWith('_local/'));
  const current = new Map<string, Current>();
  // The current revisions: for the rules' oldDoc, and for CouchDB's conflict checks PouchDB does not
  // make (a deleted document is re-created only from scratch, without a rev).
  const checked = known.length > 0 && (newEdits || validators.size > 0 || name === '_users');
  if (checked) {
    for (const row of await winners(db.pouch, known, { docs: true, conflicts: true })) {
      if (row.doc) {
        const { _conflicts, ...doc } = row.doc;
        current.set(row.key, { doc, leaves: [row.doc._rev, ...(_conflicts ?? [])] });
      } else if (row.value?.deleted) current.set(row.key, { doc: null, leaves: [row.value.rev], deleted: true });
    }
  }
  // A malformed document refuses the whole request before anything is written, as CouchDB does;
  // conflicts and refusals by the rules below are per document.
  const prepared = docs.map((raw) => wellFormed(raw, newEdits));
  for (let i = 0; i < docs.length; i++) {
    try {
      const doc = prepared[i];
      if (doc._id.startsWith('_local/')) {
        w.requireMember(ctx, db, name);
        accepted.push({ i, doc });
        continue;
      }
      requireWriter(w, ctx, db, name, doc);
      const old = checked ? await previous(db, doc, current.get(doc._id), newEdits) : null;
      if (name === '_users') await checkUserDoc(doc, old, ctx, w.pbkdf2Iterations);
      if (name === '_replicator' && !doc._deleted && !doc._id.startsWith('_design/')) {
        const problem = replicationDocProblem(doc);
        if (problem) throw forbidden(problem);
      }
      if (!doc._id.startsWith('_design/') && validators.size) toValidate.push({ i, doc, old });
      else accepted.push({ i, doc });
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'error', (e as Error).message);
      results[i] = { id: prepared[i]._id, error: err.error, reason: err.reason };
      (results[i] as any).status = err.status;
    }
  }
  // Every document of this request in one sandboxed call, under one time limit.
  const verdicts = await validators.run(toValidate, { db: name, name: ctx.name, roles: ctx.roles }, db.security);
  toValidate.forEach(({ i, doc }, k) => {
    const err = verdicts[k];
    if (!err) return accepted.push({ i, doc });
    results[i] = { id: doc._id, error: err.error, reason: err.reason };
    (results[i] as any).status = err.status;
  });
  accepted.sort((a, b) => a.i - b.i);
  const local = accepted.filter((a) => a.doc._id.startsWith('_local/'));
  const regular = accepted.filter((a) => !a.doc._id.startsWith('_local/'));
  for (const { i, doc } of local) {
    try {
      // CouchDB replaces a local document written without a rev (replication checkpoints rely on it).
      if (doc._rev === undefined && !doc._deleted) {
        const existing = await db.pouch.get(doc._id).catch(() => null);
        if (existing) doc._rev = existing._rev;
      }
      const r = doc._deleted ? await db.pouch.remove(doc._id, doc._rev) : await db.pouch.put(doc);
      results[i] = { ok: true, id: r.id, rev: r.rev };
    } catch (e: any) {
      if (isStorageFailure(e)) throw e; // the disk, not this document: the whole request fails, as the others' writes do
      results[i] = { id: doc._id, error: e.name ?? 'error', reason: e.message, status: e.status } as any;
    }
  }
  if (regular.length) {
    const out: any[] = await db.pouch.bulkDocs(
      regular.map((a) => a.doc),
      { new_edits: newEdits },
    );
    regular.forEach((a, k) => {
      const r = out[k];
      if (!newEdits) results[a.i] = r && r.error ? r : { ok: true, id: a.doc._id, rev: a.doc._rev };
      else if (r?.error || r?.status >= 400) {
        const error = r.name ?? r.error ?? 'error';
        const reason = error === 'conflict' ? CONFLICT_REASON : r.message ?? r.reason;
        results[a.i] = { id: a.doc._id, error, reason, status: r.status } as any;
      } else results[a.i] = { ok: true, id: r.id, rev: r.rev };
    });
  }
  return { results, wrote: regular.length > 0, designs: regular.some((a) => a.doc._id.startsWith('_design/')) };
}

/**
 * The revision a write replaces (validate_doc_update's oldDoc). As CouchDB, a stale or missing rev is a
 * conflict before any rule runs: a client holding an old copy hears "conflict", not the rule's refusal.
 */
async function previous(db: WritableDb, doc: any, cur: Current | undefined, newEdits: boolean): Promise<any> {
  if (!cur) return null;
  if (!newEdits) return cur.doc;
  if (cur.deleted) {
    // As CouchDB's merge_rev_tree: a deleted document is re-created without a rev (the new revision
    // follows the tombstone); editing or deleting the tombstone by its rev is a conflict.
    if (doc._rev === undefined && !doc._deleted) return null;
    throw conflict();
  }
  if (doc._rev === undefined || !cur.leaves.includes(doc._rev)) throw conflict();
  // Editing a losing branch: the rules see that branch, not the winner.
  return doc._rev === cur.doc._rev ? cur.doc : await db.pouch.get(doc._id, { rev: doc._rev });
}

function requireWriter(w: Writer, ctx: UserCtx, db: WritableDb, name: string, doc: any) {
  if (name === '_users') return w.requireMember(ctx, db, name); // server admins only, as in CouchDB 3
  if (doc._id.startsWith('_design/')) w.requireDbAdmin(ctx, db, name);
  else w.requireMember(ctx, db, name);
}
