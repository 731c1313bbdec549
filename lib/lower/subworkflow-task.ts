/**
 * `workflow_ref` nodes → start the referenced workflow's state machine and
 * wait for it (`states:startExecution.sync:2`). The child's result is its
 * `$.outputs`; the node's declared outputs pick from it, or, with none
 * declared, the whole result is the node's output `output`.
 */
import { dataKey } from '../data-layout';
import { jsonPathOf } from '../expressions';
import { SUBWORKFLOW_OUTPUT } from '../analyse';
import type { WorkflowNode } from '../model';
import { START_EXECUTION_SYNC, outputsPath, subWorkflowSubstitution } from './layout';
import { assignLowered, type PayloadContext } from './payload';
import type { TaskState } from './states';

export function lowerSubWorkflow(node: WorkflowNode, workflowId: string, ctx: PayloadContext): TaskState {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node.workflowInputs ?? {})) assignLowered(input, k, v, `/Input/${k}`, ctx, null);
  // Links the child to the parent in the console, as Step Functions documents.
  input['AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$'] = '$$.Execution.Id';
  const selector: Record<string, string> = {};
  if (node.outputs.length) for (const o of node.outputs) selector[`${dataKey(o.name)}.$`] = jsonPathOf(['Output', dataKey(o.name)]);
  else selector[`${SUBWORKFLOW_OUTPUT}.$`] = '$.Output';
  return {
    Type: 'Task',
    Comment: node.name ?? node.purpose ?? `Run workflow ${workflowId}`,
    Resource: START_EXECUTION_SYNC,
    Parameters: { StateMachineArn: `\${${subWorkflowSubstitution(workflowId)}}`, Input: input },
    ResultSelector: selector,
    ResultPath: outputsPath(node.id),
    ...(node.timeoutSeconds ? { TimeoutSeconds: node.timeoutSeconds } : {}),
  };
}
