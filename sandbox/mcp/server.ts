/**
 * A local MCP server over Streamable HTTP (`POST /mcp`), built with the
 * official SDK's McpServer in stateless mode on node:http; binds 127.0.0.1.
 * Tools: `search` (text and structured results), `echo` (its arguments back),
 * `fail` (a tool error), `slow` (answers after `ms`). Records every tool call, and can
 * require a bearer token and inject HTTP errors.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer as McpServerType } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport as TransportType } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface McpSandboxOptions {
  /** Require `Authorization: Bearer <token>` (401 otherwise); any caller when absent. */
  token?: string;
  /**
   * How answers are sent: `sse` (the SDK server's default, a text/event-stream
   * per request) or `json` (one application/json body).
   */
  responseMode?: 'sse' | 'json';
  /**
   * Sessions: the server issues an `Mcp-Session-Id` at initialize, expects it
   * on every later request (404 for an unknown one) and ends the session on
   * DELETE. Default false: stateless, a fresh server per request.
   */
  stateful?: boolean;
  /** Default 0: a free port. */
  port?: number;
}

/** One `tools/call` request that passed authentication. */
export interface McpCall {
  tool: string;
  arguments: Record<string, unknown>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
}

export interface McpSandbox {
  /** The Streamable HTTP endpoint: `http://127.0.0.1:PORT/mcp`. */
  url: string;
  calls(): McpCall[];
  /**
   * After letting `skip` POSTs through (default 0), the next `count` POSTs
   * (default 1) get `status` with a JSON error body instead of an answer.
   */
  injectHttpError(status: number, count?: number, skip?: number): void;
  /** Open sessions (always 0 when stateless). */
  sessions(): number;
  /** Forgets calls and pending injected errors. */
  reset(): void;
  close(): Promise<void>;
}

/** The documents `search` looks through. */
export const SEARCH_CORPUS = [
  { title: 'Refund policy', url: 'https://docs.example.com/refunds', snippet: 'Refunds are issued within 5 business days.' },
  { title: 'Payment methods', url: 'https://docs.example.com/payments', snippet: 'Cards, SEPA debit and bank transfers are accepted.' },
  { title: 'Payment disputes', url: 'https://docs.example.com/disputes', snippet: 'Answer a dispute within 7 days with evidence.' },
  { title: 'Shipping times', url: 'https://docs.example.com/shipping', snippet: 'Orders ship within 2 days.' },
];

/** What `fail` answers when no message is given. */
export const DEFAULT_FAILURE = 'The tool failed on purpose';

const TOOL_NAMES = new Set(['search', 'echo', 'fail', 'slow']);

