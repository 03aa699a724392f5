// What the demo shop sells: per category, the kinds of product, their packaging
// and sizes, and the brands. Product i gets a name no other product has: each kind
// walks through its (variety, brand, size) combinations in an order shuffled from
// the seed, and once they are used up starts over as "(Varian 2)", "(Varian 3)"...
import type { PackShape, ProductArt } from './product-art.ts';
import type { RGB } from './raster.ts';

type Unit = 'pcs' | 'pak' | 'botol' | 'kg' | 'dus';

interface Kind {
  /** What the smallest size costs at an ordinary brand, in rupiah: sizes and brands vary it (demoPrice). */
  price: number;
  noun: string;
  pack: PackShape;
  unit: Unit;
  /** Smallest first: the picture grows with the size; [''] for a product sold in one size. */
  sizes: string[];
  /** Varieties written after the noun ("Kopi Bubuk Robusta"); [''] for none. */
  varieties: string[];
  /** How the description introduces the size: "kemasan 200 g", "daya 9 W". */
  sizeWord: string;
}

export interface DemoCategory { slug: string; name: string; name_en: string; hue: number; blurb: string; kinds: Kind[] }

const k = (price: number, noun: string, pack: PackShape, unit: Unit, sizes: string, varieties = '', sizeWord = 'kemasan'): Kind =>
  ({ price, noun, pack, unit, sizes: sizes.split('|'), varieties: varieties.split('|'), sizeWord });

