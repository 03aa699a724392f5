// One definition of every limit: for documents pushed to each limit (and one
// past it) the node's write rules (validate_doc_update, the JavaScript both
// engines run) and the zod schema give the same verdict. The documents come
// from a seeded generator (no fast-check in the tree): every field of every
// kind, at the boundaries its schema states, alone and two at a time.
import { describe, expect, it } from 'vitest';
import { ruleContext, validateSource } from '../../server/design.ts';
import { compileValidator } from '../../server/node/validate.ts';
import { KINDS, LIMITS, QTY_MAX, type DbKind } from '../../src/lib/model/index.ts';
import { SignUp } from '../../src/lib/model/signup.ts';
import { validFixtures } from '../fixtures/documents.ts';
import { rng } from './random-text.ts';

const admin = { name: 'admin', roles: ['_admin'] };
const validators = new Map<DbKind, (doc: any) => boolean>();
function nodeAccepts(db: DbKind, doc: any) {
  if (!validators.has(db)) {
    const fn = compileValidator(validateSource(db, 'BDG'), `${db}/limits`);
    validators.set(db, (d) => {
      try {
        fn(d, null, admin, {});
        return true;
      } catch {
        return false;
      }
    });
  }
  return validators.get(db)!(doc);
}

/** Values at and around the bounds a JSON Schema states for one field, built from the valid value. */
function boundaryValues(s: any, valid: unknown, next: () => number): unknown[] {
  const out: unknown[] = [];
  const types = Array.isArray(s?.type) ? s.type : [s?.type];
  if (types.includes('string') && typeof valid === 'string') {
    const fill = (n: number) => {
      if (n < 0) return null;
      // Grow or cut the valid value so a pattern (e.g. "\S", an id prefix) still has its say.
      return n <= valid.length ? valid.slice(0, n) : valid + 'x'.repeat(n - valid.length);
    };
    for (const n of [s.minLength, s.maxLength]) {
      if (n === undefined) continue;
      for (const d of [-1, 0, 1]) {
        const v = fill(n + d);
        if (v !== null) out.push(v);
      }
    }
    if (s.maxLength !== undefined) {
      out.push(' ' + fill(s.maxLength - 1) + ' ', '  ' + fill(s.maxLength)!, fill(s.maxLength - 2) + '  ');
    }
    out.push('', ' ', '\t\n', valid + ' ', ' ' + valid, valid.toUpperCase(), valid + '\u00e9');
  }
  if ((types.includes('integer') || types.includes('number')) && typeof valid === 'number') {
    for (const n of [s.minimum, s.maximum]) if (n !== undefined) out.push(n - 1, n, n + 1, n + 0.5);
    out.push(0, -1, 1.5, QTY_MAX, QTY_MAX + 1, Math.floor(next() * 2 ** 31));
  }
  if (types.includes('array') && Array.isArray(valid) && valid.length) {
    for (const n of [s.minItems, s.maxItems]) {
      if (n === undefined) continue;
      for (const d of [-1, 0, 1]) if (n + d >= 0) out.push(Array.from({ length: n + d }, (_, i) => valid[i % valid.length]));
    }
  }
  return out;
}

type Mutation = { path: (string | number)[]; value: unknown };

/** Every field (and the fields of the first element of arrays of objects) with its boundary values. */
function mutations(schema: any, doc: any, next: () => number, path: (string | number)[] = []): Mutation[] {
  const out: Mutation[] = [];
  // A union (admin requests): the branch the document's constants choose.
  const branches = schema?.anyOf ?? schema?.oneOf;
  if (branches) {
    const own = branches.find((b: any) => Object.entries<any>(b.properties ?? {}).every(([k, p]) => p.const === undefined || p.const === doc?.[k]));
    return own ? mutations(own, doc, next, path) : out;
  }
  for (const [k, s] of Object.entries<any>(schema?.properties ?? {})) {
    if (k.startsWith('_') && k !== '_id') continue;
    if (k === 'type') continue;
    const v = doc?.[k];
    if (v === undefined) continue;
    for (const value of boundaryValues(s, v, next)) out.push({ path: [...path, k], value });
    if (Array.isArray(v) && v.length && s.items?.properties) out.push(...mutations(s.items, v[0], next, [...path, k, 0]));
    if (v && typeof v === 'object' && !Array.isArray(v) && s.properties) out.push(...mutations(s, v, next, [...path, k]));
  }
  return out;
}

