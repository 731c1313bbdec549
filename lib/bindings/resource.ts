/**
 * `x-sfn: { resource: "arn:aws:states:::...", parameters: {...}, permissions: [...] }`
 * → that service integration, with exactly the IAM the node declares.
 */
import { walkTemplates, lowerJson, type PayloadContext } from '../lower/payload';
import { retryRules } from '../lower/retry';
import type { WorkflowNode } from '../model';
import { outputSelection } from './custom';
import { taskComment } from './common';
import type { Binding } from './types';

type Resource = NonNullable<WorkflowNode['sfn']['resource']>;

export const resourceBinding: Binding<Resource> = {
  id: 'resource',
  canFail: true,
  matches: (node) => node.sfn.resource !== undefined,
  read: (ctx) => ctx.node.sfn.resource,
  templates: (r, visit) => walkTemplates(r.parameters, (t) => visit(t, false)),
  lower(node, resource, ctx) {
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const params = lowerJson(resource.parameters, '', pctx);
    return {
      state: {
        Type: 'Task',
        Comment: taskComment(node),
        Resource: resource.arn,
        Parameters: params.dynamic ? { 'Input.$': params.expression } : (params.value as Record<string, unknown>),
        ...outputSelection(node, null),
        ...(node.timeoutSeconds ? { TimeoutSeconds: node.timeoutSeconds } : {}),
        // A service integration retries only when the node asks to: its failures are the service's own.
        ...(node.retry ? { Retry: retryRules(['States.TaskFailed'], node.retry).slice(0, 1) } : {}),
      },
      task: {
        resource: resource.arn,
        substitutions: [],
        timeoutSeconds: node.timeoutSeconds,
        waitsForCallback: /\.waitForTaskToken$/.test(resource.arn),
        waitsForJob: /\.sync(:\d+)?$/.test(resource.arn),
        secrets: [],
        // Exactly what the node declares, as written (lib/cdk puts it in a policy of its own).
        iam: resource.permissions.map((p) => ({ actions: p.actions, resources: p.resources })),
        local: { kind: 'none' },
        declaredPermissions: true,
      },
    };
  },
};
