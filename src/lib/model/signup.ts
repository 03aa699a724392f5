// A shopper's sign-up: what the form sends and the region checks. The form
// and the sign-up route run the same schema; every refusal is a code the app
// translates (src/lib/i18n, `signup.<code>`), never a raw message.
import { z } from 'zod';
import { LIMITS, Username } from './common.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export const SignUp = z.strictObject({
  name: Username,
  password: z.string().min(PASSWORD_MIN, 'password_short').max(PASSWORD_MAX, 'password_long'),
  // Trimmed here because the route stores the trimmed value: the stored profile then passes the same limits.
  full_name: z.string().trim().min(1, 'full_name_invalid').max(LIMITS.fullName, 'full_name_invalid'),
  email: z.string().trim().email('email_invalid').max(LIMITS.email, 'email_invalid'),
});
export type SignUp = z.infer<typeof SignUp>;

/** Every answer the sign-up can give besides success; the app has a message for each. */
export const SIGNUP_ERRORS = [
  'name_invalid', 'password_short', 'password_long', 'full_name_invalid', 'email_invalid',
  'bad_request', 'taken', 'rate_limited', 'unavailable',
] as const;
export type SignUpError = (typeof SIGNUP_ERRORS)[number];

/**
 * Staff and service accounts follow these names (`admin-bdg`, `svc-bdg`,
 * `repl-bdg`, `pusat`, the server admin `admin`); a shopper may not take one,
 * even at a node where that account does not exist (yet).
 */
export const reservedName = (name: string) => /^(admin|pusat|root|couchdb)$|^(admin|svc|repl)-/.test(name);

/** The first problem with a sign-up, as a code, or null when it is fine. */
export function signUpProblem(input: unknown): Exclude<SignUpError, 'taken' | 'rate_limited' | 'unavailable'> | null {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return 'bad_request';
  const r = SignUp.safeParse(input);
  if (r.success) return null;
  const issue = r.error.issues[0];
  const field = issue.path[0];
  if (field === 'name') return 'name_invalid';
  if (field === 'password') {
    if (issue.code === 'invalid_type') return 'bad_request';
    return issue.message === 'password_long' ? 'password_long' : 'password_short';
  }
  if (field === 'full_name') return 'full_name_invalid';
  if (field === 'email') return 'email_invalid';
  return 'bad_request';
}
