import type { AgentTaskPayload, LlmProvider } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';

/**
 * Checks an agent payload before anything is read or sent: a malformed one
 * is `OSOP.Config` (retrying cannot fix it). Each handler names the
 * providers it serves; `outputSchema`, when present, must be an object
 * schema (both Anthropic's tool `input_schema` and OpenAI's `json_schema`
 * response format require an object at the root).
 */
export function assertAgentPayload(event: unknown, providers: readonly LlmProvider[]): asserts event is AgentTaskPayload {
  const p = event as Partial<AgentTaskPayload> | null;
  const supported = providers.map((x) => JSON.stringify(x)).join(', ');
  const problem =
    !p || typeof p !== 'object' ? 'the payload is not an object'
    : p.kind !== 'agent' ? `kind is ${JSON.stringify(p.kind)}, expected "agent"`
    : !providers.includes(p.provider as LlmProvider) ? `provider ${JSON.stringify(p.provider)} is not supported (supported: ${supported})`
    : typeof p.model !== 'string' || p.model === '' ? 'model must be a non-empty string'
    : typeof p.instruction !== 'string' ? 'instruction must be a string'
    : !Number.isInteger(p.maxTokens) || (p.maxTokens as number) <= 0 ? 'maxTokens must be a positive integer'
    : p.apiKeySecret !== undefined && (typeof p.apiKeySecret !== 'string' || p.apiKeySecret === '') ? 'apiKeySecret must name a secret'
    : typeof p.timeoutMs !== 'number' || !(p.timeoutMs > 0) ? 'timeoutMs must be a positive number'
    : p.outputSchema !== undefined && !isObjectSchema(p.outputSchema) ? 'outputSchema must be a JSON Schema object with "type": "object"'
    : undefined;
  if (problem) throw new HandlerError('OSOP.Config', `Invalid agent task payload: ${problem}`);
}

function isObjectSchema(schema: unknown): boolean {
  return schema !== null && typeof schema === 'object' && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'object';
}
