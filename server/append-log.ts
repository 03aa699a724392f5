// A child process's output appended to a log file, in a way a full disk cannot turn into a hang.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Keeps reading the child's output whatever happens to the file: a child whose stdout pipe is not
 * read blocks in its next console.log (pipes are synchronous on Linux). A failed write (the disk is
 * full) loses those lines, and the file is opened again for the next ones.
 */
export function appendLog(path: string, ...from: Readable[]) {
  let out: WriteStream | null = null;
  const write = (chunk: Buffer) => {
    if (!out || out.destroyed) {
      const fresh = createWriteStream(path, { flags: 'a' });
      fresh.on('error', () => fresh.destroy());
      out = fresh;
    }
    out.write(chunk);
  };
  for (const stream of from) stream.on('data', write);
}
