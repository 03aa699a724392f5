// An embedded node in the test's own process, for tests that must look at
// what HTTP cannot show (a database's live listeners, the replicator's fetch
// layer). Server admin `admin:secret`; every call is made as that admin.
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Store } from '../../server/node/store.ts';
import { Replicator } from '../../server/node/replicator.ts';
import { hashPassword } from '../../server/node/auth.ts';
import { createHandler } from '../../server/node/couch.ts';
import { DEFAULT_LIMITS } from '../../server/node/limits.ts';

export interface InProcessNode {
  store: Store;
  port: number;
  authz: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function inProcessNode(name: string, o: { validateTimeoutMs?: number } = {}): Promise<InProcessNode> {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const store = new Store(dir, 1000, o.validateTimeoutMs);
  await store.ensureSystemDbs();
  const auth = { admins: { admin: hashPassword('secret', 1000) }, secret: `${name}-test-secret`, sessionTimeoutSec: 600, lookupUser: async () => null };
  const handle = createHandler(store, auth, new Replicator(store), { name, maxBodyBytes: 1 << 20, corsOrigins: [], limits: DEFAULT_LIMITS });
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const authz = 'Basic ' + Buffer.from('admin:secret').toString('base64');
  return {
    store, port, authz,
    call: (method, path, body) => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { Authorization: authz, 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    }),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
