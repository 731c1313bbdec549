/**
 * Nodes bound explicitly with the `x-sfn` extension:
 *   x-sfn: { handler: lambdas/custom/x.ts }   → a Task invoking the user's Lambda handler
 *   x-sfn: { resource: arn:aws:states:::..., parameters: {...} } → any service integration
 */
import { dataKey } from '../data-layout';
import type { WorkflowNode } from '../model';
import { LAMBDA_INVOKE, customHandlerSubstitution, outputsPath } from './layout';
import { lowerJson, type PayloadContext } from './payload';
import type { TaskCommon } from './rest-task';
import { retryRules } from './retry';
import type { TaskState } from './states';

export function lowerCustomHandler(node: WorkflowNode, common: TaskCommon): TaskState {
  const payload: Record<string, unknown> = {
    kind: 'custom',
    workflowId: common.workflowId,
    nodeId: node.id,
    nodeType: node.type,
    'executionId.$': '$$.Execution.Id',
    ...('literal' in common.attempt ? { attempt: common.attempt.literal } : { 'attempt.$': common.attempt.expression }),
    runtime: stripPathKeys(node.runtime),
    'input.$': '$.input',
    'context.$': '$.outputs',
  };
  return {
    Type: 'Task',
    Comment: node.name ?? node.purpose ?? node.id,
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: `\${${customHandlerSubstitution(node.id)}}`, Payload: payload },
    ...outputSelection(node, 'Payload'),
    ...(node.timeoutSeconds ? { TimeoutSeconds: node.timeoutSeconds } : {}),
    Retry: retryRules([], node.retry),
  };
}

export function lowerServiceIntegration(node: WorkflowNode, resource: NonNullable<WorkflowNode['sfn']['resource']>, ctx: PayloadContext): TaskState {
  const params = lowerJson(resource.parameters, '', ctx);
  return {
    Type: 'Task',
    Comment: node.name ?? node.purpose ?? node.id,
    Resource: resource.arn,
    Parameters: params.dynamic ? { 'Input.$': params.expression } : (params.value as Record<string, unknown>),
    ...outputSelection(node, null),
    ...(node.timeoutSeconds ? { TimeoutSeconds: node.timeoutSeconds } : {}),
    // A service integration retries only when the node asks to: its failures are the service's own.
    ...(node.retry ? { Retry: retryRules(['States.TaskFailed'], node.retry).slice(0, 1) } : {}),
  };
}

/** Declared outputs picked from the result (`$.Payload` for Lambda); none declared: the result is dropped. */
function outputSelection(node: WorkflowNode, under: string | null): Pick<TaskState, 'ResultSelector' | 'ResultPath'> {
  if (node.outputs.length === 0) return { ResultPath: null };
  const selector: Record<string, string> = {};
  // Output paths are JSONPaths from `$`: relative to the handler's Payload, or to the service's result.
  for (const o of node.outputs) selector[`${dataKey(o.name)}.$`] = under ? `$.${under}${o.path.slice(1)}` : o.path;
  return { ResultSelector: selector, ResultPath: outputsPath(node.id) };
}

/** Keys ending in `.$` would be read as paths by Step Functions; the runtime block is passed as written. */
function stripPathKeys(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k.endsWith('.$') ? k.slice(0, -2) : k] = x && typeof x === 'object' && !Array.isArray(x) ? stripPathKeys(x as Record<string, unknown>) : x;
  return out;
}
