/**
 * Human approvals (`human` nodes, and `approval_gate` on any node) → a
 * callback Task: the approval handler publishes the request with the task
 * token and the execution waits until `osop-sfn approve|reject`
 * (SendTaskSuccess / SendTaskFailure) answers it, or the approval times out.
 */
import { ErrorNames, LAMBDA_SERVICE_ERRORS } from '../contract/task-payload';
import type { ApprovalSpec, WorkflowNode } from '../model';
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS, LAMBDA_INVOKE_WAIT, outputsPath } from '../lower/layout';
import { assignLowered, type PayloadContext } from '../lower/payload';
import type { TaskState } from '../lower/states';
import type { FunctionSpec } from '../types';
import { invokeGrant, payloadHeader, taskComment } from './common';
import type { Binding, LowerContext, Lowering } from './types';

/** Outputs of a node that waits for an approval (the answer). */
export const APPROVAL_OUTPUTS = ['decision', 'comment', 'approver'] as const;

/** Publishes approval requests and manual steps on the approval bus; the Tasks wait for the answer, not for it. */
export const APPROVAL_FUNCTION: FunctionSpec = {
  kind: 'shared', name: 'approval', label: 'approval handler', entry: 'lambdas/approval/index.ts', substitution: 'ApprovalHandlerArn', minTimeoutSeconds: 30, memoryMiB: 128, needs: 'approvals',
};

/** Publishing may fail transiently; the wait for the answer is not retried (a timeout is an answer). */
export const CALLBACK_RETRY: TaskState['Retry'] = [
  { ErrorEquals: [ErrorNames.HttpTransient], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' },
  { ErrorEquals: [...LAMBDA_SERVICE_ERRORS], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' },
];

export const approvalBinding: Binding<ApprovalSpec> = {
  id: 'approval',
  canFail: true,
  matches: (node) => node.type === 'human',
  read: (ctx) => ctx.node.approval,
  templates: (spec, visit) => visit(spec.prompt, false),
  outputs: () => APPROVAL_OUTPUTS,
  outputType: (_n, _s, name) => ((APPROVAL_OUTPUTS as readonly string[]).includes(name) ? 'string' : undefined),
  lower: (node, spec, ctx) => lowerApproval(node, spec, ctx, true),
};

/** The approval Task; `keepDecision`: the answer is the node's outputs (human nodes); a gate only lets its node run. */
export function lowerApproval(node: WorkflowNode, spec: ApprovalSpec, ctx: LowerContext, keepDecision: boolean): Lowering {
  const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
  const payload: Record<string, unknown> = { kind: 'approval', workflowId: ctx.workflowId, ...payloadHeader(node, ctx), 'taskToken.$': '$$.Task.Token' };
  assignLowered(payload, 'prompt', spec.prompt, '/prompt', pctx, spec.prompt);
  Object.assign(payload, { approvers: spec.approvers, 'context.$': '$.outputs' });
  return {
    state: {
      Type: 'Task',
      Comment: `${keepDecision ? '' : 'Approval before '}${taskComment(node)}`,
      Resource: LAMBDA_INVOKE_WAIT,
      Parameters: { FunctionName: `\${${APPROVAL_FUNCTION.substitution}}`, Payload: payload },
      // The answer is the node's outputs (the lowering fills in what an answer sent by hand lacks); a gate only lets its node run.
      ResultPath: keepDecision ? outputsPath(node.id) : null,
      TimeoutSeconds: spec.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
      Retry: CALLBACK_RETRY,
    },
    task: callbackTask('approval'),
  };
}

/** The report of a Task that waits for an answer (SendTaskSuccess/-Failure) after the approval handler published the request. */
export function callbackTask(answer: 'approval' | 'manual'): NonNullable<Lowering['task']> {
  return {
    resource: LAMBDA_INVOKE_WAIT,
    substitutions: [APPROVAL_FUNCTION.substitution],
    waitsForCallback: true,
    waitsForJob: false,
    secrets: [],
    iam: [invokeGrant(APPROVAL_FUNCTION.substitution)],
    function: APPROVAL_FUNCTION,
    local: { kind: 'callback', answer },
  };
}
