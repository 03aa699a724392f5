// The shopper's account at the region node, for the shop (shop.svelte.ts): the session the node's
// cookie holds, sign-in, sign-up and sign-out, and which account this device remembers per region.
// A staff session never opens a shopper database.
import { userDbName } from '../model/index.ts';
import { SIGNUP_ERRORS, type SignUp, type SignUpError } from '../model/signup.ts';
import { closeSession, currentSession, isStaff, nodeUrl, openSession, requestSignUp, type Session } from './session.ts';
import type { ShopperDb } from './shopper.svelte.ts';

const USER_KEY = 'sebaran.user';

/** The shopper account this device remembers for a region. */
export function rememberedUser(region: string) {
  return localStorage.getItem(`${USER_KEY}.${region}`);
}

/** What the account part reads and sets of the shop. */
export interface AccountHost {
  readonly region: string | null;
  staff: Session | null;
  signInAgain: boolean;
  elsewhere: { region: string; name: string } | null;
  readonly shopper: ShopperDb;
}

export class ShopAccount {
  constructor(private shop: AccountHost) {}

  private get user() { return this.shop.shopper.user; }

  /** Asks the node who its cookie belongs to; a staff account never gets the shopper's database or cart. */
  async refresh(region = this.shop.region) {
    if (!region) return;
    const s = await currentSession(region);
    if (s === 'offline' || region !== this.shop.region) return; // offline: keep what the device remembers
    if (s && isStaff(s)) {
      if (this.user) this.forgetUser(region);
      this.shop.staff = s;
    } else if (s) {
      this.shop.staff = null;
      if (s.name !== this.user) {
        await this.shop.shopper.learnAccount(region, s.name);
        await this.openUser(s.name);
      }
    } else {
      this.shop.staff = null;
      // The node no longer knows our cookie: stay usable offline, but ask to sign in again to sync.
      this.shop.shopper.pause();
      if (this.user) this.shop.signInAgain = true;
    }
  }

  async signIn(name: string, password: string, open = true): Promise<'ok' | 'wrong' | 'offline' | 'staff'> {
    const region = this.shop.region!;
    const s = await openSession(region, name, password);
    if (s === 'wrong' || s === 'offline') return s;
    if (isStaff(s)) {
      // Signed in (the admin pages use this session), but not as a shopper.
      if (this.user) this.forgetUser(region);
      this.shop.staff = s;
      return 'staff';
    }
    this.shop.staff = null;
    if (open) {
      await this.shop.shopper.learnAccount(region, s.name);
      await this.openUser(s.name);
    }
    return 'ok';
  }

  async signUp(p: SignUp): Promise<'ok' | 'offline' | SignUpError> {
    const region = this.shop.region!;
    const r = await requestSignUp(region, p);
    if (r === 'offline') return 'offline';
    if (!r.ok) {
      if (r.code === 'taken' && (await this.isOwnShopperAccount(p.name, p.password))) return this.afterSignUp(p.name);
      return (SIGNUP_ERRORS as readonly unknown[]).includes(r.code) ? (r.code as SignUpError) : 'unavailable';
    }
    const s = await this.signIn(p.name, p.password, false);
    if (s !== 'ok') return s === 'offline' ? s : 'unavailable';
    return this.afterSignUp(p.name);
  }

  private async afterSignUp(name: string): Promise<'ok'> {
    await this.waitForUserDb(name); // made with the account; this only guards against a slow node
    await this.shop.shopper.learnAccount(this.shop.region!, name);
    await this.openUser(name);
    return 'ok';
  }

  /**
   * A sign-up sent twice (the answer to the first was lost) finds its own account "taken": if the
   * password opens a shopper account of that name, it is this shopper's, so sign in. A staff account
   * stays "taken" and its session is dropped at once.
   */
  private async isOwnShopperAccount(name: string, password: string): Promise<boolean> {
    const s = await openSession(this.shop.region!, name, password);
    if (s === 'wrong' || s === 'offline') return false;
    if (!isStaff(s)) return true;
    await closeSession(this.shop.region!);
    return false;
  }

  async signOut() {
    const region = this.shop.region!;
    if (this.user) this.forgetUser(region);
    this.shop.staff = null;
    await closeSession(region);
  }

  /** Drops the signed-in shopper from this device's memory of `region` (their local database stays). */
  forgetUser(region: string) {
    this.shop.signInAgain = false;
    localStorage.removeItem(`${USER_KEY}.${region}`);
    this.shop.shopper.close();
  }

  /** Waits (briefly) for the region service to give a new shopper their database. */
  async waitForUserDb(name: string, timeoutMs = 15_000) {
    const url = `${nodeUrl(this.shop.region!)}/${userDbName(name)}`;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const res = await fetch(url, { credentials: 'include' }).catch(() => null);
      if (res?.ok) return true;
      await new Promise((r) => setTimeout(r, 300));
    }
    return false;
  }

  /** Makes `name` this device's shopper of the region and opens their database. */
  async openUser(name: string) {
    const region = this.shop.region!;
    localStorage.setItem(`${USER_KEY}.${region}`, name);
    this.shop.elsewhere = null;
    this.shop.signInAgain = false;
    await this.shop.shopper.open(region, name);
  }
}
