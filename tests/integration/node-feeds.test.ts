// The embedded node's live feeds end when their client goes away: nothing keeps listening
// to a database for a reader who left. Node 20 fires a request's own 'close' as soon as its
// body is read, so only the response's close says the client left. In-process, because what
// must stop (the database's live listeners) is not visible over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { until } from './harness.ts';
import { inProcessNode, type InProcessNode } from '../support/in-process-node.ts';

let node: InProcessNode;
const call = (method: string, path: string, body?: unknown) => node.call(method, path, body);

beforeAll(async () => {
  node = await inProcessNode('feeds');
  await call('PUT', '/feeds');
});
afterAll(async () => node?.close());

/** Opens a feed; the caller waits for the node to be listening, then hangs up. */
function openFeed(path: string) {
  const req = request({ host: '127.0.0.1', port: node.port, method: 'GET', path, headers: { Authorization: node.authz } }, (res) => {
    res.on('data', () => {});
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  return { hangUp: () => req.destroy() };
}

const liveFeeds = async () => (await node.store.get('feeds')).pouch.listenerCount('destroyed');

describe('live feeds on the embedded node', () => {
  it('a continuous feed with no timeout stops listening once its client hangs up', async () => {
    const before = await liveFeeds();
    const feed = openFeed('/feeds/_changes?feed=continuous&since=now');
    expect(await until(async () => (await liveFeeds()) === before + 1, 5_000)).toBe(true);
    feed.hangUp();
    expect(await until(async () => (await liveFeeds()) === before, 5_000)).toBe(true);
  });

  it('a longpoll feed waiting for a change stops listening once its client hangs up', async () => {
    const before = await liveFeeds();
    const feed = openFeed('/feeds/_changes?feed=longpoll&since=now&timeout=300000');
    expect(await until(async () => (await liveFeeds()) === before + 1, 5_000)).toBe(true);
    feed.hangUp();
    expect(await until(async () => (await liveFeeds()) === before, 5_000)).toBe(true);
  });

  it('a continuous feed with a bad heartbeat is a 400, not a 200 cut short', async () => {
    const r = await call('GET', '/feeds/_changes?feed=continuous&heartbeat=soon');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('bad_request');
  });
});

describe('the route table', () => {
  it('a method a path does not take is a 405 naming the ones it does', async () => {
    const r = await call('PATCH', '/feeds/_security');
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ error: 'method_not_allowed', reason: 'Only GET,PUT allowed' });
    expect(r.headers.allow).toBe('GET,PUT');
  });

  it('a path under a missing database is its 404 before any method check', async () => {
    const r = await call('PATCH', '/nowhere/_security');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'not_found', reason: 'Database does not exist.' });
  });
});
