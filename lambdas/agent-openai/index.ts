/**
 * OpenAI-compatible agent handler, for `provider: openai` and `provider:
 * google` (Gemini through its OpenAI-compatible endpoint): the same job and
 * result as the Anthropic handler (`lambdas/agent`), over Chat Completions
 * with the official `openai` SDK.
 *
 * With an `outputSchema`, the request asks for a `json_schema` response
 * format; the answer (the message content, parsed as JSON) is validated
 * (ajv), sent back once with the validation errors when invalid, and its
 * fields are returned at the top level of the result.
 */
import type OpenAI from 'openai';
import type { AgentResult, AgentTaskPayload, LlmProvider } from '../../lib/contract/task-payload';
import { assertAgentPayload } from '../agent/payload';
import { userMessage } from '../agent/prompt';
import {
  askWithOneCorrection,
  correctionMessage,
  OUTPUT_TOOL_NAME,
  outputValidator,
  sumUsage,
  typedResult,
  type Extracted,
  type TypedAgentResult,
} from '../agent/typed-output';
import { redacting } from '../shared/handler-error';
import { effectiveTimeoutMs, type LambdaContextLike } from '../shared/lambda-context';
import type { Redactor } from '../shared/redactor';
import { defaultSecretSource, readSecret } from '../shared/secrets';
import { toHandlerError } from './errors';

type Provider = Exclude<LlmProvider, 'anthropic'>;

export const SUPPORTED_PROVIDERS: readonly Provider[] = ['openai', 'google'];

/** Gemini's OpenAI-compatible endpoint. */
export const GEMINI_OPENAI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta/openai/';

interface ProviderSettings {
  /** For messages: "OpenAI API returned 429 ...". */
  api: string;
  defaultKeySecret: string;
  baseURL: () => string | undefined;
  /** OpenAI's reasoning models refuse `max_tokens`; Gemini's compatibility layer documents `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
}

const PROVIDERS: Record<Provider, ProviderSettings> = {
  openai: {
    api: 'OpenAI',
    defaultKeySecret: 'OPENAI_API_KEY',
    // Undefined: the SDK's default (https://api.openai.com/v1).
    baseURL: () => process.env.OPENAI_BASE_URL || undefined,
    maxTokensField: 'max_completion_tokens',
  },
  google: {
    api: 'Gemini',
    defaultKeySecret: 'GEMINI_API_KEY',
    baseURL: () => process.env.GEMINI_BASE_URL || GEMINI_OPENAI_BASE_URL,
    maxTokensField: 'max_tokens',
  },
};

/** Chat Completions finish reasons in the Anthropic handler's vocabulary, so workflows read one set. */
const STOP_REASONS: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export async function handler(event: AgentTaskPayload, context?: LambdaContextLike): Promise<TypedAgentResult> {
  return redacting((redactor) => run(event, redactor, context));
}

async function run(event: AgentTaskPayload, redactor: Redactor, context?: LambdaContextLike): Promise<TypedAgentResult> {
  assertAgentPayload(event, SUPPORTED_PROVIDERS);
  const provider = PROVIDERS[event.provider as Provider];
  // Compiled before anything is sent: a schema ajv rejects is a payload error.
  const validate = event.outputSchema && outputValidator(event.outputSchema);
  const apiKey = await readSecret(defaultSecretSource(), event.apiKeySecret ?? provider.defaultKeySecret, 'OSOP.Llm.Transient');
  redactor.add(apiKey);

  // Loaded here, not imported: importing this module stays cheap (cold starts, the local runner).
  const { default: OpenAIClient } = require('openai') as typeof import('openai');
  const client = new OpenAIClient({
    apiKey,
    baseURL: provider.baseURL(),
    // Explicit, so the SDK does not pick these up from the environment (nor send OpenAI's to Google).
    adminAPIKey: null,
    ...(event.provider === 'google' && { organization: null, project: null }),
    // Step Functions owns retries (with backoff and a bound); the SDK must not add its own.
    maxRetries: 0,
    logLevel: 'off',
  });

  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    ...(event.systemPrompt ? [{ role: 'system' as const, content: event.systemPrompt }] : []),
    { role: 'user', content: userMessage(event) },
  ];
  const base: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
    model: event.model,
    messages,
    [provider.maxTokensField]: event.maxTokens,
    ...(event.temperature !== undefined && { temperature: event.temperature }),
  };
  const create = async (params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming): Promise<OpenAI.Chat.ChatCompletion> => {
    // Per request: the second request of a typed output gets only the Lambda time that is left.
    const timeoutMs = effectiveTimeoutMs(event.timeoutMs, context);
    try {
      return await client.chat.completions.create(params, { timeout: timeoutMs });
    } catch (err) {
      throw toHandlerError(err, provider.api, event.model, timeoutMs);
    }
  };

  if (!event.outputSchema || !validate) {
    const completion = await create(base);
    return { text: choiceOf(completion)?.message.content ?? '', ...resultFields(completion, [completion]) };
  }

  const typed: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
    ...base,
    // strict: false: OpenAI's strict mode accepts only a subset of JSON Schema; ajv checks the answer instead.
    response_format: { type: 'json_schema', json_schema: { name: OUTPUT_TOOL_NAME, schema: event.outputSchema, strict: false } },
  };
  const { responses, answer } = await askWithOneCorrection({
    nodeId: event.nodeId,
    validate,
    first: () => create(typed),
    retry: (previous, problem) =>
      create({
        ...typed,
        messages: [
          ...messages,
          { role: 'assistant', content: choiceOf(previous)?.message.content ?? choiceOf(previous)?.message.refusal ?? '' },
          { role: 'user', content: correctionMessage(problem, 'Answer again with only the corrected JSON object.') },
        ],
      }),
    extract: jsonAnswer,
  });
  return typedResult(answer, resultFields(responses[responses.length - 1], responses));
}

function choiceOf(completion: OpenAI.Chat.ChatCompletion): OpenAI.Chat.ChatCompletion.Choice | undefined {
  return completion.choices?.[0];
}

/** model and stop_reason of the last response, usage summed over all of them. */
function resultFields(last: OpenAI.Chat.ChatCompletion, all: OpenAI.Chat.ChatCompletion[]): Omit<AgentResult, 'text'> {
  const finish = choiceOf(last)?.finish_reason ?? null;
  return {
    model: last.model,
    stop_reason: finish === null ? null : (STOP_REASONS[finish] ?? finish),
    usage: sumUsage(all.map((c) => ({ input_tokens: c.usage?.prompt_tokens ?? 0, output_tokens: c.usage?.completion_tokens ?? 0 }))),
  };
}

/** The message content parsed as JSON, or why it cannot be. */
function jsonAnswer(completion: OpenAI.Chat.ChatCompletion): Extracted {
  const message = choiceOf(completion)?.message;
  if (!message) return { problem: 'the response has no answer (no choices)' };
  if (message.refusal) return { problem: `the model refused: ${message.refusal}` };
  if (!message.content) return { problem: `the answer is empty (finish_reason ${choiceOf(completion)?.finish_reason})` };
  try {
    return { answer: JSON.parse(message.content), truncated: choiceOf(completion)?.finish_reason === 'length' };
  } catch (err) {
    const cut = choiceOf(completion)?.finish_reason === 'length' ? '; it was cut off: maxTokens reached' : '';
    return { problem: `the answer is not JSON (${(err as Error).message}${cut})` };
  }
}
