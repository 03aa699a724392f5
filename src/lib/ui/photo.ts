// Product photos are made small in the browser before they are stored: a 4 MB camera picture
// becomes a thumbnail and a detail size of a few dozen KB that every region and device can afford
// to replicate. WebP where the browser encodes it (far smaller than PNG for photographs), else PNG.
import { PHOTO_PX, photoExt, type PhotoSize } from '../model/photos.ts';

export interface EncodedPhoto {
  name: string;
  content_type: string;
  /** base64, for an inline attachment */
  data: string;
}

async function encode(bitmap: ImageBitmap, size: PhotoSize): Promise<EncodedPhoto> {
  const scale = Math.min(1, PHOTO_PX[size] / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob: Blob = await new Promise((r, j) => canvas.toBlob((b) => (b ? r(b) : j(new Error('could not encode the photo'))), 'image/webp', 0.85));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  // A browser without a WebP encoder hands back PNG: the name says what it is.
  return { name: `${size}.${photoExt(blob.type)}`, content_type: blob.type, data: btoa(bin) };
}

/** A file that is not a picture the browser can read (or one too big to try): the admin is told so, not "an error". */
export class PhotoError extends Error {
  constructor(readonly reason: 'unreadable' | 'too_big') {
    super(reason);
  }
}

/** Past this a file is refused before decoding: a camera picture is a few MB, and the browser would hold it all. */
export const PHOTO_FILE_MAX = 25 * 1024 * 1024;

/** Both sizes of a photo, as `_attachments` entries. */
export async function photoAttachments(file: Blob) {
  if (file.size > PHOTO_FILE_MAX) throw new PhotoError('too_big');
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new PhotoError('unreadable');
  });
  const sizes = await Promise.all((['thumb', 'photo'] as const).map((s) => encode(bitmap, s)));
  return Object.fromEntries(sizes.map((p) => [p.name, { content_type: p.content_type, data: p.data }]));
}
