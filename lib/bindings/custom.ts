/**
 * `x-sfn: { handler: path/to/handler.ts }` → a Task invoking the user's
 * Lambda handler, which gets the node's runtime, the execution input and the
 * earlier outputs. The runtime's `${...}` templates (inputs, outputs of
 * earlier nodes, loop items) are filled in by the state machine, as in the
 * other bindings (JSONPath / States.Format in the Parameters); a
 * `${secrets.NAME}` stays a placeholder, listed in `secretFields`, and the
 * wrapper the handler runs in (`lambdas/custom`) resolves it before the
 * user's module sees the runtime.
 */
import { ErrorNames } from '../contract/task-payload';
import { dataKey } from '../data-layout';
import type { SourceRange } from '../diagnostics';
import type { JsonTemplate, WorkflowNode } from '../model';
import { LAMBDA_INVOKE, TASK_TIMEOUT_MARGIN_SECONDS, customHandlerSubstitution, outputsPath } from '../lower/layout';
import { lowerJson, walkTemplates, type PayloadContext } from '../lower/payload';

/** A custom handler's own deadline when the node names none (the function is sized to it). */
const CUSTOM_TIMEOUT_SECONDS = 50;
import { retryRules } from '../lower/retry';
import type { TaskState } from '../lower/states';
import { invokeGrant, payloadHeader, taskComment } from './common';
import type { Binding, ReadContext } from './types';

export interface CustomConfig {
  path: string;
  range: SourceRange;
  /** The runtime block as a template (keys ending in '.$' lose the suffix: the block is passed as written). */
  runtime: JsonTemplate;
}

export const customBinding: Binding<CustomConfig> = {
  id: 'custom',
  canFail: true,
  matches: (node) => node.sfn.handler !== undefined,
  read: (ctx) => (ctx.node.sfn.handler ? { ...ctx.node.sfn.handler, runtime: runtimeTemplate(ctx.runtime, ctx) } : undefined),
  // Secrets may be in the runtime: only the handler's wrapper resolves them.
  templates: (c, visit) => walkTemplates(c.runtime, (t) => visit(t, true)),
  lower(node, handler, ctx) {
    const substitution = customHandlerSubstitution(node.id);
    // Every Task that waits on a function has a timeout: without one, a hung function's States.Timeout never fires.
    const timeoutSeconds = (node.timeoutSeconds ?? CUSTOM_TIMEOUT_SECONDS) + TASK_TIMEOUT_MARGIN_SECONDS;
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const runtime = lowerJson(handler.runtime, '/runtime', pctx);
    const secretFields = pctx.secretFields;
    const secrets = [...new Set(Object.values(secretFields).flat())].sort();
    const payload: Record<string, unknown> = {
      kind: 'custom',
      workflowId: ctx.workflowId,
      ...payloadHeader(node, ctx),
      ...(secrets.length ? { secretFields } : {}),
      nodeType: node.type,
      ...(runtime.dynamic ? { 'runtime.$': runtime.expression } : { runtime: runtime.value }),
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
        // The wrapper's secret store out of reach is transient.
        Retry: retryRules(secrets.length ? [ErrorNames.HttpTransient] : [], node.retry),
      },
      task: {
        resource: LAMBDA_INVOKE,
        substitutions: [substitution],
        timeoutSeconds,
        waitsForCallback: false,
        waitsForJob: false,
        secrets,
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

/** The runtime block as a template; keys ending in `.$` would be read as paths by Step Functions, so they lose the suffix. */
function runtimeTemplate(value: Record<string, unknown>, ctx: ReadContext): JsonTemplate {
  const walk = (v: unknown, holder: unknown, key: string | number): JsonTemplate => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, v, i));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, JsonTemplate> = {};
      for (const [k, x] of Object.entries(v)) out[k.endsWith('.$') ? k.slice(0, -2) : k] = walk(x, v, k);
      return out;
    }
    return ctx.jsonTemplate(v, holder, key);
  };
  const out: Record<string, JsonTemplate> = {};
  for (const [k, x] of Object.entries(value)) out[k.endsWith('.$') ? k.slice(0, -2) : k] = walk(x, value, k);
  return out;
}
