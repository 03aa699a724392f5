// Building blocks shared by every document kind.
import { z } from 'zod';

/** Region codes are short upper-case tags (JKT, BDG, SBY); the topology lists the real ones. */
export const RegionCode = z.string().regex(/^[A-Z]{2,5}$/, 'must be 2-5 upper-case letters, e.g. BDG');
export type RegionCode = z.infer<typeof RegionCode>;

/** ISO-8601 instant in UTC, as written by `new Date().toISOString()`. */
export const Timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'must be an ISO timestamp in UTC');

/** Whole rupiah: IDR has no minor unit in practice. */
export const Rupiah = z.number().int('must be whole rupiah').min(0, 'must not be negative').max(1_000_000_000_000);
export const Quantity = z.number().int('must be a whole number').min(0, 'must not be negative').max(10_000_000);
/** The most of one item a cart line, a request line or an order line may hold: one limit everywhere. */
export const QTY_MAX = 100_000;
/**
 * Limits a person meets, one definition each: the schemas below (and so the node's write rules made
 * from them), the sign-up route, the region service and the app's forms all read them from here.
 */
export const LIMITS = {
  /** Lines in a cart, a checkout request and an order. */
  lines: 100,
  address: 500,
  fullName: 120,
  email: 200,
  /** Notes on ledger entries and admin requests. */
  note: 500,
  productName: 120,
} as const;
export const PositiveQuantity = z.number().int('must be a whole number').min(1, 'must be at least 1').max(QTY_MAX);

/** Document ids and references to them: bounded, so no id (or a cart line naming one) carries padding. */
export const ID_MAX = 200;
export const Id = () => z.string().max(ID_MAX, `must be at most ${ID_MAX} characters`);

export const Slug = z.string().max(60, 'must be at most 60 characters').regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by dashes');
export const Sku = z.string().max(40, 'must be at most 40 characters').regex(/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/, 'must be upper-case letters, digits and dashes');
/** Client-generated unique ids (ULID-like): time-sortable, safe in document ids. */
export const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a 26-character ULID');
export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'must be 3-40 lower-case letters, digits, dot, dash or underscore');
export const Text = (max: number) =>
  // The string as written, not trimmed: the node's write rules see it as written, so zod must judge the
  // same string (a trimming schema passed 500 characters plus spaces that the node then refused).
  // The pattern refuses a blank value in both.
  z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).regex(/\S/, 'must not be blank');
export const Note = z.string().max(LIMITS.note, `must be at most ${LIMITS.note} characters`);
export const Email = z.string().email('must be an e-mail address').max(LIMITS.email, `must be at most ${LIMITS.email} characters`);

/** CouchDB's own members, allowed on every document (attachments: `attachmentFields`). */
export const couchFields = {
  _rev: z.string().optional(),
  _deleted: z.boolean().optional(),
  _revisions: z.object({ start: z.number(), ids: z.array(z.string()) }).optional(),
};

/**
 * Attachments, on catalog documents only (product photos). Every other kind refuses them as an unknown
 * field, so no shopper or admin can park megabytes on a cart item or a request.
 */
export const attachmentFields = {
  _attachments: z
    .record(
      z.string(),
      z.object({
        content_type: z.string().regex(/^image\/(png|jpeg|webp)$/, 'must be a PNG, JPEG or WebP image').optional(),
        data: z.string().optional(),
        digest: z.string().optional(),
        length: z.number().optional(),
        revpos: z.number().optional(),
        stub: z.boolean().optional(),
      }),
    )
    .optional(),
};