export const CATEGORIES: DemoCategory[] = [
  { slug: 'sembako', name: 'Sembako', name_en: 'Staples', hue: 35, blurb: 'Bahan pokok untuk dapur sehari-hari.', kinds: [
    k(15000, 'Beras', 'sack', 'pak', '1 kg|2,5 kg|5 kg|10 kg', 'Pandan Wangi|Rojolele|Setra Ramos'),
    k(12000, 'Minyak Goreng', 'bottle', 'botol', '620 ml|1 L|2 L', 'Sawit|Kelapa'),
    k(9000, 'Gula Pasir', 'pouch', 'pak', '500 g|1 kg|2 kg'),
    k(7000, 'Tepung Terigu', 'sack', 'pak', '500 g|1 kg', 'Serbaguna|Protein Tinggi'),
    k(12000, 'Telur Ayam', 'eggbox', 'pak', 'isi 6|isi 10|isi 15', 'Negeri|Kampung'),
    k(3000, 'Garam', 'pouch', 'pak', '250 g|500 g', 'Beryodium|Kasar'),
  ] },
  { slug: 'minuman', name: 'Minuman', name_en: 'Drinks', hue: 200, blurb: 'Minuman untuk keluarga, di rumah maupun di jalan.', kinds: [
    k(7000, 'Teh Melati', 'box', 'dus', 'isi 25|isi 50', 'Celup|Tubruk'),
    k(12000, 'Kopi Bubuk', 'pouch', 'pak', '100 g|200 g|500 g', 'Robusta|Arabika'),
    k(3000, 'Air Mineral', 'bottle', 'botol', '330 ml|600 ml|1,5 L'),
    k(15000, 'Sirup Jeruk', 'bottle', 'botol', '460 ml|620 ml'),
    k(5000, 'Susu UHT', 'carton', 'pcs', '200 ml|1 L', 'Full Cream|Cokelat|Stroberi'),
    k(6000, 'Jus Mangga', 'carton', 'pcs', '250 ml|1 L'),
  ] },
  { slug: 'makanan-ringan', name: 'Makanan Ringan', name_en: 'Snacks', hue: 20, blurb: 'Camilan renyah untuk teman bersantai.', kinds: [
    k(8000, 'Keripik Singkong', 'pouch', 'pak', '80 g|150 g|250 g', 'Original|Balado|Pedas'),
    k(9000, 'Kacang Garing', 'jar', 'pcs', '100 g|250 g', 'Original|Bawang'),
    k(8000, 'Wafer Cokelat', 'box', 'pak', '110 g|200 g'),
    k(25000, 'Biskuit Kelapa', 'can', 'pcs', '300 g|650 g'),
    k(10000, 'Kerupuk Udang', 'pouch', 'pak', '100 g|250 g|500 g'),
    k(15000, 'Rengginang', 'jar', 'pcs', '150 g|250 g', 'Original|Terasi'),
  ] },
  { slug: 'bumbu-dapur', name: 'Bumbu Dapur', name_en: 'Spices', hue: 10, blurb: 'Bumbu untuk masakan rumahan.', kinds: [
    k(6000, 'Kecap Manis', 'bottle', 'botol', '135 ml|275 ml|520 ml'),
    k(9000, 'Sambal Terasi', 'jar', 'pcs', '135 g|300 g', 'Pedas|Ekstra Pedas'),
    k(6000, 'Merica Bubuk', 'jar', 'pcs', '25 g|50 g|100 g'),
    k(5000, 'Ketumbar', 'pouch', 'pak', '50 g|100 g', 'Bubuk|Butir'),
    k(4000, 'Kaldu Ayam', 'box', 'pak', '40 g|100 g|250 g'),
    k(9000, 'Saus Tiram', 'bottle', 'botol', '135 ml|275 ml'),
  ] },
  { slug: 'perawatan-diri', name: 'Perawatan Diri', name_en: 'Personal Care', hue: 300, blurb: 'Untuk perawatan diri sehari-hari.', kinds: [
    k(4000, 'Sabun Mandi', 'bar', 'pcs', '85 g|110 g', 'Sereh|Melati|Susu'),
    k(15000, 'Sampo Lidah Buaya', 'bottle', 'botol', '170 ml|340 ml'),
    k(8000, 'Pasta Gigi', 'tube', 'pcs', '75 g|150 g|190 g', 'Herbal|Siwak'),
    k(7000, 'Sikat Gigi', 'card', 'pcs', 'isi 1|isi 3', 'Lembut|Sedang'),
    k(12000, 'Minyak Kayu Putih', 'bottle', 'botol', '30 ml|60 ml|120 ml'),
    k(18000, 'Losion', 'bottle', 'botol', '100 ml|200 ml', 'Bengkoang|Zaitun'),
  ] },
  { slug: 'kebersihan-rumah', name: 'Kebersihan Rumah', name_en: 'Household', hue: 180, blurb: 'Untuk rumah yang bersih dan segar.', kinds: [
    k(10000, 'Sabun Cuci Piring', 'bottle', 'botol', '400 ml|750 ml', 'Jeruk Nipis|Lemon'),
    k(18000, 'Deterjen Bubuk', 'sack', 'pak', '800 g|1,8 kg'),
    k(14000, 'Pembersih Lantai', 'bottle', 'botol', '800 ml|1,6 L', 'Lavender|Sereh'),
    k(9000, 'Pewangi Pakaian', 'pouch', 'pak', '400 ml|900 ml', 'Mawar|Segar'),
    k(6000, 'Spons', 'softpack', 'pak', 'isi 3|isi 5'),
    k(12000, 'Kantong Sampah', 'roll', 'pak', '40 x 60 cm|60 x 100 cm', '', 'ukuran'),
  ] },
  { slug: 'ibu-bayi', name: 'Ibu & Bayi', name_en: 'Mother & Baby', hue: 330, blurb: 'Lembut dan aman untuk si kecil.', kinds: [
    k(85000, 'Popok Bayi', 'softpack', 'pak', 'S isi 40|M isi 34|L isi 30|XL isi 26', '', 'ukuran'),
    k(9000, 'Bedak Bayi', 'bottle', 'botol', '100 g|200 g'),
    k(12000, 'Tisu Basah', 'softpack', 'pak', 'isi 50|isi 80', 'Tanpa Alkohol|Wangi'),
    k(75000, 'Susu Formula', 'can', 'pcs', '400 g|800 g'),
    k(18000, 'Minyak Telon', 'bottle', 'botol', '60 ml|100 ml|150 ml'),
    k(9000, 'Bubur Bayi', 'box', 'dus', '120 g', 'Beras Merah|Pisang|Kacang Hijau'),
  ] },
  { slug: 'alat-tulis', name: 'Alat Tulis', name_en: 'Stationery', hue: 250, blurb: 'Perlengkapan sekolah dan kantor.', kinds: [
    k(25000, 'Buku Tulis', 'book', 'pak', '38 lembar|58 lembar', '', 'isi'),
    k(3000, 'Pulpen Hitam', 'card', 'pcs', '0,5 mm|0,7 mm', '', 'ujung'),
    k(3000, 'Pensil 2B', 'card', 'pak', 'isi 1|isi 12'),
    k(2000, 'Penghapus', 'card', 'pcs', 'isi 1|isi 3', 'Putih|Hitam'),
    k(8000, 'Spidol', 'card', 'pcs', 'isi 1|isi 4', 'Permanen|Papan Tulis'),
    k(3000, 'Map Plastik', 'book', 'pcs', 'A4|Folio', 'Kancing|Snelhecter', 'ukuran'),
  ] },
  { slug: 'elektronik', name: 'Elektronik Kecil', name_en: 'Small Electronics', hue: 270, blurb: 'Perlengkapan listrik untuk rumah.', kinds: [
    k(25000, 'Lampu LED', 'box', 'pcs', '5 W|9 W|12 W|15 W', '', 'daya'),
    k(12000, 'Baterai AA', 'card', 'pak', 'isi 2|isi 4', 'Alkaline|Isi Ulang'),
    k(25000, 'Kabel Data', 'card', 'pcs', '1 m|2 m', 'Tipe C|Micro USB', 'panjang'),
    k(35000, 'Stopkontak', 'box', 'pcs', '3 lubang|4 lubang|5 lubang', '', 'dengan'),
    k(30000, 'Senter', 'box', 'pcs', '1 W|3 W|5 W', 'LED|Kepala', 'daya'),
    k(45000, 'Kipas Mini', 'box', 'pcs', '5 W|10 W', 'USB|Genggam', 'daya'),
  ] },
  { slug: 'kesehatan', name: 'Kesehatan', name_en: 'Health', hue: 0, blurb: 'Untuk menjaga kesehatan keluarga.', kinds: [
    k(25000, 'Vitamin C', 'can', 'pcs', '500 mg|1000 mg', 'Tablet|Hisap', 'dosis'),
    k(10000, 'Masker Medis', 'box', 'dus', 'isi 10|isi 50', '3 Lapis|4 Lapis'),
    k(6000, 'Plester Luka', 'box', 'dus', 'isi 10|isi 100'),
    k(15000, 'Obat Batuk Herbal', 'bottle', 'botol', '60 ml|100 ml'),
    k(10000, 'Hand Sanitizer', 'bottle', 'botol', '60 ml|500 ml'),
    k(45000, 'Termometer', 'card', 'pcs', '', 'Digital|Inframerah'),
  ] },
];

