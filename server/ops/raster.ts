// A small scanline rasteriser for flat-coloured, anti-aliased convex shapes, enough
// to draw demo product tiles without an image library. Shapes are described in unit
// coordinates (0..1 across the square tile), so one description renders at any size.
// Speed comes from filling rows: a shape gives its horizontal extent per row, the
// inside of that extent is one run copied at memcpy speed, and only the few pixels
// on its edges are blended.

export type RGB = readonly [number, number, number];

/** A convex shape, as the horizontal extent it covers at each height. */
export interface Shape {
  top: number;
  bottom: number;
  /** Writes [left, right] at height y into `out`; false where the row misses the shape. */
  span(y: number, out: Float64Array): boolean;
}

/** A rectangle with rounded corners, centred on (cx, cy). */
export function rrect(cx: number, cy: number, w: number, h: number, radius = 0): Shape {
  const hw = w / 2, hh = h / 2, r = Math.min(radius, hw, hh), straight = hh - r;
  return {
    top: cy - hh, bottom: cy + hh,
    span(y, out) {
      const dy = Math.abs(y - cy);
      if (dy > hh) return false;
      const inset = dy <= straight ? 0 : r - Math.sqrt(Math.max(0, r * r - (dy - straight) ** 2));
      out[0] = cx - hw + inset;
      out[1] = cx + hw - inset;
      return true;
    },
  };
}

export function ellipse(cx: number, cy: number, rx: number, ry: number): Shape {
  return {
    top: cy - ry, bottom: cy + ry,
    span(y, out) {
      const t = (y - cy) / ry;
      if (t * t > 1) return false;
      const hw = rx * Math.sqrt(1 - t * t);
      out[0] = cx - hw;
      out[1] = cx + hw;
      return true;
    },
  };
}

/** A convex polygon; its corners in order, either way round. */
export function polygon(points: ReadonlyArray<readonly [number, number]>): Shape {
  const ys = points.map((p) => p[1]);
  return {
    top: Math.min(...ys), bottom: Math.max(...ys),
    span(y, out) {
      let l = Infinity, r = -Infinity;
      for (let i = 0; i < points.length; i++) {
        const [x0, y0] = points[i], [x1, y1] = points[(i + 1) % points.length];
        if ((y < y0 && y < y1) || (y > y0 && y > y1) || y0 === y1) continue;
        const x = x0 + ((y - y0) / (y1 - y0)) * (x1 - x0);
        if (x < l) l = x;
        if (x > r) r = x;
      }
      if (l > r) return false;
      out[0] = l;
      out[1] = r;
      return true;
    },
  };
}

/** The part of `a` inside `b` (both convex, so still one extent per row). */
export function clip(a: Shape, b: Shape): Shape {
  const tmp = new Float64Array(2);
  return {
    top: Math.max(a.top, b.top), bottom: Math.min(a.bottom, b.bottom),
    span(y, out) {
      if (!a.span(y, out) || !b.span(y, tmp)) return false;
      out[0] = Math.max(out[0], tmp[0]);
      out[1] = Math.min(out[1], tmp[1]);
      return out[0] < out[1];
    },
  };
}

export const box = (x0: number, y0: number, x1: number, y1: number) => rrect((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0);

/** Sub-rows sampled per pixel row: vertical anti-aliasing (horizontal coverage is exact). */
const SUB = 4;

/** A square RGB image stored as PNG scanlines (filter byte 0, then pixels), ready to deflate. */
export class Raster {
  readonly stride: number;
  readonly data: Uint8Array;
  private readonly ls = new Float64Array(SUB);
  private readonly rs = new Float64Array(SUB);
  private readonly out = new Float64Array(2);

  constructor(readonly size: number, background: RGB) {
    this.stride = size * 3 + 1;
    this.data = new Uint8Array(this.stride * size);
    this.run(0, 0, size, background);
    for (let y = 1; y < size; y++) this.data.copyWithin(y * this.stride, 0, this.stride);
  }

  /** Paints `shape` (unit coordinates) in colour `c` over what is there. */
  fill(shape: Shape, c: RGB) {
    const S = this.size;
    const y0 = Math.max(0, Math.floor(shape.top * S)), y1 = Math.min(S, Math.ceil(shape.bottom * S));
    for (let py = y0; py < y1; py++) this.fillRow(shape, py, c);
  }

  private fillRow(shape: Shape, py: number, c: RGB) {
    const S = this.size, { ls, rs, out } = this;
    let hits = 0, minL = Infinity, maxL = -Infinity, minR = Infinity, maxR = -Infinity;
    for (let k = 0; k < SUB; k++) {
      ls[k] = rs[k] = 0;
      if (!shape.span((py + (k + 0.5) / SUB) / S, out) || out[1] <= out[0]) continue;
      const l = (ls[k] = out[0] * S), r = (rs[k] = out[1] * S);
      hits++;
      minL = Math.min(minL, l); maxL = Math.max(maxL, l);
      minR = Math.min(minR, r); maxR = Math.max(maxR, r);
    }
    if (!hits) return;
    // Pixels inside the shape on every sub-row are one solid run; the rest of the extent is edge.
    const e0 = Math.max(0, Math.floor(minL)), e1 = Math.min(S, Math.ceil(maxR));
    let f0 = e0, f1 = e0;
    if (hits === SUB) {
      f0 = Math.min(e1, Math.max(e0, Math.ceil(maxL)));
      f1 = Math.max(f0, Math.min(e1, Math.floor(minR)));
    }
    for (let x = e0; x < f0; x++) this.blend(py, x, c, this.coverage(x));
    this.run(py, f0, f1, c);
    for (let x = f1; x < e1; x++) this.blend(py, x, c, this.coverage(x));
  }

  /** The share of pixel column x, on the current row, that the sub-row extents cover. */
  private coverage(x: number) {
    let a = 0;
    for (let k = 0; k < SUB; k++) a += Math.max(0, Math.min(x + 1, this.rs[k]) - Math.max(x, this.ls[k]));
    return a / SUB;
  }

  private blend(y: number, x: number, c: RGB, a: number) {
    if (a <= 0) return;
    const d = this.data, o = y * this.stride + 1 + x * 3;
    for (let i = 0; i < 3; i++) d[o + i] = Math.round(d[o + i] + (c[i] - d[o + i]) * a);
  }

  /** Fills whole pixels [x0, x1) x [y0, y1), clipped to the image. */
  block(x0: number, y0: number, x1: number, y1: number, c: RGB) {
    const S = this.size;
    for (let y = Math.max(0, y0); y < Math.min(S, y1); y++) this.run(y, Math.max(0, x0), Math.min(S, x1), c);
  }

  /** Pixels [x0, x1) of row y in colour c: one pixel written, then doubled by copying. */
  private run(y: number, x0: number, x1: number, c: RGB) {
    if (x1 <= x0) return;
    const d = this.data, o = y * this.stride + 1 + x0 * 3, len = (x1 - x0) * 3;
    d[o] = c[0]; d[o + 1] = c[1]; d[o + 2] = c[2];
    for (let done = 3; done < len; done *= 2) d.copyWithin(o + done, o, o + Math.min(done, len - done));
  }
}
