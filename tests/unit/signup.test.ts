// The sign-up form and the region's sign-up route share one check; every
// refusal it can give has a message in both languages.
import { describe, expect, it } from 'vitest';
import { SIGNUP_ERRORS, reservedName, signUpProblem } from '../../src/lib/model/signup.ts';
import { messages } from '../../src/lib/i18n/messages.ts';

const ok = { name: 'sari.bdg', password: 'rahasia-123', full_name: 'Sari', email: 'sari@contoh.id' };

describe('sign-up check', () => {
  it('accepts a complete sign-up', () => expect(signUpProblem(ok)).toBeNull());

  it.each([
    [{ ...ok, name: 'Sari' }, 'name_invalid'],
    [{ ...ok, name: 'a:b' }, 'name_invalid'],
    [{ ...ok, password: 'pendek' }, 'password_short'],
    [{ ...ok, password: 'x'.repeat(129) }, 'password_long'],
    [{ ...ok, password: 123456789 }, 'bad_request'],
    [{ ...ok, full_name: ' ' }, 'full_name_invalid'],
    [{ ...ok, email: 'sari' }, 'email_invalid'],
    [{ ...ok, roles: ['region-admin'] }, 'bad_request'],
    [null, 'bad_request'],
    ['sari', 'bad_request'],
  ])('refuses %j as %s', (input, code) => expect(signUpProblem(input)).toBe(code));

  it('keeps staff and service names for staff', () => {
    for (const n of ['admin', 'admin-bdg', 'svc-mdn', 'repl-jkt', 'pusat']) expect(reservedName(n), n).toBe(true);
    for (const n of ['sari.bdg', 'administrasi', 'pusatkota']) expect(reservedName(n), n).toBe(false);
  });

  it('has a message for every refusal in Indonesian and English', () => {
    for (const code of SIGNUP_ERRORS) {
      const key = `signup.${code}` as keyof typeof messages.id;
      expect(messages.id[key], code).toMatch(/\w/);
      expect(messages.en[key], code).toMatch(/\w/);
      expect(messages.en[key]).not.toBe(messages.id[key]);
    }
  });
});
