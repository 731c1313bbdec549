/**
 * A local Anthropic Messages API (`POST /v1/messages`) backed by
 * @copilotkit/aimock: a canned receipt email for every request, plus
 * injectable provider errors and a request journal.
 */
import type { ChatCompletionRequest, LLMock } from '@copilotkit/aimock';

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
  /** Forgets requests and pending injected errors. */
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
  const installReply = () =>
    mock.on({}, (req: ChatCompletionRequest) => ({
      content: reply,
      // Rough token counts (~4 characters a token), so usage is plausible and non-zero.
      usage: { input_tokens: estimateTokens(JSON.stringify(req.messages)), output_tokens: estimateTokens(reply) },
    }));
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
        return {
          headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])),
          model: body.model,
          system: textOf('system') || undefined,
          userText: textOf('user'),
          maxTokens: body.max_tokens,
          temperature: body.temperature,
          status: r.response.status,
        };
      }),
    injectOverloaded(n) {
      for (let i = 0; i < n; i++) mock.nextRequestError(529, { type: 'overloaded_error', message: 'Overloaded' });
    },
    injectError(status, type, message) {
      mock.nextRequestError(status, { type, message });
    },
    reset() {
      mock.reset();
      installReply();
    },
    close: () => mock.stop(),
  };
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