function apply(doc: any, m: Mutation) {
  const copy = structuredClone(doc);
  let at = copy;
  for (const p of m.path.slice(0, -1)) {
    if (!at || typeof at !== 'object') return copy; // an earlier mutation removed the parent
    at = at[p];
  }
  if (at && typeof at === 'object') at[m.path.at(-1)!] = m.value;
  return copy;
}

const describeM = (m: Mutation) => `${m.path.join('.')} = ${JSON.stringify(m.value)?.slice(0, 60)}${JSON.stringify(m.value)?.length > 60 ? '…' : ''}`;

describe('the node and zod give the same verdict at every limit', () => {
  for (const [type, doc] of Object.entries(validFixtures)) {
    const rule = KINDS[type];
    it(`${type}: every field at its bounds, alone and in seeded pairs`, () => {
      const next = rng(0x5eba + type.length);
      const schema = (ruleContext(rule.db, 'BDG').kinds as any)[type].schema;
      const single = mutations(schema, doc, next);
      expect(single.length).toBeGreaterThan(3);
      const cases: Mutation[][] = single.map((m) => [m]);
      for (let i = 0; i < 150; i++) {
        const a = single[Math.floor(next() * single.length)];
        const b = single[Math.floor(next() * single.length)];
        cases.push([a, b]);
      }
      const disagreements: string[] = [];
      let refused = 0;
      for (const ms of cases) {
        const d = ms.reduce((x, m) => apply(x, m), doc as any);
        const zod = rule.schema.safeParse(d).success;
        const node = nodeAccepts(rule.db, d);
        if (!zod) refused++;
        if (zod !== node) disagreements.push(`${ms.map(describeM).join(' & ')}: zod ${zod ? 'accepts' : 'refuses'}, node ${node ? 'accepts' : 'refuses'}`);
      }
      expect(disagreements).toEqual([]);
      // The generator reached the limits: some cases were refused, and the valid document still passes.
      expect(refused).toBeGreaterThan(0);
      expect(nodeAccepts(rule.db, doc)).toBe(true);
    });
  }

  it('a text exactly at its limit passes both, one more character fails both, spaces included', () => {
    const order = validFixtures.order;
    const at = { ...order, address: 'x'.repeat(LIMITS.address) };
    const over = { ...order, address: ' ' + 'x'.repeat(LIMITS.address) };
    expect(KINDS.order.schema.safeParse(at).success).toBe(true);
    expect(nodeAccepts('ops', at)).toBe(true);
    expect(KINDS.order.schema.safeParse(over).success).toBe(false);
    expect(nodeAccepts('ops', over)).toBe(false);
  });

  it('what the sign-up accepts, the profile the service writes from it accepts too', () => {
    const next = rng(7);
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(next() * (LIMITS.fullName + 10));
      const pad = next() < 0.3 ? '  ' : '';
      const full_name = pad + 'a'.repeat(len) + pad;
      const email = next() < 0.5 ? `${'e'.repeat(Math.floor(next() * LIMITS.email))}@contoh.id` : 'bukan-email';
      const s = SignUp.safeParse({ name: 'sari.bdg', password: 'rahasia-123', full_name, email });
      if (!s.success) continue;
      // What signup.ts stores (trimmed) and ensureProfile copies into the profile.
      const profile = { ...validFixtures.user, full_name: s.data.full_name, email: s.data.email };
      expect(KINDS.user.schema.safeParse(profile).success, JSON.stringify({ len, email: email.length })).toBe(true);
      expect(nodeAccepts('ops', profile)).toBe(true);
    }
  });
});
