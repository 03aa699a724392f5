// Builds each database's design document from design-docs/ and the zod
// model: the write rules (validate_doc_update) carry the JSON Schema of every
// kind, so the node checks exactly what the app checks.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KINDS, type DbKind } from '../src/lib/model/index.ts';
import { MAIN_DESIGN } from '../src/lib/model/design.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'design-docs');
const lib = (f: string) => readFileSync(join(root, 'lib', f), 'utf8');

export const DESIGN_ID = `_design/${MAIN_DESIGN}`;

/**
 * The context object the write rules see: which db, which region (null in central's merged databases),
 * whether the database is at central (the merged ones and each region's own, `ops-bdg`), which kinds.
 */
export function ruleContext(db: DbKind, region: string | null, atCentral = region === null) {
  const kinds: Record<string, unknown> = {};
  for (const [type, rule] of Object.entries(KINDS)) {
    if (rule.db !== db) continue;
    const schema = z.toJSONSchema(rule.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete schema.$schema;
    kinds[type] = { schema, writers: rule.writers, immutable: !!rule.immutable, regional: rule.regional, serviceIds: rule.serviceIds ?? null };
  }
  return { db, region, central: atCentral, kinds };
}

/**
 * The write rules' source. A function's literals are built again at every call, so the rules of one
 * kind are built only for the document at hand (`CONTEXT.rule(type)`, a switch over the kinds), not the
 * schemas of every kind of the database: on the embedded node that took a write's rules from 72 to
 * about 50 µs, and CouchDB's QuickJS, an interpreter, builds literals slower still.
 */
export function validateSource(db: DbKind, region: string | null, atCentral = region === null): string {
  const body = [lib('check-schema.js'), lib('access.js')].join('\n');
  const { kinds, ...where } = ruleContext(db, region, atCentral);
  const cases = Object.entries(kinds).map(([type, rule]) => `    case ${JSON.stringify(type)}: return ${JSON.stringify(rule)};\n`);
  return (
    'function (newDoc, oldDoc, userCtx, secObj) {\n' +
    `var CONTEXT = ${JSON.stringify(where)};\n` +
    `CONTEXT.rule = function (type) {\n  switch (type) {\n${cases.join('')}  }\n  return null;\n};\n` +
    body +
    '\nvalidate(newDoc, oldDoc, userCtx, secObj, CONTEXT);\n}'
  );
}

function views(folder: string) {
  const dir = join(root, folder, 'views');
  const out: Record<string, { map: string; reduce?: string }> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const map = readFileSync(join(dir, name, 'map.js'), 'utf8').trim();
    const reducePath = join(dir, name, 'reduce.js');
    out[name] = existsSync(reducePath) ? { map, reduce: readFileSync(reducePath, 'utf8').trim() } : { map };
  }
  return out;
}

/**
 * The main design document: the write rules and every view of the database.
 * `withViews` false: the rules only, for a region's copy at central (`ops-bdg`), which nothing queries
 * (the dashboards read the merged `ops`), so no node spends time or memory indexing it.
 */
export function designDoc(db: DbKind, region: string | null, atCentral = region === null, withViews = true) {
  return { _id: DESIGN_ID, language: 'javascript', validate_doc_update: validateSource(db, region, atCentral), views: withViews ? views(db) : {} };
}

/**
 * A region node's ledger fold, in a design document of its own: the region service reads it at start
 * instead of the whole ledger, and querying it never waits on the order views' index (nor they on it).
 * Only region nodes have it: nothing at central asks for it, so central never builds it.
 */
export const LEDGER_DESIGN_ID = '_design/ledger';
export function ledgerDesignDoc() {
  return { _id: LEDGER_DESIGN_ID, language: 'javascript', views: views('ledger') };
}
