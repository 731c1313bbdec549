import { deriveIdempotencyKey } from '../../lib/contract/task-payload';
import { handler, setRoutes } from '../../lambdas/rest';
import { startStripeSandbox, type StripeSandbox } from '../../sandbox/stripe/server';
import { captureConsole, restPayload, thrown } from './payloads';

const KEY = 'sk_test_resthandler_0123456789abcdef';
let stripe: StripeSandbox;
const savedEnv = { ...process.env };

beforeAll(async () => {
  stripe = await startStripeSandbox({ apiKey: KEY });
  setRoutes({ 'https://api.stripe.com': stripe.url });
  process.env.STRIPE_SECRET_KEY = KEY;
  delete process.env.OSOP_SECRETS_SOURCE;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});
afterAll(async () => {
  setRoutes(null);
  process.env = savedEnv;
  await stripe.close();
});
let consoleCapture: ReturnType<typeof captureConsole>;
beforeEach(() => {
  stripe.reset();
  consoleCapture = captureConsole();
});
afterEach(() => consoleCapture.restore());

const intentPayload = (overrides: Parameters<typeof restPayload>[0] = {}) =>
  restPayload({
    nodeId: 'create_intent',
    outputs: [
      { name: 'intent_id', path: '$.id', required: true },
      { name: 'client_secret', path: '$.client_secret', required: true },
    ],
    ...overrides,
    request: { url: 'https://api.stripe.com/v1/payment_intents', body: { amount: 2000, currency: 'usd' }, ...overrides.request },
  });

