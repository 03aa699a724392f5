// The seed writes again what a node failed to take (its write rules out of time, as on a starved
// machine), and stops at what it refused. Against an embedded node whose validator spins until a
// moment three seconds on: the attempts before it get os_process_error for every document, the
// first one after it passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessNode, type InProcessNode } from '../support/in-process-node.ts';
import { Couch } from '../../server/couch-client.ts';
import { writeBatch } from '../../server/ops/seed.ts';

let node: InProcessNode;
let couch: Couch;
beforeAll(async () => {
  node = await inProcessNode('seed-retry', { validateTimeoutMs: 400 });
  couch = new Couch(`http://127.0.0.1:${node.port}`, { name: 'admin', password: 'secret' });
});
afterAll(() => node.close());

const docs = (prefix: string) => Array.from({ length: 50 }, (_, i) => ({ _id: `${prefix}:${i}`, n: i }));

describe('seed writeBatch', () => {
  it('writes again the documents the node failed to take, until it takes them', async () => {
    await node.call('PUT', '/flaky');
    await node.call('PUT', '/flaky/_design/rules', {
      validate_doc_update: `function (doc) { while (Date.now() < ${Date.now() + 3000}) {} }`,
    });
    const log: string[] = [];
    await writeBatch(couch, 'flaky', docs('a'), 'flaky', (l) => log.push(l));
    expect(log.some((l) => /did not take 50 document\(s\) \(OS process timed out/.test(l))).toBe(true);
    const rows = (await node.call('GET', `/flaky/_all_docs?startkey=${encodeURIComponent('"a:"')}&endkey=${encodeURIComponent('"a:\uffff"')}`)).body.rows;
    expect(rows).toHaveLength(50);
  });

  it('stops at a refusal without writing again', async () => {
    await node.call('PUT', '/strict');
    await node.call('PUT', '/strict/_design/rules', {
      validate_doc_update: 'function (doc) { if (doc.n === 7) throw { forbidden: "seven is not allowed" }; }',
    });
    const log: string[] = [];
    await expect(writeBatch(couch, 'strict', docs('b'), 'strict', (l) => log.push(l))).rejects.toThrow(/1 document\(s\) refused, first: b:7: seven is not allowed/);
    expect(log).toEqual([]);
  });
});
