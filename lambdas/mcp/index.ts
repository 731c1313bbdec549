/**
 * MCP handler: calls one tool of an MCP server over Streamable HTTP with the
 * official SDK client, and returns the tool's text and structured content.
 */
import { MAX_RETURNED_BODY_BYTES, workflowOfExecution, type McpResult, type McpTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError, redacting, type HandlerErrorName } from '../shared/handler-error';
import { effectiveTimeoutMs, type LambdaContextLike } from '../shared/lambda-context';
import { logJson, redactHeaders } from '../shared/log';
import type { Redactor } from '../shared/redactor';
import { substituteSecretFields, type SecretFieldRule } from '../shared/secret-fields';
import { defaultSecretSource } from '../shared/secrets';

type CallToolResult = import('@modelcontextprotocol/sdk/types.js').CallToolResult;

/**
 * Only the connection may hold a secret: the server URL or a header. Never
 * the tool name, and never the arguments, which are the tool's data (the
 * compiler never lists them: a secret there would be sent to the tool as data).
 */
export const MCP_SECRET_FIELDS: SecretFieldRule = {
  allows: (tokens) => (tokens.length === 1 && tokens[0] === 'serverUrl') || (tokens.length === 2 && tokens[0] === 'headers'),
  description: 'at /serverUrl or at a header under /headers',
};