export const BRANDS: Array<{ name: string; color: RGB }> = [
  { name: 'Nusantara', color: [192, 57, 43] },
  { name: 'Sari Rasa', color: [230, 126, 34] },
  { name: 'Cap Merpati', color: [46, 134, 193] },
  { name: 'Priangan', color: [30, 132, 73] },
  { name: 'Bengawan', color: [17, 122, 101] },
  { name: 'Mentari', color: [212, 172, 13] },
  { name: 'Pelangi', color: [142, 68, 173] },
  { name: 'Dwi Jaya', color: [31, 58, 147] },
  { name: 'Sumber Makmur', color: [139, 90, 43] },
  { name: 'Garuda', color: [194, 24, 91] },
  { name: 'Kencana', color: [93, 109, 126] },
  { name: 'Sinar Abadi', color: [44, 62, 80] },
];

export interface DemoProduct {
  category: DemoCategory;
  kind: Kind;
  brand: (typeof BRANDS)[number];
  variety: string;
  size: string;
  /** 1 for the first use of a combination, then 2, 3...: the "(Varian n)" suffix. */
  variant: number;
  name: string;
  description: string;
  art: ProductArt;
}

interface Combo { variety: string; brand: number; size: number }

/**
 * Product i of the catalogue, for a random source (used only to shuffle; call in order of i
 * for the same names from the same seed). Categories take turns, and so do a category's kinds.
 */
