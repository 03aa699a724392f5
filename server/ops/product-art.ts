// Demo product pictures: a packaging shape for the kind of product, in its
// category's colour, with a band in the brand's colour and a label carrying the
// product's initials and size, so a shopper tells products apart at a glance.
// One description, drawn at each size, so the large photo is as crisp as the thumbnail.
import { drawText, fitCell, GLYPH_H, printable } from './bitmap-font.ts';
import { encodePng } from './png.ts';
import { box, clip, ellipse, polygon, Raster, rrect, type RGB, type Shape } from './raster.ts';

export type PackShape = 'bottle' | 'jar' | 'can' | 'box' | 'pouch' | 'sack' | 'carton' | 'eggbox' | 'tube' | 'bar' | 'card' | 'roll' | 'softpack' | 'book';

export interface ProductArt {
  pack: PackShape;
  /** The category's hue, 0-360: the package colour. */
  hue: number;
  brand: RGB;
  /** Written on the brand band where it fits (the photo, mostly). */
  brandName: string;
  /** Two letters, large on the label. */
  initials: string;
  /** The size, small under the initials. */
  caption: string;
  /** Which variety of the product (0, 1, 2): the package is a shade darker or lighter. */
  tone?: number;
  /** 0.85-1: a larger size of the same product stands taller. */
  scale: number;
  /** Shown in a corner disc when set (the variant number of a repeated name). */
  badge?: string;
}

const THUMB_PX = 128;
const PHOTO_PX = 480;

/** Both pictures of a product: the list/cart thumbnail and the detail-page photo. */
export function productImages(art: ProductArt): { thumb: Buffer; photo: Buffer } {
  return { thumb: productImage(art, THUMB_PX), photo: productImage(art, PHOTO_PX) };
}

function productImage(art: ProductArt, size: number): Buffer {
  const c = palette(art);
  const r = new Raster(size, c.bg);
  const p = new Pack(r, art.scale);
  const { body, band, label } = PACKS[art.pack](p, c);
  p.fill(clip(box(0, band[0] - 0.012, 1, band[1] + 0.012), body), c.label);
  p.fill(clip(box(0, band[0], 1, band[1]), body), c.brand);
  p.bandText(body, band, printable(art.brandName), c.onBrand);
  p.label(label, art, c);
  if (art.badge) badge(r, printable(art.badge), c);
  return encodePng(size, size, r.data);
}

interface Palette { bg: RGB; shadow: RGB; body: RGB; dark: RGB; light: RGB; brand: RGB; onBrand: RGB; label: RGB; ink: RGB; metal: RGB; white: RGB }

const TONES = [0.5, 0.41, 0.59];

function palette(art: ProductArt): Palette {
  const h = art.hue, l = TONES[art.tone ?? 0] ?? TONES[0];
  return {
    bg: hsl(h, 0.35, 0.94), shadow: hsl(h, 0.15, 0.83), body: hsl(h, 0.55, l), dark: hsl(h, 0.55, l - 0.14), light: hsl(h, 0.6, l + 0.2),
    brand: art.brand, onBrand: luma(art.brand) > 150 ? shade(art.brand, 0.3) : [255, 255, 255], label: [250, 247, 238], ink: shade(art.brand, 0.7), metal: [188, 193, 200], white: [255, 255, 255],
  };
}

/** The parts every package has, in package coordinates: where the brand band and the label go. */
interface Layout { body: Shape; band: [number, number]; label: [cx: number, cy: number, w: number, h: number] }

/** Draws a package standing on the floor line, scaled about its foot by the product's size. */
class Pack {
  static readonly FLOOR = 0.86;
  constructor(private readonly r: Raster, private readonly s: number) {}
  private x = (x: number) => 0.5 + (x - 0.5) * this.s;
  private y = (y: number) => Pack.FLOOR + (y - Pack.FLOOR) * this.s;

