import fc from 'fast-check';
import { encodeForm } from '../../lambdas/rest/form-encoding';
import { parseForm, type FormValue } from '../../sandbox/stripe/form';

test('bracket notation for nested objects and arrays; booleans as words; null skipped; empty string kept', () => {
  expect(
    encodeForm({
      amount: 2000,
      confirm: false,
      description: '',
      customer: null,
      metadata: { order: 42, 'a b': 'x&y' },
      items: [{ price: 'price_1', quantity: 2 }, { price: 'price_2' }],
      expand: ['customer'],
    }),
  ).toBe(
    'amount=2000&confirm=false&description=&metadata[order]=42&metadata[a%20b]=x%26y' +
      '&items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2&expand[0]=customer',
  );
});

test('a body that is not an object cannot be form-encoded', () => {
  expect(() => encodeForm([1])).toThrow('must be a JSON object');
  expect(() => encodeForm('a=1')).toThrow('must be a JSON object');
});

test("the sandbox parser reads Stripe's forms: `[]` appends, unsafe keys are ignored", () => {
  expect(parseForm('expand[]=customer&expand[]=latest_charge&a[b][0][c]=1&__proto__[x]=1&plain=a+b')).toEqual({
    expand: ['customer', 'latest_charge'],
    a: { b: [{ c: '1' }] },
    plain: 'a b',
  });
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});

/** What Stripe receives for a JSON value: scalars as strings, null and empty containers gone. */
function asReceived(v: unknown): FormValue | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) {
    // Indices are kept, so an empty item leaves a hole; trailing empty items vanish.
    const items = v.map(asReceived);
    while (items.length && items[items.length - 1] === undefined) items.pop();
    return items.length ? (items as FormValue[]) : undefined;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as object)
      .map(([k, x]) => [k, asReceived(x)] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length ? (Object.fromEntries(entries) as FormValue) : undefined;
  }
  return String(v);
}

test('property: the sandbox parses back exactly what the handler encodes', () => {
  const key = fc.stringMatching(/^[a-z][a-z_ .-]{0,8}$/).filter((k) => !['constructor', 'prototype'].includes(k));
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, fc.constant(null), tie('array'), tie('object')),
    // No nulls inside arrays: Stripe's indices would have holes.
    array: fc.array(fc.oneof(scalar, tie('object')), { maxLength: 3 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  fc.assert(
    fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (body) => {
      expect(parseForm(encodeForm(body))).toEqual(asReceived(body) ?? {});
    }),
    { numRuns: 300 },
  );
});
