/**
 * What a server sends back cannot exhaust the handler: bodies are capped
 * while they stream in (compressed ones after decompression), a deeply nested
 * answer is a contract error, and so is a handler result that is not JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { handler, setRoutes } from '../../lambdas/rest';
import { handler as agent } from '../../lambdas/agent';
import { userHandlerInvoker } from '../../lib/local/user-handlers';
import { agentPayload, captureConsole, restPayload, thrown } from '../lambdas/payloads';

let server: Server;
let url: string;
const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const saved = { ...process.env };
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 100 && res.write(chunk)) sent++;
        if (sent >= 100) res.end();
        else res.once('drain', pump);
      };
      res.on('close', () => (sent = 100));
      pump();
    } else if (req.url === '/bomb') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb);
    } else if (req.url === '/deep') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"a":${deep}}`);
    } else if (req.url?.startsWith('/v1/messages')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('this is not JSON');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setRoutes({ 'https://api.example.com': url });
  process.env.ANTHROPIC_API_KEY = 'k';
  process.env.ANTHROPIC_BASE_URL = url;
  delete process.env.OSOP_SECRETS_SOURCE;
});
afterAll(async () => {
  setRoutes(null);
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});
let log: ReturnType<typeof captureConsole>;
beforeEach(() => (log = captureConsole()));
afterEach(() => log.restore());

const get = (path: string) =>
  restPayload({ request: { method: 'GET', url: `https://api.example.com${path}`, headers: {}, contentType: 'application/json' }, allowedOrigin: 'https://api.example.com', secretFields: {}, outputs: [{ name: 'a', path: '$.a', required: true }] });

test('a 100 MB body is cut off at the cap while it streams: OSOP.Output, response too large', async () => {
  const before = process.memoryUsage().rss;
  const e = await thrown(() => handler(get('/big')));
  expect(e.name).toBe('OSOP.Output');
  expect(e.message).toMatch(/response too large/);
  expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
});

test('a gzip bomb is cut off after decompression reaches the cap', async () => {
  const e = await thrown(() => handler(get('/bomb')));
  expect(e.name).toBe('OSOP.Output');
  expect(e.message).toMatch(/larger than 4194304 bytes/);
});

test('a 5,000-deep JSON answer is a contract error, not a RangeError', async () => {
  const e = await thrown(() => handler(get('/deep')));
  expect(e.name).toMatch(/^OSOP\./);
});

test('an agent provider answering 200 with a body that is not JSON is a contract error, not a TypeError', async () => {
  const e = await thrown(() => agent(agentPayload({})));
  expect(e.name).toMatch(/^OSOP\./);
});

test("a user handler returning a BigInt or a cycle fails the Task with OSOP.Output, as a clean failure", async () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  for (const value of [{ n: BigInt(1) }, cyclic]) {
    const e = await thrown(() => userHandlerInvoker(async () => value)({ Payload: {} }));
    expect(e.name).toBe('OSOP.Output');
    expect(e.message).toMatch(/not JSON/);
  }
});
