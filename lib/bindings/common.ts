/**
 * What several bindings share: the payload header, the Lambda invoke Task
 * around a payload, the grant to invoke a function, the Task comment.
 */
import { LAMBDA_SERVICE_ERRORS } from '../contract/task-payload';
import { LAMBDA_INVOKE, TASK_TIMEOUT_MARGIN_SECONDS, outputsPath } from '../lower/layout';
import { retryRules } from '../lower/retry';
import type { TaskState } from '../lower/states';
import type { WorkflowNode } from '../model';
import type { FunctionSpec, Grant, HandlerKind } from '../types';
import type { Lowering, LowerContext } from './types';

/** `nodeId`, `executionId`, `attempt`: the header of every handler payload. */
export function payloadHeader(node: WorkflowNode, ctx: LowerContext): Record<string, unknown> {
  return {
    nodeId: node.id,
    'executionId.$': '$$.Execution.Id',
    ...('literal' in ctx.attempt ? { attempt: ctx.attempt.literal } : { 'attempt.$': ctx.attempt.expression }),
  };
}

export const taskComment = (node: WorkflowNode): string => node.name ?? node.purpose ?? node.id;

const INVOKE_VERSIONS =
  'lambda:InvokeFunction on the function ARN followed by :* covers the versions and aliases of this one function, as Step Functions may invoke a qualified ARN; no other function is covered.';

/** The state machine may invoke this function (and its versions and aliases). */
export function invokeGrant(substitution: string): Grant {
  return { actions: ['lambda:InvokeFunction'], resources: [`\${${substitution}}`, `\${${substitution}}:*`], wildcard: INVOKE_VERSIONS };
}

/** The Lambda service's own transient errors; CDK's LambdaInvoke retries the same list, ClientExecutionTimeout included. */
export const LAMBDA_RETRY_ERRORS: readonly string[] = [...LAMBDA_SERVICE_ERRORS];

/**
 * A Task that invokes a handler function with `payload` and waits for its answer: the selected fields of
 * the result become the node's outputs (none: the state data stays as it was). The Task's timeout is the
 * handler's own plus a margin, so the handler's deadline error fires first and names what timed out.
 */
export function invokeHandler(
  node: WorkflowNode,
  fn: FunctionSpec,
  payload: Record<string, unknown>,
  opts: { selector?: Record<string, string>; timeoutSeconds: number; retryOn: string[]; secrets: string[]; handler: HandlerKind },
): { state: TaskState; task: NonNullable<Lowering['task']> } {
  const timeoutSeconds = opts.timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS;
  return {
    state: {
      Type: 'Task',
      Comment: taskComment(node),
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: `\${${fn.substitution}}`, Payload: payload },
      ...(opts.selector ? { ResultSelector: opts.selector, ResultPath: outputsPath(node.id) } : { ResultPath: null }),
      TimeoutSeconds: timeoutSeconds,
      Retry: retryRules(opts.retryOn, node.retry),
    },
    task: {
      resource: LAMBDA_INVOKE,
      substitutions: [fn.substitution],
      timeoutSeconds,
      waitsForCallback: false,
      waitsForJob: false,
      secrets: opts.secrets,
      iam: [invokeGrant(fn.substitution)],
      function: fn,
      local: { kind: 'lambda', handler: opts.handler },
    },
  };
}
