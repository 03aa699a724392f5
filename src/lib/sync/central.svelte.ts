// Central admin: signed in at the central node, which holds the catalog and
// every region's replicated inventory and ops. Reads come from central's
// views and databases; catalog writes go straight to central (its one writer)
// and replicate out to every region and device.
import { Category, Product } from '../model/index.ts';
import { viewQuery } from './key-pager.ts';
import { RequestError } from './request-error.ts';

const node = () => `${location.origin}/db/${(localStorage.getItem('sebaran.central') ?? 'pusat').toLowerCase()}`;
const base = (db: string) => `${node()}/${db}`;

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { credentials: 'include', ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new RequestError(res.status, body?.error, body?.reason);
  return body;
}

class CentralAdmin {
  user = $state<string | null>(null);

  async restore(centralCode: string) {
    localStorage.setItem('sebaran.central', centralCode);
    try {
      const s = await call(`${node()}/_session`);
      if (s?.userCtx?.roles?.includes('central-admin')) this.user = s.userCtx.name;
    } catch {
      /* offline: central admin work needs the network */
    }
  }

  async signIn(name: string, password: string): Promise<'ok' | 'wrong' | 'not-admin' | 'offline'> {
    let res: Response;
    try {
      res = await fetch(`${node()}/_session`, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }),
      });
    } catch {
      return 'offline';
    }
    if (res.status === 401) return 'wrong';
    const body = await res.json();
    if (!body.roles?.includes('central-admin')) return 'not-admin';
    this.user = name;
    return 'ok';
  }

  async signOut() {
    this.user = null;
    await fetch(`${node()}/_session`, { method: 'DELETE', credentials: 'include' }).catch(() => {});
  }

  view(db: string, name: string, params: Record<string, unknown> = {}) {
    return call(`${base(db)}/_design/sebaran/_view/${name}?${viewQuery(params)}`).then((r) => r.rows as Array<{ id?: string; key: any; value: any; doc?: any }>);
  }

  allDocs(db: string, prefix: string) {
    const q = `include_docs=true&startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(prefix + '\uffff'))}`;
    return call(`${base(db)}/_all_docs?${q}`).then((r) => (r.rows as any[]).map((x) => x.doc));
  }

  /** A catalog product's photo at central (the session cookie goes with the image request). */
  photoUrl(productId: string) {
    return `${base('catalog')}/${encodeURIComponent(productId)}/photo.png`;
  }

  get(db: string, id: string) {
    return call(`${base(db)}/${encodeURIComponent(id)}`);
  }

  /** Saves a category or product after the same check the node makes. */
  async saveCatalog(doc: Category | Product) {
    const schema = doc.type === 'category' ? Category : Product;
    const parsed = schema.safeParse(doc);
    if (!parsed.success) throw parsed.error; // its issues name the field; the page says which, in words
    const r = await call(`${base('catalog')}/${encodeURIComponent(doc._id)}`, { method: 'PUT', body: JSON.stringify(parsed.data) });
    return r.rev as string;
  }

  async deleteCatalog(id: string, rev: string) {
    await call(`${base('catalog')}/${encodeURIComponent(id)}?rev=${encodeURIComponent(rev)}`, { method: 'DELETE' });
  }

  /** Writes a document into central's `ops` (restock requests: homed at central, delivered to one region). */
  put(db: string, doc: { _id: string }) {
    return call(`${base(db)}/${encodeURIComponent(doc._id)}`, { method: 'PUT', body: JSON.stringify(doc) });
  }
}

export const centralAdmin = new CentralAdmin();
