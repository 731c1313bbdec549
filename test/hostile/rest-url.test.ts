/**
 * Execution input cannot bend the call of a node that carries a secret:
 * values in a URL are one path segment or one query component each, the
 * resolved URL stays under the declared path, header values cannot break
 * lines. Real HTTP to a recording server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import { handler, setRoutes } from '../../lambdas/rest';
import { captureConsole, restPayload, thrown } from '../lambdas/payloads';

let server: Server;
const seen: { method?: string; url?: string; auth?: string }[] = [];
const saved = { ...process.env };
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  setRoutes({ 'https://api.stripe.com': `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  process.env.STRIPE_SECRET_KEY = 'sk_test_hostile';
  delete process.env.OSOP_SECRETS_SOURCE;
});
afterAll(async () => {
  setRoutes(null);
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});
let log: ReturnType<typeof captureConsole>;
beforeEach(() => {
  seen.length = 0;
  log = captureConsole();
});
afterEach(() => log.restore());

/** The payload the compiler writes for `endpoint: /v1/payment_intents/${inputs.intent}/confirm`, with the input's value filled in. */
function confirmWith(intent: unknown) {
  const source = 'osop_version: "1.0"\nid: c\nname: C\ninputs: { intent: { type: string } }\nnodes:\n  - id: confirm\n    type: api\n    runtime: { method: POST, url: "https://api.stripe.com", endpoint: "/v1/payment_intents/${inputs.intent}/confirm", headers: { Authorization: "Bearer ${secrets.STRIPE_SECRET_KEY}" } }\n';
  const r = compile('c.osop.yaml', { source });
  const p = (r.definition!.States.confirm as { Parameters: { Payload: { request: Record<string, unknown> } } }).Parameters.Payload;
  expect(p.request).toMatchObject({ url: 'https://api.stripe.com/v1/payment_intents/{}/confirm', 'urlValues.$': 'States.Array($.input.intent)' });
  return restPayload({
    request: { method: 'POST', url: p.request.url as string, urlValues: [intent as string], headers: { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}' }, contentType: 'application/x-www-form-urlencoded' },
    secretFields: { '/request/headers/Authorization': ['STRIPE_SECRET_KEY'] },
    outputs: [],
  });
}

test('path traversal and a query in the value stay inside one encoded path segment', async () => {
  await handler(confirmWith('../../customers?limit=100#'));
  expect(seen).toEqual([{ method: 'POST', url: '/v1/payment_intents/..%2F..%2Fcustomers%3Flimit%3D100%23/confirm', auth: 'Bearer sk_test_hostile' }]);
});

test("a value that is '..' or '.' is refused before anything is sent", async () => {
  for (const v of ['..', '.']) {
    const e = await thrown(() => handler(confirmWith(v)));
    expect(e.name).toBe('OSOP.Config');
    expect(e.message).toMatch(/would move the request to another path/);
  }
  expect(seen).toEqual([]);
});

test('a query value cannot add parameters', async () => {
  await handler(
    restPayload({
      request: { method: 'GET', url: 'https://api.stripe.com/v1/customers?email={}', urlValues: ['a@x.com&limit=100'], headers: {}, contentType: 'application/json' },
      secretFields: {},
      outputs: [],
    }),
  );
  expect(seen[0].url).toBe('/v1/customers?email=a%40x.com%26limit%3D100');
});

test('CR/LF in a header value is refused as OSOP.Config (not a retried transient error), and nothing is sent', async () => {
  const e = await thrown(() =>
    handler(restPayload({ request: { method: 'GET', url: 'https://api.stripe.com/v1/x', headers: { 'X-Trace': 'a\r\nX-Evil: 1' }, contentType: 'application/json' }, secretFields: {}, outputs: [] })),
  );
  expect(e.name).toBe('OSOP.Config');
  expect(seen).toEqual([]);
});

test('a secret with a space, a plus or a slash is redacted in every encoding it can take', async () => {
  process.env.STRIPE_SECRET_KEY = 'sk test+with/odd chars';
  try {
    const payload = restPayload({
      request: { method: 'GET', url: 'https://api.stripe.com/v1/${secrets.STRIPE_SECRET_KEY}/x', headers: {}, contentType: 'application/json' },
      allowedOrigin: 'https://api.stripe.com',
      secretFields: { '/request/url': ['STRIPE_SECRET_KEY'] },
      expectedStatus: [299],
      outputs: [],
    });
    const e = await thrown(() => handler(payload));
    const everything = [e.message, e.stack ?? '', ...log.lines].join('\n');
    for (const form of ['sk test+with/odd chars', encodeURIComponent('sk test+with/odd chars'), 'sk+test%2Bwith%2Fodd+chars', Buffer.from('sk test+with/odd chars').toString('base64').replace(/=+$/, '')]) {
      expect(everything).not.toContain(form);
    }
  } finally {
    process.env.STRIPE_SECRET_KEY = 'sk_test_hostile';
  }
});

test('a secret sent over plain http (not to this machine) is a compile-time warning', () => {
  const src = (url: string) => `osop_version: "1.0"\nid: h\nname: H\nnodes:\n  - { id: a, type: api, runtime: { url: "${url}", headers: { Authorization: "Bearer \${secrets.KEY}" } } }\n`;
  expect(compile('h.osop.yaml', { source: src('http://api.example.com/x') }).diagnostics.map((d) => d.code)).toContain('OSOP5011');
  expect(compile('h.osop.yaml', { source: src('http://127.0.0.1:8080/x') }).diagnostics.map((d) => d.code)).not.toContain('OSOP5011');
  expect(compile('h.osop.yaml', { source: src('https://api.example.com/x') }).diagnostics.map((d) => d.code)).not.toContain('OSOP5011');
});

test("an agent sees only the outputs its prompt references and its context: names, never a sensitive one", () => {
  const source = `osop_version: "1.0"
id: ctx
name: Ctx
nodes:
  - id: pay
    type: api
    runtime: { url: "https://api.stripe.com/v1/payment_intents", method: POST }
    outputs:
      - intent_id: "data.id"
      - client_secret: "data.client_secret"
      - { name: card_last4, path: "data.last4", sensitive: true }
      - { name: amount, path: "data.amount" }
  - id: other
    type: api
    runtime: { url: "https://api.example.com/x" }
    outputs: [note]
  - id: write
    type: agent
    runtime: { model: claude-sonnet-4-6, prompt: "Amount: \${pay.amount}", context: [pay] }
edges:
  - { from: pay, to: other }
  - { from: other, to: write }
`;
  const r = compile('ctx.osop.yaml', { source });
  expect(r.ok).toBe(true);
  expect((r.definition!.States.write as { Parameters: { Payload: { context: unknown } } }).Parameters.Payload.context).toEqual({
    pay: { 'amount.$': '$.outputs.pay.amount', 'intent_id.$': '$.outputs.pay.intent_id' },
  });
  const notRun = compile('ctx.osop.yaml', { source: source.replace('context: [pay]', 'context: [nowhere]') });
  expect(notRun.diagnostics.find((d) => d.code === 'OSOP3007')?.message).toContain("'nowhere' is not a node");
});