/** Headers the transport sets itself: a node overriding them would break the protocol. */
const RESERVED_HEADERS = new Set(['accept', 'content-type', 'content-length', 'host', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']);

/** How much of a tool's error text (or a server's error body) goes into the error message. */
const MAX_DETAIL_CHARS = 500;

/** How long the handler waits for a stateful server to acknowledge the end of the session. */
const SESSION_END_MAX_MS = 1000;

/** Reported when the client introduces itself to the server. */
const CLIENT_INFO = { name: 'osop-sfn', version: '1' };

export async function handler(event: McpTaskPayload, context?: LambdaContextLike): Promise<McpResult> {
  return redacting((redactor) => run(event, redactor, context));
}

type Outcome = 'ok' | 'tool_error' | 'rpc_error' | 'http_error' | 'timeout' | 'network' | 'protocol_error' | 'output_too_large' | 'error';

/** A failure of the exchange, with what the log line reports about it. */
class McpFailure extends HandlerError {
  constructor(
    name: HandlerErrorName,
    message: string,
    readonly outcome: Outcome,
    readonly status?: number,
  ) {
    super(name, message);
  }
}

async function run(event: McpTaskPayload, redactor: Redactor, context?: LambdaContextLike): Promise<McpResult> {
  assertMcpPayload(event);
  const payload = await substituteSecretFields(event, {
    source: defaultSecretSource(),
    redactor,
    transientName: 'OSOP.Mcp.Transient',
    rule: MCP_SECRET_FIELDS,
  });
  const url = serverUrl(payload.serverUrl);
  const headers = payload.headers ?? {};
  checkHeaders(headers);
  // Origin and path only: a query string may carry credentials.
  const server = `${url.origin}${url.pathname}`;
  const label = `MCP tool "${payload.tool}" at ${server}`;
  const timeoutMs = effectiveTimeoutMs(payload.timeoutMs, context);

  const started = Date.now();
  let outcome: Outcome = 'error';
  let status: number | undefined;
  try {
    const result = await callTool(url, headers, payload.tool, payload.arguments, timeoutMs, label);
    if (result.isError) {
      throw new McpFailure('OSOP.Mcp.ToolError', `${label} reported an error: ${bounded(textOf(result)) || '(no text)'}`, 'tool_error');
    }
    const out = toResult(result);
    const bytes = Buffer.byteLength(JSON.stringify(out));
    if (bytes > MAX_RETURNED_BODY_BYTES) {
      throw new McpFailure(
        'OSOP.Output',
        `the result of ${label} is ${bytes} bytes, over the ${MAX_RETURNED_BODY_BYTES}-byte limit; have the tool return less`,
        'output_too_large',
      );
    }
    outcome = 'ok';
    return out;
  } catch (err) {
    if (err instanceof McpFailure) {
      outcome = err.outcome;
      status = err.status;
    }
    throw err;
  } finally {
    logJson(
      redactor.value({
        msg: 'osop.mcp.call',
        workflowId: payload.workflowId ?? workflowOfExecution(payload.executionId),
        executionId: payload.executionId,
        nodeId: payload.nodeId,
        attempt: payload.attempt,
        server,
        tool: payload.tool,
        outcome,
        ...(status !== undefined && { status }),
        durationMs: Date.now() - started,
        headers: redactHeaders(headers),
      }),
    );
  }
}

/**
 * Connects, calls the tool, and always closes the client. One deadline
 * covers both the connection (initialize) and the call.
 */
async function callTool(
  url: URL,
  headers: Record<string, string>,
  tool: string,
  args: Record<string, unknown>,
  timeoutMs: number,
  label: string,
): Promise<CallToolResult> {
  // Loaded here, not imported: importing this module stays cheap (cold starts, the local runner).
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js') as typeof import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } =
    require('@modelcontextprotocol/sdk/client/streamableHttp.js') as typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js');

  const deadline = new AbortController();
  const deadlineAt = Date.now() + timeoutMs;
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const timedOut = new Promise<never>((_, reject) => deadline.signal.addEventListener('abort', reject, { once: true }));
  timedOut.catch(() => undefined);

  const client = new Client(CLIENT_INFO, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers },
    // Step Functions owns retries (with backoff and a bound); the transport must not add its own.
    reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
  });
  const options = { signal: deadline.signal, timeout: timeoutMs };
  let connected = false;
  const exchange = (async () => {
    await client.connect(transport, options);
    connected = true;
    return (await client.callTool({ name: tool, arguments: args }, undefined, options)) as CallToolResult;
  })();
  exchange.catch(() => undefined);

  try {
    // The race keeps the deadline even where the SDK takes no signal (the initialized notification).
    return await Promise.race([exchange, timedOut]);
  } catch (err) {
    if (deadline.signal.aborted) throw new McpFailure('OSOP.Mcp.Transient', `${label} timed out after ${timeoutMs} ms`, 'timeout');
    throw classify(err, label, connected);
  } finally {
    clearTimeout(timer);
    // A stateful server is told the session is over (best effort, within the deadline).
    const left = deadlineAt - Date.now();
    if (transport.sessionId !== undefined && !deadline.signal.aborted && left > 0) {
      await within(transport.terminateSession().catch(() => undefined), Math.min(left, SESSION_END_MAX_MS));
    }
    // Closing aborts any request still in flight.
    await client.close().catch(() => undefined);
  }
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Maps an SDK failure to the contract: no answer (network, connection lost)
 * and 408/429/5xx are transient; 401/403/404 mean the node is misconfigured
 * (but a 404 after initialize is a lost session: transient); a JSON-RPC error
 * or another 4xx is the server refusing the call. Never quotes a request header.
 */
function classify(err: unknown, label: string, connected: boolean): Error {
  const { StreamableHTTPError } =
    require('@modelcontextprotocol/sdk/client/streamableHttp.js') as typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { McpError, ErrorCode } = require('@modelcontextprotocol/sdk/types.js') as typeof import('@modelcontextprotocol/sdk/types.js');

  if (err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code > 0) {
    const status = err.code;
    if (status === 401 || status === 403) {
      return new McpFailure('OSOP.Config', `${label}: the server refused the credentials (HTTP ${status}); check the node's headers and secrets`, 'http_error', status);
    }
    if (status === 404 && connected) {
      // The endpoint answered initialize: a 404 now means the server dropped the session; a new attempt opens another.
      return new McpFailure('OSOP.Mcp.Transient', `${label}: the server ended the session (HTTP 404)`, 'http_error', status);
    }
    if (status === 404) {
      return new McpFailure('OSOP.Config', `${label}: no MCP endpoint was found at this URL (HTTP 404)`, 'http_error', status);
    }
    const detail = bounded(err.message.replace(/^Streamable HTTP error: (Error POSTing to endpoint: )?/, ''));
    if (status === 408 || status === 429 || status >= 500) {
      return new McpFailure('OSOP.Mcp.Transient', `${label}: the server answered HTTP ${status}${detail ? `: ${detail}` : ''}`, 'http_error', status);
    }
    return new McpFailure('OSOP.Mcp.ToolError', `${label}: the server refused the request (HTTP ${status})${detail ? `: ${detail}` : ''}`, 'http_error', status);
  }
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return new McpFailure('OSOP.Mcp.Transient', `${label} timed out`, 'timeout');
    if (err.code === ErrorCode.ConnectionClosed && /Connection closed$/.test(err.message)) {
      return new McpFailure('OSOP.Mcp.Transient', `${label}: the connection closed before the answer`, 'network');
    }
    return new McpFailure('OSOP.Mcp.ToolError', `${label} was refused by the server: ${bounded(err.message)}`, 'rpc_error');
  }
  // By name, not instanceof: fetch's errors may come from another realm (Jest's sandbox).
  const e = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'TypeError' && e.cause) {
    // undici's "fetch failed", with the socket error as its cause.
    const reason = [e.cause.code, e.cause.message].filter(Boolean).join(': ');
    return new McpFailure('OSOP.Mcp.Transient', `${label} failed without a response (${reason || message})`, 'network');
  }
  if (err instanceof StreamableHTTPError || e.name === 'ZodError' || e.name === 'SyntaxError' || /protocol version/i.test(message)) {
    return new McpFailure('OSOP.Config', `${label}: the server does not answer as an MCP Streamable HTTP server: ${bounded(message)}`, 'protocol_error');
  }
  return err instanceof Error ? err : new Error(message);
}

