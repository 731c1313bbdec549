/**
 * A local Anthropic Messages API (`POST /v1/messages`) backed by
 * @copilotkit/aimock: a canned receipt email for every request, plus
 * injectable provider errors and a request journal.
 *
 * Forced tool use (typed outputs): when a request has `tools` and a
 * `tool_choice` that forces one (`{type: 'tool', name}` or `{type: 'any'}`),
 * the reply is a `tool_use` block for that tool whose input is the next
 * queued answer (`queueToolAnswers`), or a small answer generated from the
 * tool's input schema when none is queued. aimock hands reply factories a
 * request translated to the OpenAI shape, which drops `tool_choice`; so a
 * mount on `/v1/messages`, which aimock runs before its own route, records
 * the body exactly as sent (passively, as aimock reads it) and tags the
 * request so the factory can find that body.
 */
import type { IncomingMessage } from 'node:http';
import type { ChatCompletionRequest, LLMock } from '@copilotkit/aimock';
import { sampleAnswer } from '../sample-answer';

/** A plausible reply for the payment workflow's "Generate Receipt Email" node. */
export const DEFAULT_RECEIPT_EMAIL = [
  'Subject: Your payment receipt',
  '',
  'Hello,',
  '',
  'Thank you for your payment. We have received USD 20.00 and your payment was successful.',
  'Keep this email as your receipt; no further action is needed.',
  '',
  'Best regards,',
  'The Billing Team',
].join('\n');

export interface LlmSandboxOptions {
  /** Text of every reply (default: a short receipt email). */
  reply?: string;
  /** Accept only this API key (401 `authentication_error` otherwise); any key when absent. */
  apiKey?: string;
  /** Tool answers queued from the start (see `queueToolAnswers`). */
  toolAnswers?: unknown[];
}

/** One request as the sandbox saw it (the Messages body, normalised by aimock). */
export interface LlmRequest {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  model: string;
  /** The system prompt, when one was sent. */
  system: string | undefined;
  /** The text of the user turn(s). */
  userText: string;
  maxTokens: number | undefined;
  temperature: number | undefined;
  /** The Messages request body exactly as sent (tools, tool_choice, content blocks, ...). */
  body: Record<string, unknown>;
  status: number;
}

export interface LlmSandbox {
  /** Base URL for the SDK (`ANTHROPIC_BASE_URL`); the API is under `/v1`. */
  url: string;
  requestCount(): number;
  requests(): LlmRequest[];
  /** The next `n` requests get 529 `overloaded_error`, as Anthropic sends under load. */
  injectOverloaded(n: number): void;
  /** The next request gets this status with an Anthropic error body. */
  injectError(status: number, type: string, message: string): void;
  /**
   * Inputs for the next forced tool calls, in order. An object becomes the
   * `tool_use` block's input; a string is answered as a text block instead
   * (a model that did not call the tool).
   */
  queueToolAnswers(list: unknown[]): void;
  /** Forgets requests and pending injected errors; the queued tool answers go back to the initial `toolAnswers`. */
  reset(): void;
  close(): Promise<void>;
}

