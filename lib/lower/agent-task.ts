/**
 * `agent` nodes → a Task invoking the agent handler with an `AgentTaskPayload`.
 * The node's outputs are the handler's result (text, model, stop_reason,
 * usage); any output the node declares besides those names the text.
 */
import { ErrorNames } from '../contract/task-payload';

const DEFAULT_API_KEY_SECRET = 'ANTHROPIC_API_KEY';
import { Codes } from '../diagnostics';
import { dataKey } from '../data-layout';
import { jsonPathOf } from '../expressions';
import { AGENT_OUTPUTS } from '../analyse';
import { TemplateText, type AgentBinding, type WorkflowNode } from '../model';
import { DEFAULT_AGENT_TIMEOUT_SECONDS, HANDLER_SUBSTITUTIONS, LAMBDA_INVOKE, TASK_TIMEOUT_MARGIN_SECONDS, outputsPath } from './layout';
import { assignLowered, type PayloadContext } from './payload';
import type { TaskCommon } from './rest-task';
import { retryRules } from './retry';
import type { TaskState } from './states';

export const SUPPORTED_PROVIDERS = ['anthropic'] as const;

export function lowerAgentNode(node: WorkflowNode, b: AgentBinding, ctx: PayloadContext, common: TaskCommon): TaskState | undefined {
  if (!(SUPPORTED_PROVIDERS as readonly string[]).includes(b.provider)) {
    ctx.sink.error(Codes.UnsupportedProvider, `Agent node '${node.id}' uses provider '${b.provider}', which this compiler cannot call.`, b.providerRange, `Supported providers: ${SUPPORTED_PROVIDERS.join(', ')}.`);
    return undefined;
  }
  const timeoutSeconds = node.timeoutSeconds ?? DEFAULT_AGENT_TIMEOUT_SECONDS;
  const payload: Record<string, unknown> = {
    kind: 'agent',
    nodeId: node.id,
    'executionId.$': '$$.Execution.Id',
    ...('literal' in common.attempt ? { attempt: common.attempt.literal } : { 'attempt.$': common.attempt.expression }),
    provider: b.provider,
    model: b.model,
  };
  if (b.systemPrompt) assignLowered(payload, 'systemPrompt', b.systemPrompt, '/systemPrompt', ctx, b.systemPrompt);
  if (b.instruction instanceof TemplateText) assignLowered(payload, 'instruction', b.instruction, '/instruction', ctx, b.instruction);
  else payload.instruction = b.instruction;
  payload.maxTokens = b.maxTokens;
  if (b.temperature !== undefined) payload.temperature = b.temperature;
  if (b.apiKeySecret !== DEFAULT_API_KEY_SECRET) payload.apiKeySecret = b.apiKeySecret;
  // The outputs of the nodes that have run: only declared outputs, so this stays small.
  payload['context.$'] = '$.outputs';
  payload.timeoutMs = timeoutSeconds * 1000;

  const selector: Record<string, string> = {};
  for (const name of AGENT_OUTPUTS) selector[`${name}.$`] = jsonPathOf(['Payload', name]);
  for (const o of node.outputs) if (!(AGENT_OUTPUTS as readonly string[]).includes(o.name)) selector[`${dataKey(o.name)}.$`] = jsonPathOf(['Payload', 'text']);
  return {
    Type: 'Task',
    Comment: node.name ?? node.purpose ?? node.id,
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: `\${${HANDLER_SUBSTITUTIONS.agent}}`, Payload: payload },
    ResultSelector: selector,
    ResultPath: outputsPath(node.id),
    TimeoutSeconds: timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS,
    Retry: retryRules([ErrorNames.LlmTransient], node.retry),
  };
}
