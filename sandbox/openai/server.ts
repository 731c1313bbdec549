/**
 * A local OpenAI Chat Completions API (`POST /v1/chat/completions`), the one
 * the OpenAI-compatible agent handler calls for `openai` and for `google`
 * (Gemini's OpenAI-compatible endpoint speaks the same protocol).
 *
 * Built on @copilotkit/aimock, like the Anthropic stand-in: aimock serves
 * Chat Completions natively (OpenAI response and error shapes, Bearer-key
 * check with a 401 `invalid_api_key` error body, a request journal that keeps
 * the request body as sent). This module adds the replies: a canned text, or,
 * when the request asks for `response_format: json_schema` (or json_object),
 * the next queued answer, so tests can answer invalid then valid. With no
 * answer queued, a small answer generated from the schema.
 */
import type { ChatCompletionRequest, LLMock } from '@copilotkit/aimock';
import { sampleAnswer } from '../sample-answer';

export const DEFAULT_OPENAI_REPLY = 'Thank you for your payment of USD 20.00. This email is your receipt.';

export interface OpenAiSandboxOptions {
  /** Accept only this key (or these keys), as `Authorization: Bearer KEY`; any key when absent. */
  apiKey?: string | string[];
  /** Text of every reply that is not structured output. */
  reply?: string;
  /** Answers queued from the start for structured-output requests (see `queueAnswers`). */
  answers?: unknown[];
}

/** One request as the stand-in saw it. */
export interface OpenAiRequest {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  model: string;
  /** The system message(s), when sent. */
  system: string | undefined;
  /** The text of the user turn(s), joined with newlines. */
  userText: string;
  /** The request body as sent (messages, response_format, max tokens, ...). */
  body: Record<string, unknown>;
  /** `response_format`, when sent. */
  responseFormat: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } } | undefined;
  status: number;
}

export interface OpenAiSandbox {
  /** Base URL for the SDK (`OPENAI_BASE_URL`, `GEMINI_BASE_URL`): the origin plus `/v1`. */
  url: string;
  requestCount(): number;
  requests(): OpenAiRequest[];
  /**
   * The next request (after any injected before) gets this status with an OpenAI error body
   * (`{ error: { message, type, code } }`); `type` defaults by status
   * (429 `rate_limit_exceeded`, 5xx `server_error`, else `invalid_request_error`).
   */
  injectError(status: number, message: string, type?: string): void;
  /**
   * Answers for the next structured-output requests, in order: an object is
   * sent as its JSON text; a string is sent as it is (to answer with text that
   * is not JSON).
   */
  queueAnswers(list: unknown[]): void;
  /** Back to the state just after start: no requests, no injected errors, the initial `answers` queued. */
  reset(): void;
  close(): Promise<void>;
}

const PATH = '/v1/chat/completions';

export async function startOpenAiSandbox(opts: OpenAiSandboxOptions = {}): Promise<OpenAiSandbox> {
  // Required lazily: aimock is a dev tool and only the sandbox needs it.
  const { LLMock } = require('@copilotkit/aimock') as typeof import('@copilotkit/aimock');
  const reply = opts.reply ?? DEFAULT_OPENAI_REPLY;
  const keys = opts.apiKey === undefined ? [] : Array.isArray(opts.apiKey) ? opts.apiKey : [opts.apiKey];
  // journalMaxEntries 0: keep every request, so counts stay exact.
  const mock: LLMock = new LLMock({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    journalMaxEntries: 0,
    ...(keys.length > 0 && { auth: { apiKeys: keys } }),
  });
  let answers: unknown[] = [...(opts.answers ?? [])];
  // Our own queue rather than aimock's nextRequestError, which serves the last injected first.
  let errors: { status: number; error: { message: string; type: string } }[] = [];

  const installReply = () =>
    mock.on({}, (req: ChatCompletionRequest) => {
      if (errors.length > 0) return errors.shift()!;
      const format = req.response_format as OpenAiRequest['responseFormat'];
      let content = reply;
      if (format?.type === 'json_schema' || format?.type === 'json_object') {
        const answer = answers.length > 0 ? answers.shift() : sampleAnswer(format.json_schema?.schema);
        content = typeof answer === 'string' ? answer : JSON.stringify(answer);
      }
      // Rough token counts (~4 characters a token), so usage is plausible and non-zero.
      return { content, usage: { prompt_tokens: estimateTokens(JSON.stringify(req.messages)), completion_tokens: estimateTokens(content) } };
    });
  installReply();
  await mock.start();

  const chatRequests = () => mock.getRequests().filter((r) => r.path.startsWith(PATH));
  return {
    url: `${mock.url}/v1`,
    requestCount: () => chatRequests().length,
    requests: () =>
      chatRequests().map((r) => {
        const raw = (r.body ?? { messages: [] }) as ChatCompletionRequest;
        // aimock adds its own routing fields (`_endpointType`, `_context`) to the body.
        const body = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_')));
        const textOf = (role: string) =>
          (raw.messages ?? [])
            .filter((m) => m.role === role)
            .map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('')))
            .join('\n');
        return {
          headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])),
          model: raw.model,
          system: textOf('system') || undefined,
          userText: textOf('user'),
          body,
          responseFormat: raw.response_format as OpenAiRequest['responseFormat'],
          status: r.response.status,
        };
      }),
    injectError(status, message, type) {
      const defaultType = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
      errors.push({ status, error: { message, type: type ?? defaultType } });
    },
    queueAnswers(list) {
      answers.push(...list);
    },
    reset() {
      mock.reset();
      answers = [...(opts.answers ?? [])];
      errors = [];
      installReply();
    },
    close: () => mock.stop(),
  };
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
