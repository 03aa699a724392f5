// `npm run bench -- --rules`: what the write rules (validate_doc_update) cost per document, on
// each engine, against a rule that accepts everything. The documents are the demo's own (a region's
// orders, ledger entries and users, as its service writes them), one write each, as a checkout's
// writes come. The embedded node: its sandboxed calls, CPU of this process. Apache CouchDB: its
// QuickJS query server spoken to as CouchDB does (a `reset` before every call, then the call), CPU
// of that process; it needs a release (SEBARAN_COUCHDB or the default build).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { designDoc } from '../server/design.ts';
import { defaultDemoOptions, generateDemo } from '../server/ops/demo-data.ts';
import { loadTopology } from '../server/config.ts';
import { compileValidators } from '../server/node/validate.ts';

const ACCEPT_ALL = 'function (newDoc, oldDoc, userCtx, secObj) {}';
/** The region's service, as its writes are checked at the region's node. */
const SERVICE_CTX = { db: 'ops', name: 'layanan-bdg', roles: ['service', 'region:BDG'] };
const SECURITY = { admins: { names: [], roles: [] }, members: { names: [], roles: ['region-admin', 'service', 'replicator'] } };

export interface RulesCost {
  documents: number;
  /** CPU µs per document: the project's rules, a rule that accepts all, and the difference. */
  embedded: { rulesUs: number; acceptAllUs: number; refused: number };
  couchdb: { rulesUs: number; acceptAllUs: number; refused: number; resetOnlyUs: number } | null;
}

function sampleDocs(n: number) {
  const data = generateDemo(loadTopology(), { ...defaultDemoOptions(), ordersPerRegion: Math.ceil(n / 3), photos: false });
  // The kinds a checkout writes, in their demo proportions.
  return data.regions.BDG.ops.filter((d: any) => d.type === 'order' || d.type === 'ledger').slice(0, n);
}

async function embeddedCost(source: string, docs: unknown[]) {
  const set = compileValidators([{ id: '_design/sebaran', source }]);
  const ctx = { name: SERVICE_CTX.name, roles: SERVICE_CTX.roles };
  let refused = 0;
  // One warm-up pass: the sandbox's first calls compile and optimise.
  for (const doc of docs.slice(0, 200)) await set.run([{ doc, old: null }], ctx, SECURITY);
  const start = process.cpuUsage();
  for (const doc of docs) if ((await set.run([{ doc, old: null }], ctx, SECURITY))[0]) refused++;
  const used = process.cpuUsage(start);
  return { us: (used.user + used.system) / docs.length, refused };
}

/** The release's QuickJS query server (couchjs_mainjs), as CouchDB starts it. */
function quickjsBinary(release: string) {
  const lib = join(release, 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('couch_quickjs-'));
  const bin = dir && join(lib, dir, 'priv', 'couchjs_mainjs');
  if (!bin || !existsSync(bin)) throw new Error(`no couchjs_mainjs under ${lib}`);
  return bin;
}

class QueryServer {
  private p: ChildProcessWithoutNullStreams;
  private waiting: ((line: string) => void) | null = null;
  constructor(bin: string) {
    this.p = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.p.stdout }).on('line', (l) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(l);
    });
  }
  call(msg: unknown) {
    return new Promise<string>((resolve) => {
      this.waiting = resolve;
      this.p.stdin.write(JSON.stringify(msg) + '\n');
    });
  }
  /** CPU µs this process has used (user and system), from /proc. */
  cpuUs() {
    const f = readFileSync(`/proc/${this.p.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  }
  stop() {
    this.p.kill();
  }
}

async function quickjsCost(bin: string, source: string, docs: unknown[], reset: boolean, validate = true) {
  const qs = new QueryServer(bin);
  try {
    const config = { reduce_limit: true, timeout: 5000 };
    await qs.call(['reset', config]);
    const ddoc = { _id: '_design/sebaran', language: 'javascript', validate_doc_update: source };
    if ((await qs.call(['ddoc', 'new', ddoc._id, ddoc])) !== 'true') throw new Error('the query server did not take the design document');
    let refused = 0;
    const run = async (doc: unknown) => {
      // What couch_query_servers:get_ddoc_process sends before every use of a process.
      if (reset && (await qs.call(['reset', config])) !== 'true') throw new Error('reset failed');
      if (validate && (await qs.call(['ddoc', ddoc._id, ['validate_doc_update'], [doc, null, SERVICE_CTX, SECURITY]])) !== '1') refused++;
    };
    for (const doc of docs.slice(0, 200)) await run(doc);
    const start = qs.cpuUs();
    for (const doc of docs) await run(doc);
    return { us: (qs.cpuUs() - start) / docs.length, refused };
  } finally {
    qs.stop();
  }
}

export async function rulesBench(release: string | null, n = 5000): Promise<RulesCost> {
  const docs = sampleDocs(n);
  const source = designDoc('ops', 'BDG').validate_doc_update;
  const rules = await embeddedCost(source, docs);
  const all = await embeddedCost(ACCEPT_ALL, docs);
  let couchdb: RulesCost['couchdb'] = null;
  if (release) {
    const bin = quickjsBinary(release);
    const q = await quickjsCost(bin, source, docs, true);
    const qAll = await quickjsCost(bin, ACCEPT_ALL, docs, true);
    const resetOnly = await quickjsCost(bin, ACCEPT_ALL, docs, true, false);
    couchdb = { rulesUs: q.us, acceptAllUs: qAll.us, refused: q.refused, resetOnlyUs: resetOnly.us };
  }
  return { documents: docs.length, embedded: { rulesUs: rules.us, acceptAllUs: all.us, refused: rules.refused }, couchdb };
}
