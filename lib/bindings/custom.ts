/**
 * `x-sfn: { handler: path/to/handler.ts }` → a Task invoking the user's
 * Lambda handler, which gets the node's runtime (templates filled in), the
 * execution input and the earlier outputs.
 */
import { dataKey } from '../data-layout';
import type { SourceRange } from '../diagnostics';
import type { WorkflowNode } from '../model';
import { LAMBDA_INVOKE, TASK_TIMEOUT_MARGIN_SECONDS, customHandlerSubstitution, outputsPath } from '../lower/layout';

/** A custom handler's own deadline when the node names none (the function is sized to it). */
const CUSTOM_TIMEOUT_SECONDS = 50;
import { retryRules } from '../lower/retry';
import type { TaskState } from '../lower/states';
import { invokeGrant, payloadHeader, taskComment } from './common';
import type { Binding } from './types';

export const customBinding: Binding<{ path: string; range: SourceRange }> = {
  id: 'custom',
  canFail: true,
  matches: (node) => node.sfn.handler !== undefined,
  read: (ctx) => ctx.node.sfn.handler,
  lower(node, handler, ctx) {
    const substitution = customHandlerSubstitution(node.id);
    // Every Task that waits on a function has a timeout: without one, a hung function's States.Timeout never fires.
    const timeoutSeconds = (node.timeoutSeconds ?? CUSTOM_TIMEOUT_SECONDS) + TASK_TIMEOUT_MARGIN_SECONDS;
    const payload: Record<string, unknown> = {
      kind: 'custom',
      workflowId: ctx.workflowId,
      ...payloadHeader(node, ctx),
      nodeType: node.type,
      runtime: stripPathKeys(node.runtime),
      'input.$': '$.input',
      'context.$': '$.outputs',
    };
    return {
      state: {
        Type: 'Task',
        Comment: taskComment(node),
        Resource: LAMBDA_INVOKE,
        Parameters: { FunctionName: `\${${substitution}}`, Payload: payload },
        ...outputSelection(node, 'Payload'),
        TimeoutSeconds: timeoutSeconds,
        Retry: retryRules([], node.retry),
      },
      task: {
        resource: LAMBDA_INVOKE,
        substitutions: [substitution],
        timeoutSeconds,
        waitsForCallback: false,
        waitsForJob: false,
        secrets: [],
        iam: [invokeGrant(substitution)],
        function: { kind: 'custom', path: handler.path, substitution },
        local: { kind: 'custom', path: handler.path },
      },
    };
  },
};

/** Declared outputs picked from the result (`$.Payload` for Lambda); none declared: the result is dropped. */
export function outputSelection(node: WorkflowNode, under: string | null): Pick<TaskState, 'ResultSelector' | 'ResultPath'> {
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