  rrect(cx: number, cy: number, w: number, h: number, radius: number, c: RGB) {
    return this.fill(rrect(cx, cy, w, h, radius), c);
  }
  ellipse(cx: number, cy: number, rx: number, ry: number, c: RGB) {
    return this.fill(ellipse(cx, cy, rx, ry), c);
  }
  poly(points: Array<[number, number]>, c: RGB) {
    return this.fill(polygon(points), c);
  }
  /** Fills a shape given in package coordinates (it is moved to the tile) and returns it in package coordinates. */
  fill(shape: Shape, c: RGB): Shape {
    this.r.fill(this.place(shape), c);
    return shape;
  }
  private place(shape: Shape): Shape {
    const { s } = this, F = Pack.FLOOR, tmp = new Float64Array(2);
    return {
      top: this.y(shape.top), bottom: this.y(shape.bottom),
      span: (y, out) => {
        if (!shape.span(F + (y - F) / s, tmp)) return false;
        out[0] = this.x(tmp[0]);
        out[1] = this.x(tmp[1]);
        return true;
      },
    };
  }
  /** The brand's name across the middle of its band, if it fits at least two pixels a cell. */
  bandText(body: Shape, [y0, y1]: [number, number], text: string, c: RGB) {
    const at = new Float64Array(2), ym = (y0 + y1) / 2;
    if (!body.span(ym, at)) return;
    const S = this.r.size, cell = fitCell(text, (at[1] - at[0]) * this.s * S * 0.8, (y1 - y0) * this.s * S * 0.7);
    if (cell >= 2) drawText(this.r, text, this.x((at[0] + at[1]) / 2) * S, this.y(ym) * S, cell, c);
  }
  /** The soft shadow a package of half-width hw casts on the floor. */
  shadow(hw: number, c: Palette) {
    this.ellipse(0.5, Pack.FLOOR, hw * 1.15, 0.03, c.shadow);
  }
  /** The cream label with the initials above the size, each as large as fits. */
  label([cx, cy, w, h]: Layout['label'], art: ProductArt, c: Palette) {
    this.rrect(cx, cy, w, h, 0.02, c.label);
    const S = this.r.size, W = w * this.s * S, H = h * this.s * S, X = this.x(cx) * S, Y = this.y(cy) * S;
    const initials = printable(art.initials).slice(0, 2), caption = printable(art.caption);
    const big = fitCell(initials, W * 0.86, H * 0.6);
    const small = caption ? fitCell(caption, W * 0.9, H * 0.22) : 0;
    const gap = small ? Math.max(1, Math.round(big * 0.8)) : 0;
    const top = Y - (GLYPH_H * (big + small) + gap) / 2;
    drawText(this.r, initials, X, top + (GLYPH_H * big) / 2, big, c.ink);
    if (small) drawText(this.r, caption, X, top + GLYPH_H * big + gap + (GLYPH_H * small) / 2, small, c.dark);
  }
}

function badge(r: Raster, text: string, c: Palette) {
  r.fill(ellipse(0.86, 0.14, 0.095, 0.095), c.dark);
  const S = r.size, cell = fitCell(text, 0.13 * S, 0.09 * S);
  if (cell) drawText(r, text, 0.86 * S, 0.14 * S, cell, c.white);
}

