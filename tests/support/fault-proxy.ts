// A fault-injecting TCP proxy (loopback only) in front of one host:port, so
// a test can put latency, dropped, cut, half-open and partitioned connections
// between two nodes and change them while traffic flows.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Faults {
  /** Added one-way delay client -> target and target -> client, in ms. */
  latencyUpMs: number;
  latencyDownMs: number;
  /** Up to this many ms more, at random, per chunk (order is kept). */
  jitterMs: number;
  /** Fraction (0..1) of new connections refused at once. */
  dropRate: number;
  /** How a dropped connection ends: a FIN ('close') or an RST ('reset'). */
  dropMode: 'close' | 'reset';
}

/** 'up' stops client -> target, 'down' stops target -> client; the sockets stay open. */
export type Direction = 'up' | 'down';

export interface PartitionMode {
  /** Connections already open: 'blackhole' holds their bytes (as TCP would retransmit) until healed; 'reset' kills them. */
  existing: 'blackhole' | 'reset';
  /** New connections: 'blackhole' accepts and holds them until healed; 'refuse' resets them at once. */
  incoming: 'blackhole' | 'refuse';
}

export interface FaultCounters {
  connections: number;
  active: number;
  bytesUp: number;
  bytesDown: number;
  dropped: number;
  cut: number;
  halfOpened: number;
  /** Bytes thrown away by a half-open direction. */
  bytesLost: number;
  partitions: number;
  partitionHeld: number;
  partitionReset: number;
  partitionRefused: number;
}

const NO_FAULTS: Faults = { latencyUpMs: 0, latencyDownMs: 0, jitterMs: 0, dropRate: 0, dropMode: 'reset' };

/** One direction of a connection: delays chunks in order, holds them during a partition, or drops them once half-open. */
class Lane {
  private lastAt = 0;
  private queue: { at: number; chunk: Buffer | null }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private held: (Buffer | null)[] = [];
  dead = false;
  constructor(private dst: Socket, private delay: () => number, private conn: Conn, private onLost: (n: number) => void) {}

  /** A chunk, or null for the end of stream (FIN), delivered after the lane's delay and after everything before it. */
  push(chunk: Buffer | null) {
    if (this.dead) return chunk && this.onLost(chunk.length);
    const at = Math.max(Date.now() + this.delay(), this.lastAt);
    this.lastAt = at;
    this.queue.push({ at, chunk });
    this.pump();
  }

