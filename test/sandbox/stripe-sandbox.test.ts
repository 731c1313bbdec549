import { startStripeSandbox, type StripeSandbox } from '../../sandbox/stripe/server';

const KEY = 'sk_test_sandboxtest_abcdef123456';
let stripe: StripeSandbox;
beforeAll(async () => {
  stripe = await startStripeSandbox({ apiKey: KEY });
});
afterAll(() => stripe.close());
beforeEach(() => stripe.reset());

interface Call {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- Stripe JSON, asserted field by field
  headers: Headers;
}

async function call(method: string, path: string, form?: string, headers: Record<string, string> = {}): Promise<Call> {
  const res = await fetch(`${stripe.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${KEY}`,
      ...(form !== undefined && { 'Content-Type': 'application/x-www-form-urlencoded' }),
      ...headers,
    },
    body: form,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const createIntent = (form = 'amount=2000&currency=usd', headers?: Record<string, string>) => call('POST', '/v1/payment_intents', form, headers);

describe('authentication', () => {
  test('no key is a 401 with a Stripe-shaped error', async () => {
    const res = await fetch(`${stripe.url}/v1/customers`, { method: 'POST' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('You did not provide an API key');
  });

  test('another key is a 401 that masks it; a live key too', async () => {
    const other = await call('GET', '/v1/customers/cus_1', undefined, { Authorization: 'Bearer sk_test_someoneelse_9876543210' });
    expect(other.status).toBe(401);
    expect(other.body.error.message).toMatch(/^Invalid API Key provided: sk_test_\*+3210$/);
    expect((await call('GET', '/v1/customers/cus_1', undefined, { Authorization: 'Bearer sk_live_abc' })).status).toBe(401);
    expect(stripe.state.customers.size).toBe(0);
  });

  test('Basic auth with the key as user name is accepted, as by Stripe', async () => {
    const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
    expect((await call('POST', '/v1/customers', 'email=a%40b.c', { Authorization: basic })).status).toBe(200);
  });
});

describe('objects', () => {
  test('customers are created from bracket-notation forms and can be retrieved', async () => {
    const created = await call('POST', '/v1/customers', 'email=user%40example.com&name=John+Doe&metadata[order]=42');
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'customer', email: 'user@example.com', name: 'John Doe', metadata: { order: '42' } });
    expect(created.body.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect((await call('GET', `/v1/customers/${created.body.id}`)).body).toEqual(created.body);
  });

  test('a payment intent starts in requires_payment_method, or requires_confirmation with a payment method', async () => {
    const customer = (await call('POST', '/v1/customers', 'email=a%40b.c')).body.id;
    const plain = await createIntent(`amount=2000&currency=USD&customer=${customer}`);
    expect(plain.body).toMatchObject({ object: 'payment_intent', amount: 2000, currency: 'usd', customer, status: 'requires_payment_method' });
    expect(plain.body.client_secret).toMatch(new RegExp(`^${plain.body.id}_secret_[A-Za-z0-9]+$`));
    expect((await createIntent('amount=2000&currency=usd&payment_method=pm_card_visa')).body.status).toBe('requires_confirmation');
  });

  test('pm_card_visa succeeds; confirming again is payment_intent_unexpected_state', async () => {
    const intent = (await createIntent()).body;
    const confirmed = await call('POST', `/v1/payment_intents/${intent.id}/confirm`, 'payment_method=pm_card_visa');
    expect(confirmed.body).toMatchObject({ status: 'succeeded', amount_received: 2000, payment_method: 'pm_card_visa' });
    expect(confirmed.body.latest_charge).toMatch(/^ch_/);
    expect((await call('GET', `/v1/payment_intents/${intent.id}`)).body.status).toBe('succeeded');

    const again = await call('POST', `/v1/payment_intents/${intent.id}/confirm`, 'payment_method=pm_card_visa');
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'payment_intent_unexpected_state' });
  });

  test('pm_card_chargeDeclined is a 402 card_error; the intent goes back to requires_payment_method', async () => {
    const intent = (await createIntent('amount=2000&currency=usd&payment_method=pm_card_chargeDeclined')).body;
    const declined = await call('POST', `/v1/payment_intents/${intent.id}/confirm`);
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
      payment_intent: { id: intent.id, status: 'requires_payment_method' },
    });
    const after = stripe.state.paymentIntents.get(intent.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', payment_method: null, last_payment_error: { code: 'card_declined' } });
    // A new payment method can then be tried.
    expect((await call('POST', `/v1/payment_intents/${intent.id}/confirm`, 'payment_method=pm_card_visa')).body.status).toBe('succeeded');
  });

  test('pm_card_authenticationRequired leaves the intent in requires_action', async () => {
    const intent = (await createIntent()).body;
    const res = await call('POST', `/v1/payment_intents/${intent.id}/confirm`, 'payment_method=pm_card_authenticationRequired');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
  });

  test('create with confirm=true confirms at once', async () => {
    const res = await createIntent('amount=500&currency=eur&payment_method=pm_card_visa&confirm=true');
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 500 });
  });

  test.each([
    ['GET', '/v1/payment_intents/pi_doesnotexist', undefined, 404, 'resource_missing'],
    ['GET', '/v1/customers/cus_doesnotexist', undefined, 404, 'resource_missing'],
    ['POST', '/v1/payment_intents/pi_doesnotexist/confirm', 'payment_method=pm_card_visa', 404, 'resource_missing'],
    ['POST', '/v1/payment_intents', 'amount=2000&currency=usd&customer=cus_nope', 400, 'resource_missing'],
    ['POST', '/v1/payment_intents', 'currency=usd', 400, 'parameter_missing'],
    ['POST', '/v1/payment_intents', 'amount=12.5&currency=usd', 400, 'parameter_invalid_integer'],
    ['POST', '/v1/payment_intents', 'amount=100&currency=usd&colour=blue', 400, 'parameter_unknown'],
    ['POST', '/v1/customers', 'metadata=flat', 400, 'parameter_invalid_object'],
  ])('%s %s %s → %d %s', async (method, path, form, status, code) => {
    const res = await call(method, path, form);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  test('JSON bodies are refused, as Stripe refuses them', async () => {
    const json = await fetch(`${stripe.url}/v1/customers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: '{"email":"a@b.c"}',
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { message: string } }).error.message).toContain('unsupported Content-Type application/json');
  });

  test('an unknown route is a 404 invalid_request_error', async () => {
    const res = await call('DELETE', '/v1/payment_intents');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('Unrecognized request URL (DELETE: /v1/payment_intents)');
  });
});

describe('idempotency', () => {
  test('same key and parameters replay the stored response with Idempotent-Replayed; no second object', async () => {
    const first = await createIntent('amount=2000&currency=usd', { 'Idempotency-Key': 'k1' });
    const second = await createIntent('amount=2000&currency=usd', { 'Idempotency-Key': 'k1' });
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(stripe.state.paymentIntents.size).toBe(1);
    expect(stripe.requests.map((r) => [r.idempotencyKey, r.status, r.replayed])).toEqual([
      ['k1', 200, false],
      ['k1', 200, true],
    ]);
  });

  test('the same key with other parameters is an idempotency_error', async () => {
    await createIntent('amount=2000&currency=usd', { 'Idempotency-Key': 'k2' });
    const res = await createIntent('amount=3000&currency=usd', { 'Idempotency-Key': 'k2' });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('idempotency_error');
    const otherPath = await call('POST', '/v1/customers', 'amount=2000&currency=usd', { 'Idempotency-Key': 'k2' });
    expect(otherPath.body.error.type).toBe('idempotency_error');
    expect(stripe.state.paymentIntents.size).toBe(1);
  });

  test('a decline is stored and replayed (the charge attempt is not repeated)', async () => {
    const intent = (await createIntent()).body;
    const confirm = () => call('POST', `/v1/payment_intents/${intent.id}/confirm`, 'payment_method=pm_card_chargeDeclined', { 'Idempotency-Key': 'k3' });
    const first = await confirm();
    const replay = await confirm();
    expect([first.status, replay.status]).toEqual([402, 402]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('faults', () => {
  test('the nth matching call fails, only once, and others are not counted', async () => {
    stripe.injectFault({ method: 'POST', path: '/v1/customers', nth: 2, kind: 'status500' });
    await createIntent();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('POST', '/v1/customers', 'email=a%40b.c')).status);
    expect(statuses).toEqual([200, 500, 200]);
    expect(stripe.state.customers.size).toBe(2);
    expect(stripe.requests.map((r) => r.fault)).toEqual([null, null, 'status500', null]);
  });

  test('a 503 is a Stripe-shaped api_error; a 500 is not stored under the key, so the retry runs', async () => {
    stripe.injectFault({ path: /^\/v1\/payment_intents$/, kind: 'status503' });
    const res = await createIntent('amount=2000&currency=usd', { 'Idempotency-Key': 'k4' });
    expect(res.status).toBe(503);
    expect(res.body.error.type).toBe('api_error');
    const retry = await createIntent('amount=2000&currency=usd', { 'Idempotency-Key': 'k4' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  test('drop before the effect: no response, no object', async () => {
    stripe.injectFault({ path: '/v1/customers', kind: 'drop' });
    await expect(call('POST', '/v1/customers', 'email=a%40b.c')).rejects.toThrow('fetch failed');
    expect(stripe.state.customers.size).toBe(0);
    expect(stripe.requests[0].status).toBeNull();
  });

  test('drop after the effect: the object exists and the same key replays it', async () => {
    stripe.injectFault({ path: '/v1/customers', kind: 'drop', afterEffect: true });
    await expect(call('POST', '/v1/customers', 'email=a%40b.c', { 'Idempotency-Key': 'k5' })).rejects.toThrow('fetch failed');
    expect(stripe.state.customers.size).toBe(1);
    const retry = await call('POST', '/v1/customers', 'email=a%40b.c', { 'Idempotency-Key': 'k5' });
    expect(retry.body.id).toBe([...stripe.state.customers.keys()][0]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  test('delay: the response comes late; the same key meanwhile gets a retryable 409', async () => {
    stripe.injectFault({ path: '/v1/customers', kind: 'delay', delayMs: 300 });
    const started = Date.now();
    const slow = call('POST', '/v1/customers', 'email=a%40b.c', { 'Idempotency-Key': 'k6' });
    await new Promise((r) => setTimeout(r, 50));
    const busy = await call('POST', '/v1/customers', 'email=a%40b.c', { 'Idempotency-Key': 'k6' });
    expect(busy.status).toBe(409);
    expect(busy.headers.get('stripe-should-retry')).toBe('true');
    expect((await slow).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(stripe.state.customers.size).toBe(1);
  });

  test('a delay fault needs delayMs', () => {
    expect(() => stripe.injectFault({ path: '/v1/customers', kind: 'delay' })).toThrow('delayMs');
  });
});

describe('payWith: the customer pays with other test cards', () => {
  test('the n-th distinct confirmation uses the n-th card; a retry with the same key pays with the same card', async () => {
    stripe.payWith(['pm_card_chargeDeclined']);
    const a = await createIntent();
    const first = await call('POST', `/v1/payment_intents/${a.body.id}/confirm`, 'payment_method=pm_card_visa', { 'Idempotency-Key': 'k1' });
    expect(first.status).toBe(402);
    expect(first.body.error.code).toBe('card_declined');
    const retry = await call('POST', `/v1/payment_intents/${a.body.id}/confirm`, 'payment_method=pm_card_visa', { 'Idempotency-Key': 'k1' });
    expect(retry.status).toBe(402);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const b = await createIntent();
    const second = await call('POST', `/v1/payment_intents/${b.body.id}/confirm`, 'payment_method=pm_card_visa', { 'Idempotency-Key': 'k2' });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe('succeeded');
  });
  test('reset forgets the cards', async () => {
    stripe.payWith(['pm_card_chargeDeclined']);
    stripe.reset();
    const a = await createIntent();
    const r = await call('POST', `/v1/payment_intents/${a.body.id}/confirm`, 'payment_method=pm_card_visa', { 'Idempotency-Key': 'k3' });
    expect(r.status).toBe(200);
  });
});
