/**
 * Human approvals (`human` nodes and `approval_gate`s) → a callback Task:
 * the approval handler publishes the request with the task token and the
 * execution waits until `osop-sfn approve|reject` (SendTaskSuccess /
 * SendTaskFailure) answers it, or the approval times out.
 */
import { ErrorNames, LAMBDA_SERVICE_ERRORS } from '../contract/task-payload';
import { jsonPathOf } from '../expressions';
import { APPROVAL_OUTPUTS } from '../analyse';
import type { ApprovalSpec, WorkflowNode } from '../model';
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS, HANDLER_SUBSTITUTIONS, LAMBDA_INVOKE_WAIT, outputsPath } from './layout';
import type { TaskCommon } from './rest-task';
import { assignLowered, type PayloadContext } from './payload';
import type { TaskState } from './states';

/** `keepDecision`: store the answer as the node's outputs (human nodes); a gate only lets the node run. */
export function lowerApproval(node: WorkflowNode, spec: ApprovalSpec, common: TaskCommon, keepDecision: boolean, ctx: PayloadContext): TaskState {
  const payload: Record<string, unknown> = {
    kind: 'approval',
    workflowId: common.workflowId,
    nodeId: node.id,
    'executionId.$': '$$.Execution.Id',
    ...('literal' in common.attempt ? { attempt: common.attempt.literal } : { 'attempt.$': common.attempt.expression }),
    'taskToken.$': '$$.Task.Token',
  };
  assignLowered(payload, 'prompt', spec.prompt, '/prompt', ctx, spec.prompt);
  Object.assign(payload, {
    approvers: spec.approvers,
    'context.$': '$.outputs',
  });
  return {
    Type: 'Task',
    Comment: `${keepDecision ? '' : 'Approval before '}${node.name ?? node.purpose ?? node.id}`,
    Resource: LAMBDA_INVOKE_WAIT,
    Parameters: { FunctionName: `\${${HANDLER_SUBSTITUTIONS.approval}}`, Payload: payload },
    ...(keepDecision
      ? { ResultSelector: Object.fromEntries(APPROVAL_OUTPUTS.map((o) => [`${o}.$`, jsonPathOf([o])])), ResultPath: outputsPath(node.id) }
      : { ResultPath: null }),
    TimeoutSeconds: spec.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    // Publishing the request may fail transiently; a timeout of the approval itself is an answer, not retried.
    Retry: [
      { ErrorEquals: [ErrorNames.HttpTransient], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' },
      { ErrorEquals: [...LAMBDA_SERVICE_ERRORS], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' },
    ],
  };
}