export function demoProducts(random: () => number) {
  const orders = new Map<Kind, Combo[]>();
  const combos = (kind: Kind) => {
    let list = orders.get(kind);
    if (!list) orders.set(kind, (list = shuffle(allCombos(kind), random)));
    return list;
  };
  return (i: number): DemoProduct => {
    const category = CATEGORIES[i % CATEGORIES.length];
    const round = Math.floor(i / CATEGORIES.length);
    const kind = category.kinds[round % category.kinds.length];
    const nth = Math.floor(round / category.kinds.length);
    const list = combos(kind);
    const { variety, brand, size } = list[nth % list.length];
    return describe(category, kind, variety, brand, size, Math.floor(nth / list.length) + 1);
  };
}

function describe(category: DemoCategory, kind: Kind, variety: string, b: number, s: number, variant: number): DemoProduct {
  const brand = BRANDS[b], size = kind.sizes[s];
  const what = [kind.noun, variety].filter(Boolean).join(' ');
  const name = [what, brand.name, size, variant > 1 ? `(Varian ${variant})` : ''].filter(Boolean).join(' ');
  const description = [`${what} merek ${brand.name}`, size && `${kind.sizeWord} ${size}`, variant > 1 && `varian ${variant}`].filter(Boolean).join(', ') + `. ${category.blurb}`;
  const words = name.split(' ');
  const art: ProductArt = {
    pack: kind.pack, hue: category.hue, brand: brand.color, brandName: brand.name,
    initials: words[0][0] + words[1][0], caption: size.replace('lembar', 'lbr'),
    tone: kind.varieties.indexOf(variety),
    scale: kind.sizes.length > 1 ? 0.85 + (0.15 * s) / (kind.sizes.length - 1) : 1,
    ...(variant > 1 ? { badge: `V${variant}` } : {}),
  };
  return { category, kind, brand, variety, size, variant, name, description, art };
}

const allCombos = (kind: Kind): Combo[] =>
  kind.varieties.flatMap((variety) => BRANDS.flatMap((_, brand) => kind.sizes.map((_, size) => ({ variety, brand, size }))));

/** Fisher-Yates, in place. */
function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** A size's amount in one measure ("2,5 kg" -> 2500, "1 L" -> 1000, "isi 12" -> 12), or null without a number. */
function amount(size: string): number | null {
  const m = /(\d+(?:,\d+)?)\s*(kg|g|L|ml|mg|W|m|mm|cm|lembar|lubang)?/.exec(size);
  if (!m) return null;
  const n = Number(m[1].replace(',', '.'));
  return m[2] === 'kg' || m[2] === 'L' ? n * 1000 : n;
}

/**
 * A believable price: the kind's base for its smallest size, grown with the amount a little less than in
 * proportion (a big pack is cheaper per gram), times the brand's standing (`brand`, 0..1: 0.85x to 1.2x),
 * rounded to Rp 500. Rice of 10 kg costs more than rice of 1 kg, and water never costs as much as rice.
 */
export function demoPrice(kind: Kind, size: string, brand: number): number {
  const first = amount(kind.sizes[0]);
  const here = amount(size);
  const grow = first && here ? Math.max(0.8, (here / first) ** 0.85) : 1;
  return Math.max(500, Math.round((kind.price * grow * (0.85 + 0.35 * brand)) / 500) * 500);
}
