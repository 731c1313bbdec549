import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_RETURNED_BODY_BYTES } from '../../lib/contract/task-payload';
import { handler } from '../../lambdas/mcp';
import { DEFAULT_FAILURE, SEARCH_CORPUS, startMcpSandbox, type McpSandbox } from '../../sandbox/mcp/server';
import { captureConsole, mcpPayload, thrown } from './payloads';

const TOKEN = 'mcp-token-0123456789abcdef-secret';
const OTHER = 'other-secret-value-fedcba9876543210';
let mcp: McpSandbox;
const savedEnv = { ...process.env };

/** Every thrown message, result and log line of the file, checked for the secrets at the end. */
const seen: unknown[] = [];

beforeAll(async () => {
  mcp = await startMcpSandbox({ token: TOKEN });
  process.env.MCP_TOKEN = TOKEN;
  process.env.OTHER_SECRET = OTHER;
  delete process.env.OSOP_SECRETS_SOURCE;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});
afterAll(async () => {
  process.env = savedEnv;
  await mcp.close();
});

let consoleCapture: ReturnType<typeof captureConsole>;
beforeEach(() => {
  mcp.reset();
  consoleCapture = captureConsole();
});
afterEach(() => {
  seen.push(...consoleCapture.lines);
  consoleCapture.restore();
});

async function call(...args: Parameters<typeof handler>) {
  const result = await handler(...args);
  seen.push(result);
  return result;
}
async function failure(...args: Parameters<typeof handler>): Promise<Error> {
  const err = await thrown(() => handler(...args));
  seen.push(err.message, err.stack, (err as { cause?: unknown }).cause ?? null);
  return err;
}
const logged = () => consoleCapture.lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a successful call', () => {
  test('returns the text, the structured content, and its fields at the top level; logs one line', async () => {
    const result = await call(mcpPayload(mcp.url, { arguments: { query: 'payment' } }));
    const expected = SEARCH_CORPUS.filter((d) => /payment/i.test(`${d.title} ${d.snippet}`));
    expect(expected.length).toBeGreaterThan(0);
    expect(result).toEqual({
      text: expected.map((r) => `${r.title} (${r.url}): ${r.snippet}`).join('\n'),
      structured: { results: expected, count: expected.length },
      results: expected,
      count: expected.length,
    });

    const [c] = mcp.calls();
    expect(c).toMatchObject({ tool: 'search', arguments: { query: 'payment' } });
    expect(c.headers.authorization).toBe(`Bearer ${TOKEN}`);

    expect(logged()).toEqual([
      {
        msg: 'osop.mcp.call',
        workflowId: 'sop-support',
        executionId: 'arn:aws:states:eu-west-1:123456789012:execution:sop-support:run-1',
        nodeId: 'search_docs',
        attempt: '0',
        server: mcp.url,
        tool: 'search',
        outcome: 'ok',
        durationMs: expect.any(Number),
        headers: { Authorization: '[REDACTED]' },
      },
    ]);
  });

  test('a tool without structured content gives structured null; fields never overwrite text or structured', async () => {
    expect(await call(mcpPayload(mcp.url, { tool: 'slow', arguments: { ms: 0 } }))).toEqual({ text: 'done after 0 ms', structured: null });

    const args = { text: 'from the tool', structured: 'also from the tool', other: 1 };
    const result = await call(mcpPayload(mcp.url, { tool: 'echo', arguments: args }));
    expect(result).toEqual({ text: JSON.stringify(args), structured: args, other: 1 });
  });

  test('the server URL is logged without its query string', async () => {
    await call(mcpPayload(`${mcp.url}?tenant=acme`));
    expect(logged()[0].server).toBe(mcp.url);
  });

  test('the client is closed after every call, whatever its outcome', async () => {
    const { Client } = require('@modelcontextprotocol/sdk/client/index.js') as typeof import('@modelcontextprotocol/sdk/client/index.js');
    const close = jest.spyOn(Client.prototype, 'close');
    try {
      await call(mcpPayload(mcp.url));
      await failure(mcpPayload(mcp.url, { tool: 'fail', arguments: {} }));
      await failure(mcpPayload(mcp.url, { tool: 'slow', arguments: { ms: 2000 }, timeoutMs: 100 }));
      // Each invocation closed its own client (connect() may close it once more on a failed initialize).
      expect(new Set(close.mock.instances).size).toBe(3);
    } finally {
      close.mockRestore();
    }
  });
});

