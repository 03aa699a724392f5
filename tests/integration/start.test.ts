// `npm start` as a newcomer runs it: nodes, init, demo data, the app, the
// printed URLs; a killed node comes back; Ctrl-C stops everything; a second
// start reuses the data.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../server/cluster.ts';
import { Couch, waitFor } from '../../server/couch-client.ts';
import { adminOf, loadSecrets, loadTopology } from '../../server/config.ts';
import { nodeProcess } from '../../server/cluster.ts';
import { createServer } from 'node:http';
import type { Topology } from '../../src/lib/model/topology.ts';

const dir = mkdtempSync(join(tmpdir(), 'sebaran-start-'));
let child: ChildProcess | null = null;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function topologyOnFreePorts() {
  const t = loadTopology();
  t.central.url = `http://127.0.0.1:${await freePort()}`;
  for (const r of t.regions) r.url = `http://127.0.0.1:${await freePort()}`;
  t.app = { host: '127.0.0.1', port: await freePort() };
  const path = join(dir, 'topology.json');
  writeFileSync(path, JSON.stringify(t));
  return { t, path };
}

function start(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const p = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout!.on('data', (b) => out.push(String(b)));
  p.stderr!.on('data', (b) => out.push(String(b)));
  let exited = false;
  p.once('exit', () => (exited = true));
  // Ready, or gone: a start that failed answers at once instead of after the whole wait.
  const ready = waitFor(async () => exited || out.join('').includes('Press Ctrl-C to stop.'), 240_000, 200).then(
    () => out.join('').includes('Press Ctrl-C to stop.'),
  );
  return { p, out, ready };
}