describe('request building', () => {
  test('form-encodes nested objects, arrays and booleans as Stripe parses them', async () => {
    const result = await handler(
      restPayload({
        request: {
          body: {
            email: 'user@example.com',
            metadata: { order: 42, vip: true, dropped: null },
            shipping: { name: 'John Doe', address: { line1: '1 Main St', city: 'Paris' } },
            preferred_locales: ['en', 'fr'],
          },
        },
      }),
    );
    const [req] = stripe.requests;
    expect(req.rawBody).toContain('metadata[order]=42');
    expect(req.rawBody).toContain('preferred_locales[1]=fr');
    expect(req.rawBody).not.toContain('dropped');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.form).toEqual({
      email: 'user@example.com',
      metadata: { order: '42', vip: 'true' },
      shipping: { name: 'John Doe', address: { line1: '1 Main St', city: 'Paris' } },
      preferred_locales: ['en', 'fr'],
    });
    const [customer] = [...stripe.state.customers.values()];
    expect(customer.metadata).toEqual({ order: '42', vip: 'true' });
    expect(result).toEqual({ customer_id: customer.id });
  });

  test('sends the secret from the environment, and never returns, throws or logs it', async () => {
    const ok = await handler(restPayload());
    expect(stripe.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);

    // A decline: Stripe's error body is part of the thrown message.
    const { intent_id } = (await handler(intentPayload())) as { intent_id: string };
    const err = await thrown(() =>
      handler(
        restPayload({
          nodeId: 'confirm_payment',
          outputs: [],
          request: { url: `https://api.stripe.com/v1/payment_intents/${intent_id}/confirm`, body: { payment_method: 'pm_card_chargeDeclined' } },
        }),
      ),
    );
    expect(err.name).toBe('OSOP.Http.Rejected');

    const everything = JSON.stringify([ok, err.message, err.stack, (err as { cause?: unknown }).cause ?? null, consoleCapture.lines]);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(encodeURIComponent(KEY));
    const logged = consoleCapture.lines.map((l) => JSON.parse(l));
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatchObject({
      msg: 'osop.rest.request',
      method: 'POST',
      url: 'https://api.stripe.com/v1/customers',
      status: 200,
      idempotencyKey: 'yes',
      headers: { Authorization: '[REDACTED]', 'Idempotency-Key': '[REDACTED]' },
    });
  });

  test('substitutes only listed names in listed fields; other placeholders stay literal', async () => {
    process.env.OTHER_SECRET = 'other-secret-value';
    try {
      await handler(
        restPayload({
          secretFields: {
            '/request/headers/Authorization': ['STRIPE_SECRET_KEY'],
            '/request/headers/X-Trace': ['STRIPE_SECRET_KEY'],
          },
          request: {
            headers: {
              Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}',
              'X-Trace': 'trace ${secrets.OTHER_SECRET}',
              'X-Note': '${secrets.STRIPE_SECRET_KEY}',
            },
            body: { description: '${secrets.STRIPE_SECRET_KEY}', metadata: { from_upstream: '${secrets.OTHER_SECRET}' } },
          },
        }),
      );
    } finally {
      delete process.env.OTHER_SECRET;
    }
    const [req] = stripe.requests;
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['x-trace']).toBe('trace ${secrets.OTHER_SECRET}');
    expect(req.headers['x-note']).toBe('${secrets.STRIPE_SECRET_KEY}');
    expect(req.form.description).toBe('${secrets.STRIPE_SECRET_KEY}');
    expect(req.form.metadata).toEqual({ from_upstream: '${secrets.OTHER_SECRET}' });
  });

  test('a secret outside a credential header is still kept out of errors and logs, even when the API echoes it', async () => {
    const err = await thrown(() =>
      handler(
        restPayload({
          outputs: [],
          secretFields: {
            '/request/headers/Authorization': ['STRIPE_SECRET_KEY'],
            '/request/url': ['STRIPE_SECRET_KEY'],
            '/request/headers/X-Account': ['STRIPE_SECRET_KEY'],
          },
          request: {
            method: 'GET',
            url: 'https://api.stripe.com/v1/customers/${secrets.STRIPE_SECRET_KEY}',
            headers: { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}', 'X-Account': '${secrets.STRIPE_SECRET_KEY}' },
            body: undefined,
          },
        }),
      ),
    );
    // Stripe's 404 names the id it could not find: here, the key.
    expect(stripe.requests[0].status).toBe(404);
    expect(err.name).toBe('OSOP.Http.Rejected');
    expect(err.message).toContain("No such customer: '[REDACTED]'");
    const everything = JSON.stringify([err.message, err.stack, consoleCapture.lines]);
    expect(everything).not.toContain(KEY);
    expect(JSON.parse(consoleCapture.lines[0])).toMatchObject({
      url: 'https://api.stripe.com/v1/customers/[REDACTED]',
      headers: { 'X-Account': '[REDACTED]' },
    });
  });

  test('a secret may be part of the idempotency key; a pointer to a control field is refused', async () => {
    process.env.IDEMPOTENCY_SALT = 'salt-123';
    try {
      await handler(
        restPayload({
          secretFields: { '/request/headers/Authorization': ['STRIPE_SECRET_KEY'], '/idempotency/key': ['IDEMPOTENCY_SALT'] },
          idempotency: { enabled: true, key: 'order-42-${secrets.IDEMPOTENCY_SALT}' },
        }),
      );
      expect(stripe.requests[0].idempotencyKey).toBe('order-42-salt-123');

      const err = await thrown(() =>
        handler(restPayload({ secretFields: { '/allowedOrigin': ['STRIPE_SECRET_KEY'] }, allowedOrigin: '${secrets.STRIPE_SECRET_KEY}' })),
      );
      expect(err.name).toBe('OSOP.Config');
      expect(err.message).toContain('"/allowedOrigin" is allowed only when the URL is one secret as a whole');
      expect(stripe.requests).toHaveLength(1);
    } finally {
      delete process.env.IDEMPOTENCY_SALT;
    }
  });

  test('a missing secret is OSOP.Config naming it, and nothing is sent', async () => {
    const err = await thrown(() =>
      handler(
        restPayload({
          secretFields: { '/request/headers/Authorization': ['STRIPE_LIVE_KEY'] },
          request: { headers: { Authorization: 'Bearer ${secrets.STRIPE_LIVE_KEY}' } },
        }),
      ),
    );
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toContain('STRIPE_LIVE_KEY');
    expect(stripe.requests).toHaveLength(0);
  });
});