describe('secrets', () => {
  test('substituted only in listed fields and only for listed names; placeholders elsewhere stay literal', async () => {
    await call(
      mcpPayload(mcp.url, {
        tool: 'echo',
        secretFields: { '/headers/Authorization': ['MCP_TOKEN'], '/headers/X-Trace': ['MCP_TOKEN'] },
        headers: {
          Authorization: 'Bearer ${secrets.MCP_TOKEN}',
          'X-Trace': 'trace ${secrets.OTHER_SECRET}',
          'X-Note': '${secrets.MCP_TOKEN}',
        },
        arguments: { query: '${secrets.MCP_TOKEN}', nested: { from_upstream: '${secrets.OTHER_SECRET}' } },
      }),
    );
    const [c] = mcp.calls();
    expect(c.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(c.headers['x-trace']).toBe('trace ${secrets.OTHER_SECRET}');
    expect(c.headers['x-note']).toBe('${secrets.MCP_TOKEN}');
    expect(c.arguments).toEqual({ query: '${secrets.MCP_TOKEN}', nested: { from_upstream: '${secrets.OTHER_SECRET}' } });
  });

  test('a secret in the server URL is sent, and redacted from errors and logs', async () => {
    const err = await failure(
      mcpPayload(mcp.url.replace(/\/mcp$/, '/tenant/${secrets.OTHER_SECRET}/mcp'), {
        secretFields: { '/headers/Authorization': ['MCP_TOKEN'], '/serverUrl': ['OTHER_SECRET'] },
      }),
    );
    // The sandbox has no such path: the request reached it with the secret in the URL.
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toContain('/tenant/[REDACTED]/mcp');
    expect(logged()[0].server).toBe(mcp.url.replace(/\/mcp$/, '/tenant/[REDACTED]/mcp'));
  });

  test('a pointer outside what is sent is OSOP.Config', async () => {
    for (const pointer of ['/tool', '/arguments/query', '/timeoutMs', '/headers']) {
      const err = await failure(mcpPayload(mcp.url, { secretFields: { [pointer]: ['MCP_TOKEN'] }, arguments: { query: '${secrets.MCP_TOKEN}' } }));
      expect(err.name).toBe('OSOP.Config');
      expect(err.message).toContain(`secretFields pointer "${pointer}" must point at /serverUrl or at a header under /headers`);
    }
    expect(mcp.calls()).toEqual([]);
  });

  test('a missing secret is OSOP.Config naming it', async () => {
    const err = await failure(
      mcpPayload(mcp.url, { secretFields: { '/headers/Authorization': ['NOT_SET_ANYWHERE'] }, headers: { Authorization: 'Bearer ${secrets.NOT_SET_ANYWHERE}' } }),
    );
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toContain('NOT_SET_ANYWHERE');
  });
});

describe('failures', () => {
  test('a wrong token is OSOP.Config saying the server refused, without the token', async () => {
    const wrong = 'wrong-token-that-is-a-secret-too';
    process.env.WRONG_TOKEN = wrong;
    try {
      const err = await failure(
        mcpPayload(mcp.url, { secretFields: { '/headers/Authorization': ['WRONG_TOKEN'] }, headers: { Authorization: 'Bearer ${secrets.WRONG_TOKEN}' } }),
      );
      expect(err.name).toBe('OSOP.Config');
      expect(err.message).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(JSON.stringify([err.message, err.stack, consoleCapture.lines])).not.toContain(wrong);
    } finally {
      delete process.env.WRONG_TOKEN;
    }
    expect(logged()[0]).toMatchObject({ outcome: 'http_error', status: 401 });
    expect(mcp.calls()).toEqual([]);
  });

  test('a URL with no MCP endpoint (404) is OSOP.Config', async () => {
    const err = await failure(mcpPayload(mcp.url.replace(/\/mcp$/, '/nothing-here')));
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toMatch(/not found|no MCP endpoint/i);
  });

  test('an unknown tool (a JSON-RPC error from the server) is OSOP.Mcp.ToolError', async () => {
    const err = await failure(mcpPayload(mcp.url, { tool: 'no_such_tool' }));
    expect(err.name).toBe('OSOP.Mcp.ToolError');
    expect(err.message).toContain('Unknown tool: no_such_tool');
    expect(logged()[0]).toMatchObject({ tool: 'no_such_tool', outcome: 'rpc_error' });
  });

  test('invalid arguments are OSOP.Mcp.ToolError', async () => {
    const err = await failure(mcpPayload(mcp.url, { arguments: { query: 42 } }));
    expect(err.name).toBe('OSOP.Mcp.ToolError');
    expect(err.message).toMatch(/Invalid arguments for tool search/);
  });

  test('a tool error (isError) is OSOP.Mcp.ToolError carrying its text, bounded', async () => {
    const err = await failure(mcpPayload(mcp.url, { tool: 'fail', arguments: {} }));
    expect(err.name).toBe('OSOP.Mcp.ToolError');
    expect(err.message).toContain(DEFAULT_FAILURE);
    expect(logged()[0]).toMatchObject({ tool: 'fail', outcome: 'tool_error' });

    const long = 'x'.repeat(5000);
    const big = await failure(mcpPayload(mcp.url, { tool: 'fail', arguments: { message: `Quota exceeded ${long}` } }));
    expect(big.name).toBe('OSOP.Mcp.ToolError');
    expect(big.message).toContain('Quota exceeded');
    expect(big.message.length).toBeLessThan(1024);
  });

  test('a server that is down (closed port) is OSOP.Mcp.Transient', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));

    const err = await failure(mcpPayload(`http://127.0.0.1:${port}/mcp`));
    expect(err.name).toBe('OSOP.Mcp.Transient');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(logged()[0]).toMatchObject({ outcome: 'network' });
  });

  test('a server that does not speak MCP (plain JSON, not JSON-RPC) is OSOP.Config', async () => {
    const other = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ hello: 'world' }));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const err = await failure(mcpPayload(`http://127.0.0.1:${(other.address() as AddressInfo).port}/api`));
      expect(err.name).toBe('OSOP.Config');
      expect(err.message).toMatch(/does not answer as an MCP Streamable HTTP server/);
      expect(logged()[0]).toMatchObject({ outcome: 'protocol_error' });
    } finally {
      other.closeAllConnections();
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  test('a tool slower than timeoutMs is OSOP.Mcp.Transient, on time', async () => {
    const started = Date.now();
    const err = await failure(mcpPayload(mcp.url, { tool: 'slow', arguments: { ms: 5000 }, timeoutMs: 300 }));
    const elapsed = Date.now() - started;
    expect(err.name).toBe('OSOP.Mcp.Transient');
    expect(err.message).toMatch(/timed out after 300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(logged()[0]).toMatchObject({ outcome: 'timeout' });
  });

  test('the deadline is capped by the time the Lambda invocation has left', async () => {
    const err = await failure(mcpPayload(mcp.url, { tool: 'slow', arguments: { ms: 5000 }, timeoutMs: 30_000 }), {
      getRemainingTimeInMillis: () => 800,
    });
    expect(err.name).toBe('OSOP.Mcp.Transient');
    expect(err.message).toMatch(/timed out after 300 ms/);
  });

  test.each([429, 500, 503])('HTTP %i from the server is OSOP.Mcp.Transient', async (status) => {
    mcp.injectHttpError(status);
    const err = await failure(mcpPayload(mcp.url));
    expect(err.name).toBe('OSOP.Mcp.Transient');
    expect(err.message).toContain(`HTTP ${status}`);
    expect(logged()[0]).toMatchObject({ outcome: 'http_error', status });
  });

  test('a result over the size limit is OSOP.Output', async () => {
    const err = await failure(mcpPayload(mcp.url, { tool: 'echo', arguments: { blob: 'y'.repeat(MAX_RETURNED_BODY_BYTES / 2) } }));
    expect(err.name).toBe('OSOP.Output');
    expect(err.message).toMatch(/over the \d+-byte limit/);
  });

  test.each([
    ['kind', { kind: 'rest' }, /kind is "rest"/],
    ['tool', { tool: '' }, /tool must be a non-empty string/],
    ['arguments', { arguments: [] }, /arguments must be an object/],
    ['headers', { headers: { 'X-N': 1 } }, /headers must be an object of strings/],
    ['timeoutMs', { timeoutMs: 0 }, /timeoutMs must be a positive number/],
    ['serverUrl', { serverUrl: 'not a url' }, /serverUrl is not an absolute URL/],
    ['scheme', { serverUrl: 'ftp://127.0.0.1/mcp' }, /http\(s\) URL/],
    ['reserved header', { headers: { 'Mcp-Session-Id': 'x' } }, /set by the MCP transport/],
  ])('a malformed payload (%s) is OSOP.Config', async (_, overrides, message) => {
    const err = await failure({ ...mcpPayload(mcp.url), secretFields: {}, ...overrides } as never);
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toMatch(message);
    expect(mcp.calls()).toEqual([]);
  });
});