export async function startMcpSandbox(opts: McpSandboxOptions = {}): Promise<McpSandbox> {
  // Required lazily: only the sandbox needs the server half of the SDK.
  const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js') as typeof import('@modelcontextprotocol/sdk/server/mcp.js');
  const { StreamableHTTPServerTransport } =
    require('@modelcontextprotocol/sdk/server/streamableHttp.js') as typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { z } = require('zod') as typeof import('zod');

  const calls: McpCall[] = [];
  /** What the next POSTs get: a status, or null to pass through. */
  const injected: (number | null)[] = [];
  const sessions = new Map<string, { transport: TransportType; mcp: McpServerType }>();
  // Aborts pending `slow` waits on close, so none keeps the process alive.
  const lifetime = new AbortController();

  function buildServer(): McpServerType {
    const mcp = new McpServer({ name: 'osop-mcp-sandbox', version: '1.0.0' });
    mcp.registerTool(
      'search',
      {
        description: 'Searches the documentation; returns the matching pages.',
        inputSchema: { query: z.string() },
        outputSchema: {
          results: z.array(z.object({ title: z.string(), url: z.string(), snippet: z.string() })),
          count: z.number(),
        },
      },
      async ({ query }) => {
        const words = query.toLowerCase().split(/\s+/).filter(Boolean);
        const results = SEARCH_CORPUS.filter((doc) => words.some((w) => `${doc.title} ${doc.snippet}`.toLowerCase().includes(w)));
        const text = results.length ? results.map((r) => `${r.title} (${r.url}): ${r.snippet}`).join('\n') : `No results for "${query}"`;
        return { content: [{ type: 'text', text }], structuredContent: { results, count: results.length } };
      },
    );
    mcp.registerTool(
      'echo',
      { description: 'Answers with its arguments, as JSON text and as structured content.', inputSchema: z.looseObject({}) },
      async (args) => ({ content: [{ type: 'text', text: JSON.stringify(args) }], structuredContent: args }),
    );
    mcp.registerTool(
      'fail',
      { description: 'Always reports a tool error.', inputSchema: { message: z.string().optional() } },
      async ({ message }) => ({ isError: true, content: [{ type: 'text', text: message ?? DEFAULT_FAILURE }] }),
    );
    mcp.registerTool(
      'slow',
      { description: 'Waits `ms` milliseconds, then answers (text only).', inputSchema: { ms: z.number().int().min(0).max(60_000) } },
      async ({ ms }, extra) => {
        await wait(ms, [lifetime.signal, extra.signal]);
        return { content: [{ type: 'text', text: `done after ${ms} ms` }] };
      },
    );
    return mcp;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (path !== '/mcp') return reply(res, 404, { error: 'not_found', message: `No MCP endpoint at ${path}` });
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      // Never echo what was sent: it may be a real credential.
      return reply(res, 401, { error: 'invalid_token', message: 'Missing or invalid bearer token' }, { 'WWW-Authenticate': 'Bearer' });
    }
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && opts.stateful && !session) {
      return reply(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
    }
    if (req.method === 'DELETE' && session) return session.transport.handleRequest(req, res);
    if (req.method !== 'POST') {
      // No standalone SSE stream (GET); stateless, no session to delete (DELETE).
      return reply(res, 405, { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed' }, id: null }, { Allow: opts.stateful ? 'POST, DELETE' : 'POST' });
    }
    const status = injected.shift();
    if (typeof status === 'number') return reply(res, status, { error: 'injected', message: `Injected HTTP ${status}` });

    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return reply(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
    }
    const messages = (Array.isArray(body) ? body : [body]) as { method?: string; id?: string | number; params?: { name?: unknown; arguments?: unknown } }[];
    const toolCalls = messages.filter((m) => m && m.method === 'tools/call');
    for (const m of toolCalls) {
      calls.push({
        tool: String(m.params?.name),
        arguments: (m.params?.arguments ?? {}) as Record<string, unknown>,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])),
      });
    }
    // The SDK's McpServer turns an unknown tool into an `isError` result; the
    // specification answers it with a JSON-RPC error, as many servers do.
    const unknown = toolCalls.find((m) => !TOOL_NAMES.has(String(m.params?.name)));
    if (unknown && !Array.isArray(body)) {
      return reply(res, 200, { jsonrpc: '2.0', id: unknown.id ?? null, error: { code: -32602, message: `Unknown tool: ${String(unknown.params?.name)}` } });
    }

    if (session) return session.transport.handleRequest(req, res, body);
    const mcp = buildServer();
    const transport: TransportType = new StreamableHTTPServerTransport({
      sessionIdGenerator: opts.stateful ? () => randomUUID() : undefined,
      enableJsonResponse: opts.responseMode === 'json',
      onsessioninitialized: (id) => void sessions.set(id, { transport, mcp }),
      onsessionclosed: (id) => {
        sessions.delete(id);
        void mcp.close();
      },
    });
    // Stateless, or a first request that opened no session: this server was for this request only.
    res.on('close', () => {
      if (transport.sessionId === undefined) void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, { error: 'internal', message: (err as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls: () => calls.map((c) => structuredClone(c)),
    injectHttpError(status, count = 1, skip = 0) {
      for (let i = 0; i < skip; i++) injected.push(null);
      for (let i = 0; i < count; i++) injected.push(status);
    },
    sessions: () => sessions.size,
    reset() {
      calls.length = 0;
      injected.length = 0;
    },
    async close() {
      lifetime.abort();
      await Promise.all([...sessions.values()].map(({ mcp }) => mcp.close()));
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });
}

/** Resolves after `ms`, or as soon as any signal aborts. */
function wait(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) {
      if (s.aborted) return done();
      s.addEventListener('abort', done, { once: true });
    }
  });
}