/** The tool's text content blocks, joined with newlines. */
function textOf(result: CallToolResult): string {
  return (result.content ?? [])
    .filter((block): block is { type: 'text'; text: string } => block?.type === 'text' && typeof (block as { text?: unknown }).text === 'string')
    .map((block) => block.text)
    .join('\n');
}

/** `text`, `structured`, and each field of the structured content at the top level (never over `text` or `structured`). */
function toResult(result: CallToolResult): McpResult {
  const sc = result.structuredContent;
  const structured = sc !== null && typeof sc === 'object' && !Array.isArray(sc) ? (sc as Record<string, unknown>) : null;
  // fromEntries and spread define own properties, so a "__proto__" field stays data.
  const fields = Object.fromEntries(Object.entries(structured ?? {}).filter(([k]) => k !== 'text' && k !== 'structured'));
  return { ...fields, text: textOf(result), structured };
}

function serverUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HandlerError('OSOP.Config', 'serverUrl is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HandlerError('OSOP.Config', `serverUrl must be an http(s) URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new HandlerError('OSOP.Config', 'serverUrl must not carry credentials; send them in a header');
  }
  return url;
}

function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new HandlerError('OSOP.Config', `header ${name} is set by the MCP transport and cannot be given`);
    }
    try {
      new Headers([[name, value]]);
    } catch {
      // The value is not quoted: it may hold a secret.
      throw new HandlerError('OSOP.Config', `header ${JSON.stringify(name)} has an invalid name or value`);
    }
  }
}

function bounded(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_DETAIL_CHARS ? flat : `${flat.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}

/** Fails with `OSOP.Config` naming the first malformed field: a compiler bug or a hand-made payload. */
function assertMcpPayload(event: unknown): asserts event is McpTaskPayload {
  const p = event as Partial<McpTaskPayload> | null;
  const problem =
    !p || typeof p !== 'object' ? 'the payload is not an object'
    : p.kind !== 'mcp' ? `kind is ${JSON.stringify(p.kind)}, expected "mcp"`
    : typeof p.serverUrl !== 'string' || p.serverUrl === '' ? 'serverUrl must be a non-empty string'
    : typeof p.tool !== 'string' || p.tool === '' ? 'tool must be a non-empty string'
    : !isRecord(p.arguments) ? 'arguments must be an object'
    : p.headers !== undefined && (!isRecord(p.headers) || !Object.values(p.headers).every((v) => typeof v === 'string'))
      ? 'headers must be an object of strings'
    : typeof p.timeoutMs !== 'number' || !(p.timeoutMs > 0) ? 'timeoutMs must be a positive number'
    : !isRecord(p.secretFields ?? {}) ? 'secretFields must be an object'
    : typeof p.executionId !== 'string' || typeof p.nodeId !== 'string' || (typeof p.attempt !== 'string' && typeof p.attempt !== 'number')
      ? 'executionId and nodeId must be strings, attempt a string or a number'
    : undefined;
  if (problem) throw new HandlerError('OSOP.Config', `Invalid MCP task payload: ${problem}`);
}

function isRecord(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
