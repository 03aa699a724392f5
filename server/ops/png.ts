// A tiny PNG encoder, so demo product photos are real images without an
// image library: a coloured tile with a pattern derived from the product.
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
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(u8(raw))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A product tile: category colour, a lighter disc and stripes whose angle comes from `variant`. */
export function productImage(hue: number, variant: number, size = 96): Buffer {
  const base = hsl(hue, 0.55, 0.45);
  const light = hsl(hue, 0.6, 0.75);
  const dark = hsl(hue, 0.5, 0.3);
  const c = size / 2;
  const step = 6 + (variant % 5) * 2;
  return png(size, (x, y) => {
    const d = Math.hypot(x - c, y - c);
    if (d < size * 0.32) return ((x + (variant % 2 ? y : -y)) / step) % 2 < 1 ? light : dark;
    return base;
  });
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
