/**
 * Nodes with nothing to run (an `api` node without a URL, a `cli` node without
 * a command, `system`, `data`, `company` and the like): OSOP is a format for
 * standard operating procedures, and such a node is work a person does. It
 * becomes a callback Task: the approval handler publishes "do this step"
 * (the node's name, what to do, the outputs so far) and the execution waits
 * until someone answers `osop-sfn complete --token T [--output k=v ...]`
 * (the answer is the node's outputs) or fails it, within the node's timeout.
 * Each gets a warning (an error with `--strict`).
 */
import { Codes } from '../diagnostics';
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS, LAMBDA_INVOKE_WAIT, outputsPath } from '../lower/layout';
import { APPROVAL_FUNCTION, CALLBACK_RETRY, callbackTask } from './approval';
import { payloadHeader, taskComment } from './common';
import type { Binding } from './types';

/** What would have run the node, for the warning. */
function whyManual(type: string, runtime: Record<string, unknown>): string {
  if (type === 'api') return typeof runtime.endpoint === 'string' ? `it names only a path ('${runtime.endpoint}'), no URL to call` : 'it names no URL to call';
  if (['cli', 'cicd', 'infra', 'git', 'docker'].includes(type)) return 'it names no command to run';
  if (type === 'db') return 'it names no SQL statement or table';
  if (type === 'mcp') return 'it names no MCP server';
  return Object.keys(runtime).length ? `type '${type}' has no automated binding` : `type '${type}' has nothing to run`;
}

function howToAutomate(type: string): string {
  if (type === 'api') return 'set runtime.url (and runtime.endpoint) to call an API';
  if (['cli', 'cicd', 'infra', 'git', 'docker'].includes(type)) return 'set runtime.command to run it on CodeBuild';
  if (type === 'db') return 'set runtime.sql to run it on the RDS Data API';
  if (type === 'mcp') return 'set runtime.server and runtime.tool to call an MCP tool';
  return "bind it with x-sfn: { handler: path/to/handler.ts } or x-sfn: { resource: 'arn:aws:states:::...' }";
}

export const manualBinding: Binding<{ why: string }> = {
  id: 'manual',
  canFail: true,
  matches: () => true,
  read: (ctx) => ({ why: whyManual(ctx.node.type, ctx.node.runtime) }),
  lower(node, c, ctx) {
    ctx.sink.report(Codes.ManualStep, { node: node.id, why: c.why, automate: howToAutomate(node.type) }, node.typeRange);
    const payload: Record<string, unknown> = {
      kind: 'manual',
      workflowId: ctx.workflowId,
      ...payloadHeader(node, ctx),
      'taskToken.$': '$$.Task.Token',
      title: node.name ?? node.id,
      instructions: node.purpose ?? node.name ?? `Do step '${node.id}'.`,
      outputs: node.outputs.map((o) => o.name),
      'context.$': '$.outputs',
    };
    const timeout = node.timeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
    return {
      state: {
        Type: 'Task',
        Comment: `Manual step: ${taskComment(node)}`,
        Resource: LAMBDA_INVOKE_WAIT,
        Parameters: { FunctionName: `\${${APPROVAL_FUNCTION.substitution}}`, Payload: payload },
        // The answer (`osop-sfn complete --output ...`) is the node's outputs.
        ResultPath: outputsPath(node.id),
        TimeoutSeconds: timeout,
        Retry: CALLBACK_RETRY,
      },
      task: callbackTask('manual'),
    };
  },
};