describe('a stateful server (Mcp-Session-Id)', () => {
  let stateful: McpSandbox;
  beforeAll(async () => {
    stateful = await startMcpSandbox({ token: TOKEN, stateful: true, responseMode: 'json' });
  });
  afterAll(() => stateful.close());

  test('the call carries the session id, and the session is ended (DELETE) afterwards', async () => {
    const result = await call(mcpPayload(stateful.url, { arguments: { query: 'shipping' } }));
    expect(result).toMatchObject({ count: 1 });
    expect(stateful.calls()[0].headers['mcp-session-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(stateful.sessions()).toBe(0);
  });

  test('a session the server dropped (404 after initialize) is OSOP.Mcp.Transient, not a configuration error', async () => {
    // initialize and the initialized notification pass; the tools/call gets 404.
    stateful.injectHttpError(404, 1, 2);
    const err = await failure(mcpPayload(stateful.url));
    expect(err.name).toBe('OSOP.Mcp.Transient');
    expect(err.message).toMatch(/ended the session \(HTTP 404\)/);
  });
});

test('no secret value ever appeared in a result, an error or a log line', () => {
  expect(seen.length).toBeGreaterThan(20);
  const everything = JSON.stringify(seen);
  for (const secret of [TOKEN, OTHER]) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
  }
});