describe('idempotency keys', () => {
  test('same execution, node and attempt give the same key; another attempt another key', async () => {
    const payload = intentPayload();
    await handler(payload);
    await handler(payload);
    await handler({ ...payload, attempt: '1' });
    const keys = stripe.requests.map((r) => r.idempotencyKey);
    expect(keys[0]).toBe(deriveIdempotencyKey(payload.executionId, payload.nodeId, '0'));
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe(deriveIdempotencyKey(payload.executionId, payload.nodeId, '1'));
    expect(keys[2]).not.toBe(keys[0]);
    // The repeat was a replay, not a second charge: two intents, for two attempts.
    expect(stripe.requests[1].replayed).toBe(true);
    expect(stripe.state.paymentIntents.size).toBe(2);
  });

  test('an explicit key is used, a disabled one is not sent, GET and an existing header are left alone', async () => {
    await handler(intentPayload({ idempotency: { enabled: true, key: 'order-42' } }));
    await handler(intentPayload({ idempotency: { enabled: false } }));
    await handler(intentPayload({ request: { headers: { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}', 'idempotency-key': 'mine' } } }));
    const { intent_id } = (await handler(intentPayload())) as { intent_id: string };
    await handler(restPayload({ outputs: [], request: { method: 'GET', url: `https://api.stripe.com/v1/payment_intents/${intent_id}`, body: undefined } }));
    expect(stripe.requests.map((r) => r.idempotencyKey)).toEqual(['order-42', null, 'mine', expect.stringMatching(/^osop-/), null]);
  });

  test('a retry after the connection dropped AFTER the effect replays the stored result: one intent', async () => {
    const payload = intentPayload();
    stripe.injectFault({ method: 'POST', path: '/v1/payment_intents', kind: 'drop', afterEffect: true });
    const first = await thrown(() => handler(payload));
    expect(first.name).toBe('OSOP.Http.Transient');
    expect(stripe.state.paymentIntents.size).toBe(1);

    const retry = (await handler(payload)) as { intent_id: string };
    expect(stripe.state.paymentIntents.size).toBe(1);
    expect(retry.intent_id).toBe([...stripe.state.paymentIntents.keys()][0]);
    expect(stripe.requests[1].replayed).toBe(true);
  });

  test('a retry after a 500 AFTER the effect replays; after a plain 500 it is processed afresh', async () => {
    stripe.injectFault({ method: 'POST', path: '/v1/payment_intents', kind: 'status500', afterEffect: true });
    const payload = intentPayload();
    expect((await thrown(() => handler(payload))).name).toBe('OSOP.Http.Transient');
    await handler(payload);
    expect(stripe.state.paymentIntents.size).toBe(1);
    expect(stripe.requests.map((r) => [r.status, r.replayed])).toEqual([[500, false], [200, true]]);

    stripe.reset();
    stripe.injectFault({ method: 'POST', path: '/v1/payment_intents', kind: 'status500' });
    expect((await thrown(() => handler(payload))).name).toBe('OSOP.Http.Transient');
    expect(stripe.state.paymentIntents.size).toBe(0);
    await handler(payload);
    expect(stripe.state.paymentIntents.size).toBe(1);
    expect(stripe.requests.map((r) => [r.status, r.replayed])).toEqual([[500, false], [200, false]]);
  });
});

describe('failures', () => {
  test('a card decline is OSOP.Http.Rejected with Stripe message and code', async () => {
    const { intent_id } = (await handler(intentPayload())) as { intent_id: string };
    const err = await thrown(() =>
      handler(
        restPayload({
          nodeId: 'confirm_payment',
          outputs: [],
          request: {
            url: `https://api.stripe.com/v1/payment_intents/${intent_id}/confirm`,
            query: { expand: 'latest_charge' },
            body: { payment_method: 'pm_card_chargeDeclined' },
          },
        }),
      ),
    );
    expect(err.name).toBe('OSOP.Http.Rejected');
    expect(err.message).toContain(`POST https://api.stripe.com/v1/payment_intents/${intent_id}/confirm returned 402`);
    expect(err.message).toContain('Your card was declined.');
    expect(err.message).toContain('code card_declined');
    expect(err.message).toContain('decline_code generic_decline');
    expect(err.message).not.toContain('expand');
    expect(err.message.length).toBeLessThanOrEqual(1024);
  });

  test('503 and a dropped connection are OSOP.Http.Transient', async () => {
    stripe.injectFault({ path: '/v1/customers', kind: 'status503' });
    const e503 = await thrown(() => handler(restPayload()));
    expect(e503.name).toBe('OSOP.Http.Transient');
    expect(e503.message).toContain('returned 503');
    expect(e503.message).toContain('api_error');

    stripe.injectFault({ path: '/v1/customers', kind: 'drop' });
    const dropped = await thrown(() => handler(restPayload()));
    expect(dropped.name).toBe('OSOP.Http.Transient');
    expect(dropped.message).toContain('POST https://api.stripe.com/v1/customers failed without a response');
    expect(stripe.state.customers.size).toBe(0);
  });

  test('a slow response is a timeout (OSOP.Http.Timeout, retried); a retry while Stripe still runs it is transient too, then replays', async () => {
    const payload = intentPayload({ timeoutMs: 150 });
    stripe.injectFault({ path: '/v1/payment_intents', kind: 'delay', delayMs: 600 });
    const started = Date.now();
    const timedOut = await thrown(() => handler(payload));
    // Retried like a transient error; a timeout edge takes it after the retries.
    expect(timedOut.name).toBe('OSOP.Http.Timeout');
    expect(timedOut.message).toContain('timed out after 150 ms');
    expect(Date.now() - started).toBeLessThan(550);
    expect(JSON.parse(consoleCapture.lines[0])).toMatchObject({ status: null, failure: 'timeout' });

    // The first request is still being processed under the same key: Stripe answers 409, retryable.
    const busy = await thrown(() => handler(payload));
    expect(busy.name).toBe('OSOP.Http.Transient');
    expect(busy.message).toContain('returned 409');

    await new Promise((r) => setTimeout(r, 700));
    const done = (await handler(payload)) as { intent_id: string };
    expect(stripe.state.paymentIntents.size).toBe(1);
    expect(done.intent_id).toBe([...stripe.state.paymentIntents.keys()][0]);
  });

  test('a refused connection is transient', async () => {
    const closed = await startStripeSandbox();
    await closed.close();
    setRoutes({ 'https://api.stripe.com': closed.url });
    try {
      const err = await thrown(() => handler(restPayload()));
      expect(err.name).toBe('OSOP.Http.Transient');
      expect(err.message).toContain('ECONNREFUSED');
    } finally {
      setRoutes({ 'https://api.stripe.com': stripe.url });
    }
  });

  test.each([
    ['another host', 'https://evil.example/v1/customers'],
    ['user-info trick', 'https://api.stripe.com@evil.example/v1/customers'],
    ['credentials in the URL', 'https://user:pass@api.stripe.com/v1/customers'],
    ['another port', 'https://api.stripe.com:8443/v1/customers'],
    ['plain http', 'http://api.stripe.com/v1/customers'],
    ['not http', 'file:///etc/passwd'],
    ['the routed target itself', 'ROUTED/v1/customers'],
  ])('a URL outside the allowed origin (%s) is refused with OSOP.Config before sending', async (_, url) => {
    const err = await thrown(() => handler(restPayload({ request: { url: url.replace('ROUTED', stripe.url) } })));
    expect(err.name).toBe('OSOP.Config');
    expect(stripe.requests).toHaveLength(0);
    expect(err.message).not.toContain(KEY);
  });

  test('a header value with a line break is refused without echoing it', async () => {
    const err = await thrown(() =>
      handler(restPayload({ request: { headers: { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}', 'X-Customer': 'a\r\nX-Evil: 1' } } })),
    );
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toContain('X-Customer');
    expect(err.message).not.toContain('X-Evil');
    expect(stripe.requests).toHaveLength(0);
  });
});

describe('outputs', () => {
  test('every declared output is returned; a missing optional one is null', async () => {
    const result = await handler(
      intentPayload({
        outputs: [
          { name: 'intent_id', path: '$.id', required: true },
          { name: 'status', path: "$['status']", required: true },
          { name: 'charge', path: '$.latest_charge', required: false },
          { name: 'first_type', path: '$.payment_method_types[0]', required: true },
          { name: 'nothing', path: '$.charges.data[0].id', required: false },
        ],
      }),
    );
    const [intent] = [...stripe.state.paymentIntents.values()];
    expect(result).toEqual({ intent_id: intent.id, status: 'requires_payment_method', charge: null, first_type: 'card', nothing: null });
  });

  test('a missing required output is OSOP.Output naming it and its path', async () => {
    const err = await thrown(() => handler(intentPayload({ outputs: [{ name: 'charge_id', path: '$.charges.data[0].id', required: true }] })));
    expect(err.name).toBe('OSOP.Output');
    expect(err.message).toContain('"charge_id"');
    expect(err.message).toContain('$.charges.data[0].id');
  });

  test('an empty output list returns {}', async () => {
    expect(await handler(intentPayload({ outputs: [] }))).toEqual({});
  });
});
