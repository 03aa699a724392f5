// A tiny PNG encoder (RGB, 8 bits), so demo product pictures are real images
// without an image library. What they show is drawn in product-art.ts.
import { deflateSync } from 'node:zlib';

// @types/pouchdb-core declares a global `Buffer extends Uint8Array` that, merged with Node's,
// no longer type-checks as a Uint8Array under TypeScript 5.9; these are the same bytes.
const u8 = (b: Buffer) => b as unknown as Uint8Array;
const concat = (parts: Buffer[]) => Buffer.concat(parts.map(u8));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return concat([len, td, crc]);
}

/** An RGB PNG of size x size; `pixel` gives the colour at (x, y). */
export function png(size: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const stride = size * 3 + 1;
  const raw = new Uint8Array(stride * size); // each row: filter byte 0 (none), then RGB
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * stride + 1 + x * 3);
  }
  return encodePng(size, size, raw);
}

/** A PNG from ready scanlines: per row a filter byte, then width x RGB. */
export function encodePng(width: number, height: number, scanlines: Uint8Array): Buffer {
  if (scanlines.length !== (width * 3 + 1) * height) throw new Error(`encodePng: ${scanlines.length} bytes for ${width}x${height}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
