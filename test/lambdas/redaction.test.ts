import { HandlerError, MAX_ERROR_MESSAGE_CHARS, redactError } from '../../lambdas/shared/handler-error';
import { redactHeaders } from '../../lambdas/shared/log';
import { Redactor } from '../../lambdas/shared/redactor';

test('credential-like header names are redacted in logs; others are kept', () => {
  expect(
    redactHeaders({
      Authorization: 'Bearer x',
      Cookie: 'a=b',
      'X-Api-Key': 'k',
      'Idempotency-Key': 'osop-1',
      'X-Auth-Token': 't',
      'Client-Secret': 's',
      'Stripe-Account': 'acct_1',
      'Content-Type': 'application/json',
    }),
  ).toEqual({
    Authorization: '[REDACTED]',
    Cookie: '[REDACTED]',
    'X-Api-Key': '[REDACTED]',
    'Idempotency-Key': '[REDACTED]',
    'X-Auth-Token': '[REDACTED]',
    'Client-Secret': '[REDACTED]',
    'Stripe-Account': 'acct_1',
    'Content-Type': 'application/json',
  });
});

test('the redactor replaces raw and percent-encoded secrets, longest first, in text and JSON values', () => {
  const r = new Redactor();
  r.add('abc');
  r.add('abc def/1');
  expect(r.text('x abc def/1 y abc%20def%2F1 z abc')).toBe('x [REDACTED] y [REDACTED] z [REDACTED]');
  expect(r.value({ list: ['abc'], abc: 1, n: 2 })).toEqual({ list: ['[REDACTED]'], '[REDACTED]': 1, n: 2 });
});

test('HandlerError: contract name, bounded message, stack that starts with the name', () => {
  const err = new HandlerError('OSOP.Config', 'x'.repeat(5000));
  expect(err.name).toBe('OSOP.Config');
  expect(err.message).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
  expect(err.message.endsWith('…')).toBe(true);
  expect(err.stack?.startsWith('OSOP.Config: xxx')).toBe(true);
});

test('redactError rebuilds message and stack from the cleaned text and drops the cause', () => {
  const original = new HandlerError('OSOP.Http.Rejected', 'failed for key s3cr3t');
  const cleaned = redactError(original, (t) => t.replace('s3cr3t', '[REDACTED]'));
  expect(cleaned).toBeInstanceOf(HandlerError);
  expect(cleaned.name).toBe('OSOP.Http.Rejected');
  expect(JSON.stringify([cleaned.message, cleaned.stack])).not.toContain('s3cr3t');

  const plain = new TypeError('bad s3cr3t', { cause: new Error('s3cr3t') });
  const cleanedPlain = redactError(plain, (t) => t.replace('s3cr3t', '[REDACTED]'));
  expect(cleanedPlain.name).toBe('TypeError');
  expect(cleanedPlain.message).toBe('bad [REDACTED]');
  expect(cleanedPlain.cause).toBeUndefined();
});
