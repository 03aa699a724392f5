// Central admin: signed in at the central node, which holds the catalog and
// every region's replicated inventory and ops. Reads come from central's
// views and databases; catalog writes go straight to central (its one writer)
// and replicate out to every region and device.
import { AdminRequest, Category, Product, ids, ulid } from '../model/index.ts';
import { centralDbOf } from '../model/topology.ts';
import { NodeClient } from './node-client.ts';
import { photoName, type PhotoSize } from '../model/photos.ts';

class CentralAdmin {
  user = $state<string | null>(null);
  /** Central's node; its code comes from the topology (restore). */
  node = new NodeClient(globalThis.localStorage?.getItem('sebaran.central') ?? 'pusat');

  async restore(centralCode: string) {
    localStorage.setItem('sebaran.central', centralCode);
    this.node = new NodeClient(centralCode);
    const s = await this.node.session();
    if (s && s !== 'offline' && s.roles.includes('central-admin')) this.user = s.name;
  }

  async signIn(name: string, password: string): Promise<'ok' | 'wrong' | 'not-admin' | 'offline'> {
    const s = await this.node.signIn(name, password);
    if (s === 'wrong' || s === 'offline') return s;
    if (!s.roles.includes('central-admin')) return 'not-admin';
    this.user = s.name;
    return 'ok';
  }

  async signOut() {
    this.user = null;
    await this.node.signOut();
  }

  view(db: string, name: string, params: Record<string, unknown> = {}) {
    return this.node.view(db, name, params);
  }

  allDocs(db: string, prefix: string) {
    return this.node.allDocs(db, prefix);
  }

  docs(db: string, ids: string[]) {
    return this.node.docs(db, ids);
  }

  /** A catalog product's photo at central, in a size (null without one). */
  photoUrl(product: { _id: string; _rev?: string; _attachments?: Record<string, unknown> }, size: PhotoSize = 'thumb') {
    const name = photoName(product._attachments, size);
    return name ? this.node.attachmentUrl('catalog', product._id, name, product._rev) : null;
  }

  get(db: string, id: string) {
    return this.node.get(db, id);
  }

  /** Saves a category or product after the same check the node makes. */
  async saveCatalog(doc: Category | Product) {
    const schema = doc.type === 'category' ? Category : Product;
    const parsed = schema.safeParse(doc);
    if (!parsed.success) throw parsed.error; // its issues name the field; the page says which, in words
    return (await this.node.put('catalog', parsed.data)).rev as string;
  }

  async deleteCatalog(id: string, rev: string) {
    await this.node.remove('catalog', id, rev);
  }

  /**
   * Asks a region to restock a product. The request goes into the region's own database at central
   * (`ops-bdg`), which the region pulls; central's merge lane copies it into `ops`, where the list reads it.
   */
  async askRestock(region: string, productId: string, qty: number, note: string, warehouseId?: string): Promise<AdminRequest> {
    const doc = AdminRequest.parse({
      _id: ids.request(region, ulid()), type: 'admin_request', region_code: region, kind: 'restock',
      product_id: productId, qty, ...(note ? { note } : {}), ...(warehouseId ? { warehouse_id: warehouseId } : {}),
      by: this.user, at: new Date().toISOString(),
    });
    await this.node.put(centralDbOf('ops', region), doc);
    return doc;
  }
}

export const centralAdmin = new CentralAdmin();
