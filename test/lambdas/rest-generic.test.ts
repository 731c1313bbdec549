import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_RETURNED_BODY_BYTES } from '../../lib/contract/task-payload';
import { handler, setRoutes } from '../../lambdas/rest';
import { captureConsole, restPayload, thrown } from './payloads';

/** A plain API on 127.0.0.1 whose answers each test sets, recording what it receives. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base: string;
let seen: Seen[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void;

const ORIGIN = 'https://api.example.com';
const payload = (overrides: Parameters<typeof restPayload>[0] = {}) =>
  restPayload({
    allowedOrigin: ORIGIN,
    secretFields: {},
    outputs: undefined as never,
    ...overrides,
    request: { url: `${ORIGIN}/v2/things`, headers: {}, contentType: 'application/json', body: { a: 1 }, ...overrides.request },
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      respond(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.OSOP_ROUTES = JSON.stringify({ [ORIGIN]: `${base}/prefix` });
});
afterAll(async () => {
  delete process.env.OSOP_ROUTES;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
let consoleCapture: ReturnType<typeof captureConsole>;
beforeEach(() => {
  seen = [];
  consoleCapture = captureConsole();
});
afterEach(() => consoleCapture.restore());

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

test('OSOP_ROUTES routes the declared origin to a base URL (path prefix kept); JSON body and query are sent', async () => {
  respond = json(201, { id: 'thing_1', nested: { 'a-b': { c: [10, 20] } } });
  const result = await handler(
    payload({
      request: { query: { limit: 3, expand: true, q: 'a b&c' }, body: { name: 'x', tags: ['a'], nothing: null } },
      outputs: [
        { name: 'id', path: '$.id', required: true },
        { name: 'second', path: "$.nested['a-b'].c[1]", required: true },
      ],
    }),
  );
  expect(result).toEqual({ id: 'thing_1', second: 20 });
  expect(seen[0].method).toBe('POST');
  expect(seen[0].url).toBe('/prefix/v2/things?limit=3&expand=true&q=a+b%26c');
  expect(seen[0].headers['content-type']).toBe('application/json');
  expect(JSON.parse(seen[0].body)).toEqual({ name: 'x', tags: ['a'], nothing: null });
  expect(JSON.parse(consoleCapture.lines[0])).toMatchObject({ url: `${ORIGIN}/v2/things`, routedTo: base });
});

test('GET sends no body and no idempotency key; without outputs the parsed body is returned', async () => {
  respond = json(200, { items: [1, 2, 3] });
  const result = await handler(payload({ request: { method: 'GET', body: { ignored: true } } }));
  expect(result).toEqual({ items: [1, 2, 3] });
  expect(seen[0].body).toBe('');
  expect(seen[0].headers['idempotency-key']).toBeUndefined();
  expect(seen[0].headers['content-type']).toBeUndefined();
});

test('without outputs, a body over the size limit is OSOP.Output', async () => {
  respond = json(200, { blob: 'x'.repeat(MAX_RETURNED_BODY_BYTES + 1) });
  const err = await thrown(() => handler(payload({ request: { method: 'GET' } })));
  expect(err.name).toBe('OSOP.Output');
  expect(err.message).toContain(`over the ${MAX_RETURNED_BODY_BYTES}-byte limit`);
});

test('a required output from a body that is not JSON is OSOP.Output', async () => {
  respond = (_, res) => res.end('<html>ok</html>');
  const err = await thrown(() => handler(payload({ outputs: [{ name: 'id', path: '$.id', required: true }] })));
  expect(err.name).toBe('OSOP.Output');
  expect(err.message).toContain('not JSON');
});

test('expectedStatus replaces "any 2xx"', async () => {
  respond = json(404, { message: 'gone' });
  await expect(handler(payload({ expectedStatus: [404], outputs: [] }))).resolves.toEqual({});
  respond = json(200, {});
  const err = await thrown(() => handler(payload({ expectedStatus: [201], outputs: [] })));
  expect(err.name).toBe('OSOP.Http.Rejected');
  expect(err.message).toContain('returned 200 (expected 201)');
});

test('a redirect is not followed (it could lead off the allowed origin)', async () => {
  respond = (_, res) => {
    res.writeHead(302, { Location: 'https://evil.example/steal' });
    res.end();
  };
  const err = await thrown(() => handler(payload({ outputs: [] })));
  expect(err.name).toBe('OSOP.Http.Rejected');
  expect(err.message).toContain('returned 302');
  expect(err.message).toContain('redirects are not followed');
  expect(seen).toHaveLength(1);
});

test('429 is transient; a top-level "message" and non-JSON text are quoted', async () => {
  respond = json(429, { message: 'Slow down', code: 'rate_limited' });
  const limited = await thrown(() => handler(payload({ outputs: [] })));
  expect(limited.name).toBe('OSOP.Http.Transient');
  expect(limited.message).toBe(`POST ${ORIGIN}/v2/things returned 429 (expected 2xx): Slow down (code rate_limited)`);

  respond = (_, res) => {
    res.writeHead(400);
    res.end(`Bad   request\n${'y'.repeat(5000)}`);
  };
  const bad = await thrown(() => handler(payload({ outputs: [] })));
  expect(bad.name).toBe('OSOP.Http.Rejected');
  expect(bad.message).toMatch(/returned 400 \(expected 2xx\): Bad request y+$/);
  expect(bad.message.length).toBeLessThan(400);
});

test('setRoutes takes precedence over OSOP_ROUTES, and null goes back to it', async () => {
  respond = json(200, {});
  setRoutes({ [ORIGIN]: `${base}/other` });
  await handler(payload({ outputs: [] }));
  setRoutes(null);
  await handler(payload({ outputs: [] }));
  expect(seen.map((s) => s.url)).toEqual(['/other/v2/things', '/prefix/v2/things']);
});

test('a malformed payload is OSOP.Config naming the field', async () => {
  const err = await thrown(() => handler(payload({ timeoutMs: 0 })));
  expect(err.name).toBe('OSOP.Config');
  expect(err.message).toContain('timeoutMs');
  const formArray = await thrown(() => handler(payload({ request: { contentType: 'application/x-www-form-urlencoded', body: [1, 2] } })));
  expect(formArray.name).toBe('OSOP.Config');
  expect(formArray.message).toContain('form-encoded body must be a JSON object');
  expect(seen).toHaveLength(0);
});