export async function startLlmSandbox(opts: LlmSandboxOptions = {}): Promise<LlmSandbox> {
  // Required lazily: aimock is a dev tool and only the sandbox needs it.
  const { LLMock } = require('@copilotkit/aimock') as typeof import('@copilotkit/aimock');
  const reply = opts.reply ?? DEFAULT_RECEIPT_EMAIL;
  // journalMaxEntries 0: keep every request, so counts stay exact.
  const mock: LLMock = new LLMock({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    journalMaxEntries: 0,
    ...(opts.apiKey !== undefined && { auth: { apiKeys: [opts.apiKey] } }),
  });
  let toolAnswers: unknown[] = [...(opts.toolAnswers ?? [])];
  const bodies = new Map<string, Record<string, unknown>>();
  let sequence = 0;
  mock.mount('/v1/messages', {
    async handleRequest(req) {
      recordBody(req, `osop-request-${++sequence}`, bodies);
      return false; // aimock answers
    },
  });
  const installReply = () =>
    mock.on({}, (req: ChatCompletionRequest) => {
      // Rough token counts (~4 characters a token), so usage is plausible and non-zero.
      const usage = (content: string) => ({ input_tokens: estimateTokens(JSON.stringify(req.messages)), output_tokens: estimateTokens(content) });
      const tool = forcedTool(bodies.get(req._context ?? ''));
      if (!tool) return { content: reply, usage: usage(reply) };
      const answer = toolAnswers.length > 0 ? toolAnswers.shift() : sampleAnswer(tool.input_schema);
      if (typeof answer === 'string') return { content: answer, usage: usage(answer) };
      const input = JSON.stringify(answer);
      return { toolCalls: [{ name: tool.name, arguments: input }], usage: usage(input) };
    });
  installReply();
  await mock.start();

  const messageRequests = () => mock.getRequests().filter((r) => r.path.startsWith('/v1/messages'));
  return {
    url: mock.url,
    requestCount: () => messageRequests().length,
    requests: () =>
      messageRequests().map((r) => {
        const body = (r.body ?? { messages: [] }) as ChatCompletionRequest & { max_tokens?: number; temperature?: number };
        const textOf = (role: string) =>
          body.messages
            .filter((m) => m.role === role)
            .map((m) => (typeof m.content === 'string' ? m.content : ''))
            .join('\n');
        const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
        const tag = headers[TAG_HEADER];
        delete headers[TAG_HEADER];
        return {
          headers,
          model: body.model,
          system: textOf('system') || undefined,
          userText: textOf('user'),
          maxTokens: body.max_tokens,
          temperature: body.temperature,
          body: bodies.get(tag) ?? {},
          status: r.response.status,
        };
      }),
    injectOverloaded(n) {
      for (let i = 0; i < n; i++) mock.nextRequestError(529, { type: 'overloaded_error', message: 'Overloaded' });
    },
    injectError(status, type, message) {
      mock.nextRequestError(status, { type, message });
    },
    queueToolAnswers(list) {
      toolAnswers.push(...list);
    },
    reset() {
      mock.reset();
      bodies.clear();
      toolAnswers = [...(opts.toolAnswers ?? [])];
      installReply();
    },
    close: () => mock.stop(),
  };
}

/** aimock copies this header into the translated request as `_context`; it is how the reply factory finds the raw body. */
const TAG_HEADER = 'x-aimock-context';

/**
 * Tags the request and keeps a copy of its body: wraps `emit` so the chunks
 * are seen as aimock's own reader consumes them (the stream is not read here,
 * so nothing is taken from aimock, whatever the timing).
 */
function recordBody(req: IncomingMessage, tag: string, bodies: Map<string, Record<string, unknown>>): void {
  req.headers[TAG_HEADER] = tag;
  const chunks: Buffer[] = [];
  const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
  (req as unknown as { emit: typeof emit }).emit = (event, ...args) => {
    if (event === 'data') chunks.push(Buffer.isBuffer(args[0]) ? args[0] : Buffer.from(String(args[0])));
    if (event === 'end') {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (body && typeof body === 'object' && !Array.isArray(body)) bodies.set(tag, body as Record<string, unknown>);
      } catch {
        // aimock answers a malformed body with 400 itself.
      }
    }
    return emit(event, ...args);
  };
}

/** The tool a request forces (`tool_choice` `tool` by name, or `any`: the first tool), if any. */
function forcedTool(body: Record<string, unknown> | undefined): { name: string; input_schema: unknown } | undefined {
  const tools = Array.isArray(body?.tools) ? (body.tools as { name?: unknown; input_schema?: unknown }[]) : [];
  const choice = body?.tool_choice as { type?: string; name?: string } | undefined;
  const tool =
    choice?.type === 'tool' ? tools.find((t) => t.name === choice.name)
    : choice?.type === 'any' ? tools[0]
    : undefined;
  return tool && typeof tool.name === 'string' ? { name: tool.name, input_schema: tool.input_schema } : undefined;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