/** Process ids of the node processes (embedded or CouchDB) whose config lives under our data dir. */
function nodePids(): Map<string, number> {
  const pids = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const m = new RegExp(`${dir}/data/nodes/([A-Z]+)/(node\\.json|etc/local\\.ini)`).exec(cmd);
      if (m && (cmd.includes('server/node/main.ts') || cmd.includes('beam'))) pids.set(m[1], Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

let shared: { t: Topology; env: NodeJS.ProcessEnv } | null = null;

describe('npm start', () => {
  it('runs the whole system, restarts a dead node, stops cleanly, and reuses the data', async () => {
    const { t, path } = await topologyOnFreePorts();
    const env = { ...process.env, SEBARAN_TOPOLOGY: path, SEBARAN_DATA: join(dir, 'data') };
    shared = { t, env };
    const first = start(env);
    child = first.p;
    expect(await first.ready, first.out.join('')).toBe(true);
    const text = first.out.join('');
    const app = `http://${t.app!.host}:${t.app!.port}`;
    expect(text).toContain(`App (shop + admin):   ${app}`);
    expect(text).toMatch(/admin-bdg \/ bdg-demo-123/);
    expect(text).toMatch(/seed: done/);
    for (const r of t.regions) expect(text).toContain(`[${r.code}] region service running`);
    // The app is served, and the browser reaches each node through the app's origin.
    expect((await fetch(app + '/')).status).toBe(200);
    expect((await (await fetch(app + '/config.json')).json()).regions.map((r: any) => r.code)).toEqual(t.regions.map((r) => r.code));
    const viaApp = await fetch(app + '/db/bdg/catalog');
    expect(viaApp.status).toBe(200);
    expect((await viaApp.json()).doc_count).toBeGreaterThan(200);
    // A shopper signs up through the app (which holds the server admin) and signs in at once.
    const shopper = { name: 'baru.bdg', password: 'rahasia-123', full_name: 'Pembeli Baru', email: 'baru@contoh.id' };
    const json = { 'Content-Type': 'application/json' };
    expect((await fetch(app + '/db/bdg/_signup', { method: 'POST', headers: json, body: JSON.stringify(shopper) })).status).toBe(201);
    expect((await fetch(app + '/db/bdg/_session', { method: 'POST', headers: json, body: JSON.stringify(shopper) })).status).toBe(200);
    // A node that dies is brought back by the supervisor.
    const bdg = t.regions.find((r) => r.code === 'BDG')!;
    const pid = nodePids().get('BDG')!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    expect(await waitFor(async () => !(await new Couch(bdg.url).up(300)), 5_000, 50)).toBe(true);
    expect(await waitFor(() => new Couch(bdg.url).up(300), 30_000, 200)).toBe(true);
    // Ctrl-C stops every child.
    const exited = new Promise((r) => first.p.once('exit', r));
    first.p.kill('SIGINT');
    await exited;
    expect(await waitFor(async () => nodePids().size === 0, 10_000, 100)).toBe(true);
    expect(await new Couch(t.central.url).up(300)).toBe(false);
    // A second start reuses the data: no second seed.
    const second = start(env);
    child = second.p;
    expect(await second.ready, second.out.join('')).toBe(true);
    expect(second.out.join('')).toMatch(/Demo data already loaded/);
    expect(second.out.join('')).toMatch(/nothing changed/);
    const stopped = new Promise((r) => second.p.once('exit', r));
    second.p.kill('SIGINT');
    await stopped;
    child = null;
  }, 480_000);

  it('uses nodes that already answer as they are, and leaves them running', async () => {
    expect(shared, 'needs the data of the first test').not.toBeNull();
    const { t, env } = shared!;
    const secrets = loadSecrets(t, join(dir, 'data', 'secrets.json'));
    // The operator runs the nodes themselves (here: the same engine, on npm start's own data).
    const theirs = [{ code: t.central.code, url: t.central.url }, ...t.regions].map((n) =>
      nodeProcess({ name: n.code, url: n.url, dataDir: join(dir, 'data', 'nodes', n.code), admin: adminOf(secrets, t, n.code), secret: secrets.cookieSecret }),
    );
    await Promise.all(theirs.map((n) => n.start()));
    try {
      const run = start(env);
      child = run.p;
      expect(await run.ready, run.out.join('')).toBe(true);
      const text = run.out.join('');
      for (const n of theirs) expect(text).toMatch(new RegExp(`${n.name}\\s+already running at ${n.url}`));
      expect(text).not.toMatch(/restarting/);
      expect(text).toMatch(/Demo data already loaded/);
      const app = `http://${t.app!.host}:${t.app!.port}`;
      expect((await fetch(app + '/db/bdg/catalog')).status).toBe(200);
      const stopped = new Promise((r) => run.p.once('exit', r));
      run.p.kill('SIGINT');
      await stopped;
      child = null;
      // Nodes npm start did not begin are not its to stop.
      for (const n of theirs) expect(await new Couch(n.url).up(1000)).toBe(true);
    } finally {
      await Promise.all(theirs.map((n) => n.stop()));
    }
  }, 240_000);

  it('names a port taken by something that is not a node, once, and exits instead of looping', async () => {
    const { t, path } = await topologyOnFreePorts();
    const squatter = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not couch'));
    const port = Number(new URL(t.central.url).port);
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const run = start({ ...process.env, SEBARAN_TOPOLOGY: path, SEBARAN_DATA: join(dir, 'data-squatted') });
      child = run.p;
      const code = await new Promise<number | null>((r) => run.p.once('exit', r));
      child = null;
      const text = run.out.join('');
      expect(code, text).toBe(1);
      expect(text).toContain(`port ${port} (${t.central.url}) is taken by something that is not a CouchDB server`);
      expect(text).not.toMatch(/restarting/);
      // The other nodes it had started are stopped again.
      expect(await new Couch(t.regions[0].url).up(500)).toBe(false);
    } finally {
      squatter.close();
    }
  }, 120_000);

  it("says the app's port is taken before starting anything, and starts no node", async () => {
    const { t, path } = await topologyOnFreePorts();
    const squatter = createServer((_req, res) => res.writeHead(200).end('someone else'));
    await new Promise<void>((r) => squatter.listen(t.app!.port, '127.0.0.1', r));
    try {
      const run = start({ ...process.env, SEBARAN_TOPOLOGY: path, SEBARAN_DATA: join(dir, 'data-app-port') });
      child = run.p;
      const code = await new Promise<number | null>((r) => run.p.once('exit', r));
      child = null;
      const text = run.out.join('');
      expect(code, text).toBe(1);
      expect(text).toContain(`the app's port ${t.app!.port} on 127.0.0.1 is already in use`);
      expect(text).not.toMatch(/EADDRINUSE|Unhandled/);
      expect(text).not.toMatch(/up at/);
      expect(await new Couch(t.central.url).up(500)).toBe(false);
    } finally {
      squatter.close();
    }
  }, 60_000);
});