  // One timer per lane, so chunks leave in the order they came whatever the jitter.
  private pump() {
    if (this.timer) return;
    while (this.queue.length && this.queue[0].at <= Date.now()) this.deliver(this.queue.shift()!.chunk);
    if (!this.queue.length) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, this.queue[0].at - Date.now());
  }

  private deliver(chunk: Buffer | null) {
    if (this.dead) return chunk && this.onLost(chunk.length);
    if (this.conn.held) return void this.held.push(chunk);
    this.write(chunk);
  }

  private write(chunk: Buffer | null) {
    if (this.dst.destroyed) return;
    if (chunk === null) this.dst.end();
    else this.dst.write(chunk as Uint8Array);
  }

  release() {
    const held = this.held.splice(0);
    for (const c of held) this.dead ? c && this.onLost(c.length) : this.write(c);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

interface Conn {
  client: Socket;
  upstream: Socket | null;
  up: Lane | null;
  down: Lane | null;
  held: boolean;
  /** Bytes from the client before the upstream connection exists (a connection accepted during a partition). */
  early: Buffer[];
  kill(reset: boolean): void;
  closed(side: 'client' | 'upstream'): void;
}

export interface FaultProxy {
  url: string;
  port: number;
  counters: FaultCounters;
  faults: Faults;
  /** Changes some faults for the bytes and connections that follow. */
  set(f: Partial<Faults>): void;
  /** Kills this fraction of the open connections mid-stream (RST, or FIN with reset=false); returns how many. */
  cut(fraction: number, reset?: boolean): number;
  /** Makes this fraction (at least one) of the open connections half-open: `direction` stops forwarding, silently, for good. Returns how many. */
  halfOpen(direction: Direction, fraction?: number): number;
  partition(mode?: Partial<PartitionMode>): void;
  /** Ends a partition: held bytes flow, held connections reach the target. */
  healPartition(): void;
  /** No latency, no drops, no partition. Half-open connections stay dead (their peer is gone); `cut` them if wanted. */
  heal(): void;
  readonly partitioned: boolean;
  close(): Promise<void>;
}

const rand = () => Math.random();

export async function startFaultProxy(target: string | { host: string; port: number }, initial: Partial<Faults> = {}): Promise<FaultProxy> {
  const t = typeof target === 'string' ? new URL(target) : null;
  const host = t ? t.hostname : (target as { host: string }).host;
  const port = t ? Number(t.port) : (target as { port: number }).port;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') throw new Error(`fault proxy is loopback only, not ${host}`);
  const faults: Faults = { ...NO_FAULTS, ...initial };
  const counters: FaultCounters = {
    connections: 0, active: 0, bytesUp: 0, bytesDown: 0, dropped: 0, cut: 0, halfOpened: 0, bytesLost: 0,
    partitions: 0, partitionHeld: 0, partitionReset: 0, partitionRefused: 0,
  };
  const conns = new Set<Conn>();
  // Every socket, dropped ones included, so close() leaves nothing open.
  const sockets = new Set<Socket>();
  const track = (sock: Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  };
  let partition: PartitionMode | null = null;
  const lost = (n: number) => void (counters.bytesLost += n);
  const delay = (ms: () => number) => () => ms() + (faults.jitterMs > 0 ? rand() * faults.jitterMs : 0);

  const reset = (s: Socket | null) => {
    if (!s || s.destroyed) return;
    if (typeof s.resetAndDestroy === 'function' && s.readyState !== 'opening') s.resetAndDestroy();
    else s.destroy();
  };

  function openUpstream(conn: Conn) {
    const upstream = connect({ host, port, allowHalfOpen: true });
    track(upstream);
    conn.upstream = upstream;
    upstream.on('error', () => conn.kill(false));
    // A clean close waits for the delayed bytes still in the lanes; an error ends both sides at once.
    upstream.on('close', (hadError) => (hadError ? conn.kill(false) : conn.closed('upstream')));
    conn.up = new Lane(upstream, delay(() => faults.latencyUpMs), conn, lost);
    conn.down = new Lane(conn.client, delay(() => faults.latencyDownMs), conn, lost);
    upstream.on('data', (b: Buffer) => {
      counters.bytesDown += b.length;
      conn.down!.push(b);
    });
    upstream.on('end', () => conn.down!.push(null));
    upstream.once('connect', () => {
      for (const b of conn.early.splice(0)) conn.up!.push(b.length === 0 ? null : b);
    });
  }

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    counters.connections++;
    track(client);
    client.on('error', () => {});
    if (partition?.incoming === 'refuse') {
      counters.partitionRefused++;
      return reset(client);
    }
    if (faults.dropRate > 0 && rand() < faults.dropRate) {
      counters.dropped++;
      if (faults.dropMode === 'reset') return reset(client);
      client.once('end', () => client.destroy());
      return client.end();
    }
    counters.active++;
    let gone = false;
    const closed = { client: false, upstream: false };
    const conn: Conn = {
      client, upstream: null, up: null, down: null, held: false, early: [],
      kill(hard) {
        if (gone) return;
        gone = true;
        counters.active--;
        conns.delete(conn);
        conn.up?.stop();
        conn.down?.stop();
        if (hard) {
          reset(client);
          reset(conn.upstream);
        } else {
          client.destroy();
          conn.upstream?.destroy();
        }
      },
      closed(side) {
        closed[side] = true;
        if (closed.client && (closed.upstream || !conn.upstream)) conn.kill(false);
      },
    };
    conns.add(conn);
    client.on('close', (hadError) => (hadError ? conn.kill(false) : conn.closed('client')));
    client.on('data', (b: Buffer) => {
      counters.bytesUp += b.length;
      if (conn.up && conn.upstream && !conn.upstream.connecting) conn.up.push(b);
      else conn.early.push(b);
    });
    client.on('end', () => (conn.up && conn.upstream && !conn.upstream.connecting ? conn.up.push(null) : conn.early.push(Buffer.alloc(0))));
    if (partition) {
      counters.partitionHeld++;
      conn.held = true;
    } else openUpstream(conn);
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const listenPort = (server.address() as { port: number }).port;

  const pick = (fraction: number) => [...conns].filter((c) => c.upstream && rand() < fraction);

  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${listenPort}`,
    port: listenPort,
    counters,
    faults,
    set(f) {
      Object.assign(faults, f);
    },
    cut(fraction, hard = true) {
      const victims = pick(fraction);
      for (const c of victims) c.kill(hard);
      counters.cut += victims.length;
      return victims.length;
    },
    halfOpen(direction, fraction = 1) {
      const lane = (c: Conn) => (direction === 'up' ? c.up : c.down)!;
      const alive = [...conns].filter((c) => c.upstream && !lane(c).dead);
      let victims = alive.filter(() => rand() < fraction);
      // An episode asked for is an episode had: at least one connection, if any is open.
      if (!victims.length && alive.length && fraction > 0) victims = [alive[Math.floor(rand() * alive.length)]];
      for (const c of victims) lane(c).dead = true;
      counters.halfOpened += victims.length;
      return victims.length;
    },
    partition(mode = {}) {
      partition = { existing: 'blackhole', incoming: 'blackhole', ...mode };
      counters.partitions++;
      for (const c of [...conns]) {
        if (partition.existing === 'reset') {
          counters.partitionReset++;
          c.kill(true);
        } else c.held = true;
      }
    },
    healPartition() {
      if (!partition) return;
      partition = null;
      for (const c of [...conns]) {
        if (!c.held) continue;
        c.held = false;
        if (!c.upstream) {
          // Accepted during the partition: reach the target now, with what the client sent meanwhile.
          openUpstream(c);
          continue;
        }
        c.up!.release();
        c.down!.release();
      }
    },
    heal() {
      proxy.healPartition();
      Object.assign(faults, NO_FAULTS);
    },
    get partitioned() {
      return partition !== null;
    },
    close: () =>
      new Promise((r) => {
        for (const c of [...conns]) c.kill(false);
        for (const sock of sockets) sock.destroy();
        server.close(() => r());
      }),
  };
  return proxy;
}
