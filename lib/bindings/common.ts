/**
 * What several bindings share: the payload header, the Lambda invoke Task
 * around a payload, the grant to invoke a function, the Task comment.
 */
import { LAMBDA_SERVICE_ERRORS } from '../contract/task-payload';
import type { WorkflowNode } from '../model';
import type { Grant } from '../types';
import type { LowerContext } from './types';

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
