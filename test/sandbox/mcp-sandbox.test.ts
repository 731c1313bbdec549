import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEFAULT_FAILURE, SEARCH_CORPUS, startMcpSandbox, type McpSandbox } from '../../sandbox/mcp/server';

const TOKEN = 'mcp-sandbox-token';
let mcp: McpSandbox;
beforeAll(async () => {
  mcp = await startMcpSandbox({ token: TOKEN });
});
afterAll(() => mcp.close());
beforeEach(() => mcp.reset());

/** Runs `body` with an SDK client connected to `url`, closing it afterwards. */
async function withClient<T>(url: string, token: string | undefined, body: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ name: 'sandbox-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
  });
  try {
    await client.connect(transport);
    return await body(client);
  } finally {
    await client.close();
  }
}

test('listens on 127.0.0.1 at /mcp and lists the four tools with their input schemas', async () => {
  expect(mcp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  const { tools } = await withClient(mcp.url, TOKEN, (c) => c.listTools());
  expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'fail', 'search', 'slow']);
  const search = tools.find((t) => t.name === 'search')!;
  expect(search.inputSchema).toMatchObject({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] });
  expect(search.outputSchema).toMatchObject({ type: 'object', properties: { results: { type: 'array' }, count: { type: 'number' } } });
});

test('search, echo, fail and slow answer as documented; calls are recorded with their headers', async () => {
  const results = await withClient(mcp.url, TOKEN, async (c) => [
    await c.callTool({ name: 'search', arguments: { query: 'refund' } }),
    await c.callTool({ name: 'echo', arguments: { a: 1, b: ['x'] } }),
    await c.callTool({ name: 'fail', arguments: {} }),
    await c.callTool({ name: 'fail', arguments: { message: 'Quota exceeded' } }),
    await c.callTool({ name: 'slow', arguments: { ms: 50 } }),
  ]);
  expect(results[0]).toMatchObject({ structuredContent: { results: [SEARCH_CORPUS[0]], count: 1 } });
  expect(results[0].content).toEqual([{ type: 'text', text: `Refund policy (${SEARCH_CORPUS[0].url}): ${SEARCH_CORPUS[0].snippet}` }]);
  expect(results[1]).toMatchObject({ content: [{ type: 'text', text: '{"a":1,"b":["x"]}' }], structuredContent: { a: 1, b: ['x'] } });
  expect(results[2]).toMatchObject({ isError: true, content: [{ type: 'text', text: DEFAULT_FAILURE }] });
  expect(results[3]).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Quota exceeded' }] });
  expect(results[4]).toMatchObject({ content: [{ type: 'text', text: 'done after 50 ms' }] });
  expect(results[4].structuredContent).toBeUndefined();

  const calls = mcp.calls();
  expect(calls.map((c) => c.tool)).toEqual(['search', 'echo', 'fail', 'fail', 'slow']);
  expect(calls[1].arguments).toEqual({ a: 1, b: ['x'] });
  expect(calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  mcp.reset();
  expect(mcp.calls()).toEqual([]);
});

test('an unknown tool gets a JSON-RPC error, as the specification says', async () => {
  const err = await withClient(mcp.url, TOKEN, (c) => c.callTool({ name: 'nope', arguments: {} }).then(() => null, (e: unknown) => e));
  expect(err).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown tool: nope') });
});

test('without the token, or with another, the endpoint answers 401 and never echoes the token', async () => {
  for (const auth of [undefined, 'Bearer not-the-token']) {
    const res = await fetch(mcp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(auth && { authorization: auth }) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.text()).not.toContain('not-the-token');
  }
  await expect(withClient(mcp.url, 'not-the-token', (c) => c.listTools())).rejects.toMatchObject({ code: 401 });
  expect(mcp.calls()).toEqual([]);
});

test('GET is 405 (stateless: no standalone stream), other paths 404, injected errors replace answers', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  expect((await fetch(mcp.url, { headers: { ...auth, accept: 'text/event-stream' } })).status).toBe(405);
  expect((await fetch(mcp.url.replace(/\/mcp$/, '/other'), { method: 'POST', headers: auth })).status).toBe(404);

  mcp.injectHttpError(503, 2);
  await expect(withClient(mcp.url, TOKEN, (c) => c.listTools())).rejects.toMatchObject({ code: 503 });
  await expect(withClient(mcp.url, TOKEN, (c) => c.listTools())).rejects.toMatchObject({ code: 503 });
  expect((await withClient(mcp.url, TOKEN, (c) => c.listTools())).tools).toHaveLength(4);
});

test('json response mode and no token: any caller, one application/json body per request', async () => {
  const open = await startMcpSandbox({ responseMode: 'json' });
  try {
    const res = await fetch(open.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const result = await withClient(open.url, undefined, (c) => c.callTool({ name: 'echo', arguments: { hi: 'there' } }));
    expect(result.structuredContent).toEqual({ hi: 'there' });
  } finally {
    await open.close();
  }
});

test('stateful: a session id at initialize, 404 for an unknown one, DELETE ends the session', async () => {
  const s = await startMcpSandbox({ stateful: true });
  try {
    const client = new Client({ name: 'sandbox-test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(s.url));
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.sessions()).toBe(1);
    expect((await client.callTool({ name: 'echo', arguments: { n: 1 } })).structuredContent).toEqual({ n: 1 });
    expect(s.calls()[0].headers['mcp-session-id']).toBe(transport.sessionId);

    const unknown = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'no-such-session' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);

    await transport.terminateSession();
    expect(s.sessions()).toBe(0);
    await client.close();
  } finally {
    await s.close();
  }
});

test('close() ends a slow call in progress without waiting for it', async () => {
  const s = await startMcpSandbox();
  const client = new Client({ name: 'sandbox-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(s.url)));
  const pending = client.callTool({ name: 'slow', arguments: { ms: 20_000 } }).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await s.close();
  expect(Date.now() - started).toBeLessThan(2000);
  await client.close();
  await pending;
});
