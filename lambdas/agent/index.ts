/**
 * Agent handler: asks the node's model to carry out its instruction with the
 * earlier nodes' outputs as data, and returns the text and token usage.
 */
import type { AgentResult, AgentTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError, redacting } from '../shared/handler-error';
import { effectiveTimeoutMs, type LambdaContextLike } from '../shared/lambda-context';
import type { Redactor } from '../shared/redactor';
import { defaultSecretSource, readSecret } from '../shared/secrets';
import { toHandlerError } from './errors';
import { userMessage } from './prompt';

/** The contract's documented default when a payload names no key secret. */
const DEFAULT_API_KEY_SECRET = 'ANTHROPIC_API_KEY';

export async function handler(event: AgentTaskPayload, context?: LambdaContextLike): Promise<AgentResult> {
  return redacting((redactor) => run(event, redactor, context));
}

async function run(event: AgentTaskPayload, redactor: Redactor, context?: LambdaContextLike): Promise<AgentResult> {
  assertAgentPayload(event);
  const apiKey = await readSecret(defaultSecretSource(), event.apiKeySecret ?? DEFAULT_API_KEY_SECRET, 'OSOP.Llm.Transient');
  redactor.add(apiKey);
  const timeoutMs = effectiveTimeoutMs(event.timeoutMs, context);

  // Loaded here, not imported: importing this module stays cheap (cold starts, the local runner).
  const { default: Anthropic } = require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
  const client = new Anthropic({
    apiKey,
    baseURL: process.env.ANTHROPIC_BASE_URL || undefined,
    // Step Functions owns retries (with backoff and a bound); the SDK must not add its own.
    maxRetries: 0,
    timeout: timeoutMs,
    logLevel: 'off',
  });

  try {
    const message = await client.messages.create({
      model: event.model,
      max_tokens: event.maxTokens,
      ...(event.systemPrompt && { system: event.systemPrompt }),
      ...(event.temperature !== undefined && { temperature: event.temperature }),
      messages: [{ role: 'user', content: userMessage(event) }],
    });
    return {
      text: message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
      model: message.model,
      stop_reason: message.stop_reason,
      usage: { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens },
    };
  } catch (err) {
    throw toHandlerError(err, event.model, timeoutMs);
  }
}

function assertAgentPayload(event: unknown): asserts event is AgentTaskPayload {
  const p = event as Partial<AgentTaskPayload> | null;
  const problem =
    !p || typeof p !== 'object' ? 'the payload is not an object'
    : p.kind !== 'agent' ? `kind is ${JSON.stringify(p.kind)}, expected "agent"`
    : p.provider !== 'anthropic' ? `provider ${JSON.stringify(p.provider)} is not supported (supported: "anthropic")`
    : typeof p.model !== 'string' || p.model === '' ? 'model must be a non-empty string'
    : typeof p.instruction !== 'string' ? 'instruction must be a string'
    : !Number.isInteger(p.maxTokens) || (p.maxTokens as number) <= 0 ? 'maxTokens must be a positive integer'
    : p.apiKeySecret !== undefined && (typeof p.apiKeySecret !== 'string' || p.apiKeySecret === '') ? 'apiKeySecret must name a secret'
    : typeof p.timeoutMs !== 'number' || !(p.timeoutMs > 0) ? 'timeoutMs must be a positive number'
    : undefined;
  if (problem) throw new HandlerError('OSOP.Config', `Invalid agent task payload: ${problem}`);
}
