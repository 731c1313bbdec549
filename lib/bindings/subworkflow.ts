/**
 * `workflow_ref` nodes → start the referenced workflow's state machine and
 * wait for it (`states:startExecution.sync:2`). The child's result is its
 * `$.outputs`; the node's declared outputs pick from it, or, with none
 * declared, the whole result is the node's output `output`.
 */
import { dataKey } from '../data-layout';
import { jsonPathOf } from '../expressions';
import type { JsonTemplate } from '../model';
import { START_EXECUTION_SYNC, outputsPath, subWorkflowSubstitution } from '../lower/layout';
import { assignLowered, walkTemplates, type PayloadContext } from '../lower/payload';
import type { Binding } from './types';

/** Output of a sub-workflow node that declares none: the child's whole result. */
export const SUBWORKFLOW_OUTPUT = 'output';

/** The rule Step Functions keeps in the account to learn when a child execution ends (startExecution.sync). */
const SYNC_EVENTS_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';
const CHILD_EXECUTIONS =
  'states:DescribeExecution and states:StopExecution on execution:<child>:* cover the executions of this one child state machine, whose names are chosen at run time; this is the statement AWS documents for startExecution.sync, and no other state machine is covered.';

export const subWorkflowBinding: Binding<{ workflowId: string; inputs: Record<string, JsonTemplate> }> = {
  id: 'subworkflow',
  canFail: true,
  matches: (node) => node.workflowRef !== undefined,
  read: (ctx) => ({ workflowId: ctx.node.workflowRef!, inputs: ctx.node.workflowInputs ?? {} }),
  templates: (c, visit) => walkTemplates(c.inputs, (t) => visit(t, false)),
  outputs: (node) => (node.outputs.length ? [] : [SUBWORKFLOW_OUTPUT]),
  outputType: (_n, _c, name) => (name === SUBWORKFLOW_OUTPUT ? 'json' : undefined),
  lower(node, c, ctx) {
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const input: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.inputs)) assignLowered(input, k, v, `/Input/${k}`, pctx, null);
    // Links the child to the parent in the console, as Step Functions documents.
    input['AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$'] = '$$.Execution.Id';
    const selector: Record<string, string> = {};
    if (node.outputs.length) for (const o of node.outputs) selector[`${dataKey(o.name)}.$`] = jsonPathOf(['Output', dataKey(o.name)]);
    else selector[`${SUBWORKFLOW_OUTPUT}.$`] = '$.Output';
    const substitution = subWorkflowSubstitution(c.workflowId);
    return {
      state: {
        Type: 'Task',
        Comment: node.name ?? node.purpose ?? `Run workflow ${c.workflowId}`,
        Resource: START_EXECUTION_SYNC,
        Parameters: { StateMachineArn: `\${${substitution}}`, Input: input },
        ResultSelector: selector,
        ResultPath: outputsPath(node.id),
        ...(node.timeoutSeconds ? { TimeoutSeconds: node.timeoutSeconds } : {}),
      },
      task: {
        resource: START_EXECUTION_SYNC,
        substitutions: [substitution],
        timeoutSeconds: node.timeoutSeconds,
        waitsForCallback: false,
        waitsForJob: true,
        secrets: [],
        // As AWS documents the IAM of startExecution.sync, for this child only; `${Child:<id>}` is its state machine name.
        iam: [
          { actions: ['states:StartExecution'], resources: [`\${${substitution}}`] },
          { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [`arn:\${Partition}:states:\${Region}:\${Account}:execution:\${ChildName:${c.workflowId}}:*`], wildcard: CHILD_EXECUTIONS },
          { actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: [`arn:\${Partition}:events:\${Region}:\${Account}:rule/${SYNC_EVENTS_RULE}`] },
        ],
        local: { kind: 'subworkflow', workflowId: c.workflowId },
        subWorkflow: c.workflowId,
      },
    };
  },
};
