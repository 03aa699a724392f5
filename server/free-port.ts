// Free loopback ports for throwaway nodes and test servers. They are chosen
// below the kernel's ephemeral range: a port the OS hands out for listen(0) is
// also one it hands out as the local end of outgoing connections, and on a busy
// test run such a connection took an app port between choosing it and binding
// it (EADDRINUSE minutes later). Below the range only a listener can take it.
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > 12_000) return low;
  } catch {
    /* not Linux: assume the IANA dynamic range */
  }
  return 49152;
}

const given = new Set<number>();
const high = ephemeralLow() - 1;
const low = Math.max(10_000, high - 12_000);

function tryBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A loopback port nothing listens on, not handed out before by this process, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (given.has(port)) continue;
    if (await tryBind(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port found between ${low} and ${high}`);
}
