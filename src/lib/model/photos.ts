// A product's photo comes in two sizes, as two attachments: `thumb.<ext>` for lists, the cart and
// admin tables, and `photo.<ext>` for its own page. The extension follows the image type (demo data
// is PNG, photos uploaded in the browser WebP). Older documents carry only `photo.png`.
export type PhotoSize = 'thumb' | 'photo';

/** Longest side in pixels of each size, as stored. */
export const PHOTO_PX: Record<PhotoSize, number> = { thumb: 160, photo: 480 };

export const photoExt = (contentType: string) => (contentType === 'image/jpeg' ? 'jpg' : contentType === 'image/webp' ? 'webp' : 'png');

/** The attachment holding a size of the photo, falling back to the other size; null without a photo. */
export function photoName(attachments: Record<string, unknown> | undefined, size: PhotoSize): string | null {
  const names = Object.keys(attachments ?? {});
  const of = (s: PhotoSize) => names.find((n) => n.startsWith(`${s}.`)) ?? null;
  return of(size) ?? of(size === 'thumb' ? 'photo' : 'thumb');
}
