// Every coded answer the region service gives. The app translates each code
// (src/lib/i18n, `reject.<code>` and `result.<code>`); the service's English
// `reason`/`message` is only a fallback for people reading the database.

/** Why a checkout request became a rejection instead of an order. */
export const REJECTION_CODES = [
  // one line
  'not_in_region', 'product_mismatch', 'not_sold', 'out_of_stock', 'insufficient', 'quantity_limit',
  // the whole request
  'wrong_region', 'bad_request', 'address_missing', 'empty_cart', 'too_many_lines', 'order_invalid',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** How an admin request was answered: applied, or refused with the reason. */
export const RESULT_CODES = [
  'applied', 'malformed', 'order_unknown', 'bad_move', 'stock_unknown', 'restock_unknown', 'not_here', 'failed',
] as const;
export type ResultCode = (typeof RESULT_CODES)[number];