/** Each package, drawn in order back to front; coordinates for a tile 0..1, floor at y = 0.86. */
const PACKS: Record<PackShape, (p: Pack, c: Palette) => Layout> = {
  bottle(p, c) {
    p.shadow(0.19, c);
    p.rrect(0.5, 0.16, 0.13, 0.07, 0.015, c.brand);
    p.rrect(0.5, 0.215, 0.09, 0.05, 0, c.light);
    p.poly([[0.455, 0.24], [0.545, 0.24], [0.68, 0.36], [0.32, 0.36]], c.body);
    const body = p.rrect(0.5, 0.6, 0.38, 0.52, 0.06, c.body);
    p.rrect(0.365, 0.6, 0.03, 0.4, 0.015, c.light);
    return { body, band: [0.755, 0.81], label: [0.525, 0.56, 0.3, 0.28] };
  },
  jar(p, c) {
    p.shadow(0.27, c);
    p.rrect(0.5, 0.27, 0.46, 0.09, 0.02, c.brand);
    p.rrect(0.5, 0.325, 0.42, 0.03, 0, c.dark);
    const body = p.rrect(0.5, 0.6, 0.54, 0.52, 0.1, c.body);
    return { body, band: [0.765, 0.82], label: [0.5, 0.56, 0.4, 0.28] };
  },
  can(p, c) {
    p.shadow(0.24, c);
    const body = p.rrect(0.5, 0.56, 0.46, 0.56, 0.02, c.body);
    p.ellipse(0.5, 0.28, 0.23, 0.035, c.metal);
    p.ellipse(0.5, 0.28, 0.2, 0.024, shade(c.metal, 0.85));
    p.rrect(0.5, 0.845, 0.46, 0.03, 0.015, c.metal);
    return { body, band: [0.33, 0.39], label: [0.5, 0.6, 0.36, 0.3] };
  },
  box(p, c) {
    p.shadow(0.3, c);
    return { body: box3d(p, c, 0.24, 0.7, 0.28, 0.08), band: [0.745, 0.8], label: [0.47, 0.52, 0.36, 0.3] };
  },
  bar(p, c) {
    p.shadow(0.34, c);
    return { body: box3d(p, c, 0.16, 0.8, 0.46, 0.08), band: [0.8, 0.845], label: [0.48, 0.65, 0.44, 0.28] };
  },
  pouch(p, c) {
    p.shadow(0.26, c);
    const body = p.poly([[0.29, 0.2], [0.71, 0.2], [0.755, 0.86], [0.245, 0.86]], c.body);
    p.fill(clip(box(0, 0.2, 1, 0.245), body), c.dark);
    p.fill(clip(box(0, 0.285, 1, 0.295), body), c.dark);
    return { body, band: [0.75, 0.81], label: [0.5, 0.53, 0.36, 0.28] };
  },
  sack(p, c) {
    p.shadow(0.32, c);
    const body = p.rrect(0.5, 0.56, 0.62, 0.6, 0.07, c.body);
    p.fill(clip(box(0, 0.26, 1, 0.3), body), c.dark);
    for (let x = 0.22; x < 0.78; x += 0.05) p.rrect(x + 0.015, 0.28, 0.025, 0.008, 0, c.label);
    return { body, band: [0.34, 0.4], label: [0.5, 0.62, 0.44, 0.28] };
  },
  carton(p, c) {
    p.shadow(0.2, c);
    p.rrect(0.5, 0.195, 0.22, 0.03, 0, c.dark);
    p.poly([[0.31, 0.3], [0.69, 0.3], [0.61, 0.21], [0.39, 0.21]], c.light);
    const body = p.rrect(0.5, 0.58, 0.38, 0.56, 0.005, c.body);
    return { body, band: [0.755, 0.81], label: [0.5, 0.55, 0.32, 0.28] };
  },
  eggbox(p, c) {
    p.shadow(0.34, c);
    for (const x of [0.3, 0.5, 0.7]) {
      p.ellipse(x, 0.35, 0.09, 0.11, [238, 218, 186]);
      p.ellipse(x - 0.03, 0.31, 0.025, 0.035, [250, 242, 226]);
    }
    const body = p.rrect(0.5, 0.62, 0.66, 0.48, 0.04, c.body);
    p.rrect(0.5, 0.4, 0.7, 0.04, 0.02, c.dark);
    return { body, band: [0.765, 0.825], label: [0.5, 0.6, 0.42, 0.28] };
  },
  tube(p, c) {
    p.shadow(0.15, c);
    p.rrect(0.5, 0.2, 0.48, 0.05, 0.005, c.dark);
    const body = p.poly([[0.27, 0.225], [0.73, 0.225], [0.61, 0.74], [0.39, 0.74]], c.body);
    p.poly([[0.39, 0.74], [0.61, 0.74], [0.57, 0.78], [0.43, 0.78]], c.dark);
    p.rrect(0.5, 0.82, 0.2, 0.08, 0.015, c.brand);
    return { body, band: [0.57, 0.63], label: [0.5, 0.38, 0.32, 0.24] };
  },
  card(p, c) {
    p.shadow(0.3, c);
    const body = p.rrect(0.5, 0.53, 0.58, 0.66, 0.03, c.body);
    p.rrect(0.5, 0.25, 0.12, 0.035, 0.0175, c.bg);
    p.rrect(0.5, 0.715, 0.48, 0.15, 0.03, c.light);
    p.rrect(0.46, 0.715, 0.32, 0.055, 0.0275, c.brand);
    p.poly([[0.62, 0.69], [0.62, 0.74], [0.69, 0.715]], c.metal);
    return { body, band: [0.815, 0.86], label: [0.5, 0.45, 0.44, 0.26] };
  },
  roll(p, c) {
    p.shadow(0.34, c);
    const body = p.rrect(0.47, 0.63, 0.6, 0.42, 0.02, c.body);
    p.ellipse(0.77, 0.63, 0.07, 0.21, c.dark);
    p.ellipse(0.77, 0.63, 0.03, 0.09, c.shadow);
    p.fill(clip(box(0.2, 0, 0.25, 1), body), c.brand);
    return { body, band: [0.775, 0.83], label: [0.46, 0.62, 0.4, 0.28] };
  },
  softpack(p, c) {
    p.shadow(0.34, c);
    const body = p.rrect(0.5, 0.6, 0.68, 0.5, 0.12, c.body);
    p.rrect(0.5, 0.425, 0.3, 0.06, 0.03, c.brand);
    return { body, band: [0.775, 0.825], label: [0.5, 0.63, 0.44, 0.24] };
  },
  book(p, c) {
    p.shadow(0.3, c);
    const body = p.rrect(0.53, 0.54, 0.5, 0.64, 0.02, c.body);
    p.rrect(0.305, 0.54, 0.05, 0.64, 0, c.dark);
    for (let y = 0.27; y < 0.84; y += 0.08) p.rrect(0.285, y, 0.05, 0.02, 0.01, c.metal);
    return { body, band: [0.715, 0.775], label: [0.55, 0.46, 0.36, 0.28] };
  },
};

/** A carton seen slightly from above and the right: front, lit top, shaded side. Returns the front. */
function box3d(p: Pack, c: Palette, x0: number, x1: number, top: number, d: number): Shape {
  const F = Pack.FLOOR;
  p.poly([[x0, top], [x1, top], [x1 + d, top - d], [x0 + d, top - d]], c.light);
  p.poly([[x1, top], [x1 + d, top - d], [x1 + d, F - d], [x1, F]], c.dark);
  return p.fill(box(x0, top, x1, F), c.body);
}

export function hsl(h: number, s: number, l: number): RGB {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const luma = (c: RGB) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/** Darker by a factor (0-1 keeps that share of each channel). */
const shade = (c: RGB, k: number): RGB => [Math.round(c[0] * k), Math.round(c[1] * k), Math.round(c[2] * k)];
