/**
 * Agent handler: asks the node's model to carry out its instruction with the
 * earlier nodes' outputs as data, and returns the text and token usage.
 *
 * With an `outputSchema`, the model answers through one forced tool,
 * `osop_output`, whose input schema is the node's output schema; the tool
 * input is validated (ajv), sent back once with the validation errors when
 * invalid, and its fields are returned at the top level of the result.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { AgentResult, AgentTaskPayload } from '../../lib/contract/task-payload';
import { redacting } from '../shared/handler-error';
import { effectiveTimeoutMs, type LambdaContextLike } from '../shared/lambda-context';
import type { Redactor } from '../shared/redactor';
import { defaultSecretSource, readSecret } from '../shared/secrets';
import { toHandlerError } from './errors';
import { assertAgentPayload } from './payload';
import { userMessage } from './prompt';
import {
  askWithOneCorrection,
  correctionMessage,
  OUTPUT_TOOL_NAME,
  outputValidator,
  sumUsage,
  typedResult,
  type Extracted,
  type TypedAgentResult,
} from './typed-output';

/** The contract's documented default when a payload names no key secret. */
const DEFAULT_API_KEY_SECRET = 'ANTHROPIC_API_KEY';

export async function handler(event: AgentTaskPayload, context?: LambdaContextLike): Promise<TypedAgentResult> {
  return redacting((redactor) => run(event, redactor, context));
}

async function run(event: AgentTaskPayload, redactor: Redactor, context?: LambdaContextLike): Promise<TypedAgentResult> {
  assertAgentPayload(event, ['anthropic']);
  // Compiled before anything is sent: a schema ajv rejects is a payload error.
  const validate = event.outputSchema && outputValidator(event.outputSchema);
  const apiKey = await readSecret(defaultSecretSource(), event.apiKeySecret ?? DEFAULT_API_KEY_SECRET, 'OSOP.Llm.Transient');
  redactor.add(apiKey);

  // Loaded here, not imported: importing this module stays cheap (cold starts, the local runner).
  const { default: AnthropicClient } = require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
  const client = new AnthropicClient({
    apiKey,
    baseURL: process.env.ANTHROPIC_BASE_URL || undefined,
    // Step Functions owns retries (with backoff and a bound); the SDK must not add its own.
    maxRetries: 0,
    logLevel: 'off',
  });

  const base: Anthropic.MessageCreateParamsNonStreaming = {
    model: event.model,
    max_tokens: event.maxTokens,
    ...(event.systemPrompt && { system: event.systemPrompt }),
    ...(event.temperature !== undefined && { temperature: event.temperature }),
    messages: [{ role: 'user', content: userMessage(event) }],
  };
  const create = async (params: Anthropic.MessageCreateParamsNonStreaming): Promise<Anthropic.Message> => {
    // Per request: the second request of a typed output gets only the Lambda time that is left.
    const timeoutMs = effectiveTimeoutMs(event.timeoutMs, context);
    try {
      return await client.messages.create(params, { timeout: timeoutMs });
    } catch (err) {
      throw toHandlerError(err, event.model, timeoutMs);
    }
  };

  if (!event.outputSchema || !validate) {
    const message = await create(base);
    return {
      text: message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
      model: message.model,
      stop_reason: message.stop_reason,
      usage: usageOf(message),
    };
  }

  const typed: Anthropic.MessageCreateParamsNonStreaming = {
    ...base,
    tools: [
      {
        name: OUTPUT_TOOL_NAME,
        description: 'Return the answer to the task. Its input is the answer, as a JSON object matching the schema.',
        input_schema: event.outputSchema as Anthropic.Tool.InputSchema,
      },
    ],
    tool_choice: { type: 'tool', name: OUTPUT_TOOL_NAME },
  };
  const { responses, answer } = await askWithOneCorrection({
    nodeId: event.nodeId,
    validate,
    first: () => create(typed),
    retry: (previous, problem) => create({ ...typed, messages: [...typed.messages, ...correctionTurns(previous, problem)] }),
    extract: toolInput,
  });
  const last = responses[responses.length - 1];
  return typedResult(answer, { model: last.model, stop_reason: last.stop_reason, usage: sumUsage(responses.map(usageOf)) });
}

function usageOf(message: Anthropic.Message): AgentResult['usage'] {
  return { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens };
}

/** The `osop_output` tool call's input, or why there is none. */
function toolInput(message: Anthropic.Message): Extracted {
  const call = message.content.find((block) => block.type === 'tool_use' && block.name === OUTPUT_TOOL_NAME);
  if (call && call.type === 'tool_use') return { answer: call.input, truncated: message.stop_reason === 'max_tokens' };
  return { problem: `the answer has no ${OUTPUT_TOOL_NAME} tool call (stop_reason ${message.stop_reason})` };
}

/**
 * The model's answer and a user turn with the problem. Every tool call must be
 * answered with a tool_result (first in the next user turn), so the problem is
 * reported there, as an error, and repeated in the text that asks again.
 */
function correctionTurns(previous: Anthropic.Message, problem: string): Anthropic.MessageParam[] {
  const answer: Anthropic.ContentBlockParam[] = [];
  for (const block of previous.content) {
    if (block.type === 'text' && block.text) answer.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use') answer.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
  }
  const results: Anthropic.ContentBlockParam[] = answer
    .filter((block): block is Anthropic.ToolUseBlockParam => block.type === 'tool_use')
    .map((block) => ({ type: 'tool_result', tool_use_id: block.id, is_error: true, content: `Invalid input: ${problem}` }));
  const ask = correctionMessage(problem, `Call the ${OUTPUT_TOOL_NAME} tool again with input that matches its schema.`);
  return [
    ...(answer.length > 0 ? [{ role: 'assistant' as const, content: answer }] : []),
    { role: 'user', content: [...results, { type: 'text', text: ask }] },
  ];
}
