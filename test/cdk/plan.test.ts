/**
 * planDeployment/describeDeployment from hand-made reports and definitions:
 * what the deployment grants, and what it refuses rather than deploy a state
 * machine that would fail at run time for lack of a permission.
 */
import type { AslDefinition, CompileReport } from '../../lib';
import { describeDeployment, planDeployment } from '../../lib/cdk/plan';

const report = (over: Partial<CompileReport> = {}): CompileReport => ({
  workflowId: 'hand.made',
  workflowName: 'Hand made',
  states: ['a'],
  handlers: ['rest'],
  substitutions: { rest: 'RestHandlerArn' },
  secrets: [{ name: 'API_TOKEN', nodes: ['a'] }],
  triggers: [],
  waitsForCallback: false,
  origins: [],
  models: [],
  agentSecrets: [],
  customHandlers: [],
  serviceIntegrations: [],
  subWorkflows: [],
  approvals: [],
  ...over,
});

const restTask = (name: string, timeoutSeconds: number) => ({
  [name]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${RestHandlerArn}', Payload: { secretFields: { '/request/headers/X': ['API_TOKEN'] } } }, TimeoutSeconds: timeoutSeconds, End: true },
});
const definition = (states: Record<string, Record<string, unknown>>): AslDefinition => ({ StartAt: Object.keys(states)[0], States: states });

test('names the state machine from the workflow id, within what Step Functions accepts', () => {
  expect(planDeployment(report()).stateMachineName).toBe('hand-made');
  expect(planDeployment(report(), { stateMachineName: 'no spaces please' }).problems).toEqual([expect.stringMatching(/state machine name 'no spaces please' must be/)]);
});

test('Tasks inside Parallel branches count: their secrets and timeouts size the handler', () => {
  const def = definition({ fork: { Type: 'Parallel', Branches: [{ StartAt: 'x', States: restTask('x', 500) }], End: true } });
  const plan = planDeployment(report({ secrets: [] }), { definition: def });
  expect(plan.problems).toEqual([]);
  expect(plan.handlers).toEqual([{ kind: 'rest', substitution: 'RestHandlerArn', timeoutSeconds: 500, secrets: ['API_TOKEN'] }]);
});

test("the report's agentSecrets are the agent handler's", () => {
  const plan = planDeployment(report({ handlers: ['agent'], substitutions: { agent: 'AgentHandlerArn' }, secrets: [], models: [{ node: 'a', provider: 'anthropic', model: 'm' }], agentSecrets: ['LLM_KEY'] }));
  expect(plan.handlers).toEqual([{ kind: 'agent', substitution: 'AgentHandlerArn', timeoutSeconds: 180, secrets: ['LLM_KEY'] }]);
});

test('a Task waiting longer than Lambda can run is refused', () => {
  expect(planDeployment(report(), { definition: definition(restTask('slow', 1000)) }).problems).toEqual([expect.stringMatching(/'slow' waits 1000 s for the REST handler, but a Lambda function runs at most 900 s/)]);
});

test('a secret name that would widen the IAM grant is refused', () => {
  expect(planDeployment(report({ secrets: [{ name: 'KEY*', nodes: ['a'] }] })).problems).toEqual([expect.stringMatching(/secret name 'KEY\*' may only contain/)]);
});

describe('what this deployment cannot grant is refused, not deployed', () => {
  test('a handler it does not build', () => {
    const plan = planDeployment(report({ handlers: ['rest', 'approval'], substitutions: { rest: 'RestHandlerArn', approval: 'ApprovalHandlerArn' } }));
    expect(plan.problems).toEqual(["it needs the 'approval' handler (${ApprovalHandlerArn}), which this CDK deployment does not build yet."]);
    expect(plan.handlers.map((h) => h.kind)).toEqual(['rest']);
  });

  test('service integrations, sub-workflows and custom Lambda handlers', () => {
    const def = definition({
      put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' }, Next: 'child' },
      child: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: '${Workflow_child_Arn}' }, Next: 'mine' },
      mine: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${CustomHandler_mine}' }, End: true },
    });
    expect(planDeployment(report({ secrets: [] }), { definition: def }).problems).toEqual([
      "state 'put' calls arn:aws:states:::dynamodb:putItem, which this CDK deployment cannot grant yet (it grants the REST and agent handlers only).",
      "state 'child' calls arn:aws:states:::states:startExecution.sync:2, which this CDK deployment cannot grant yet (it grants the REST and agent handlers only).",
      "state 'mine' calls arn:aws:states:::lambda:invoke of ${CustomHandler_mine}, which this CDK deployment cannot grant yet (it grants the REST and agent handlers only).",
      'the definition uses substitutions this deployment does not provide: ${Workflow_child_Arn}.',
    ]);
  });
});

describe('describeDeployment', () => {
  test('lists the state machine, its log group, handlers, grants and rules', () => {
    const lines = describeDeployment(report({ triggers: [{ type: 'schedule', config: { rate: '1 hour' } }] }), { definition: definition(restTask('a', 40)), secretPrefix: 'prod/' });
    expect(lines).toEqual([
      'state machine hand-made (STANDARD), X-Ray tracing on',
      '  log group /aws/vendedlogs/states/hand-made: level ERROR, execution data not logged, kept 30 days',
      "  REST handler function (lambdas/rest/index.ts; Node.js 22, arm64, 256 MB, timeout 60 s, shared by the stack's workflows) as ${RestHandlerArn}",
      '    IAM: the state machine may lambda:InvokeFunction on it (its ARN, and ARN:* for versions and aliases)',
      '    IAM: it may secretsmanager:GetSecretValue arn:${Partition}:secretsmanager:${Region}:${Account}:secret:prod/API_TOKEN-??????',
      "  EventBridge rule for trigger 1: schedule rate(1 hour) → StartExecution (input: the event's detail; its role may start only this state machine)",
    ]);
  });

  test('says what it cannot know from the report alone, and prints problems as errors', () => {
    const lines = describeDeployment(report({ triggers: [{ type: 'webhook', config: {} }] }), { type: 'EXPRESS' });
    expect(lines).toContain("  (from the report alone: the agent's API key secret and the Task timeouts are in the definition; pass { definition } to include them)");
    expect(lines.filter((l) => l.startsWith('  error: '))).toEqual([expect.stringContaining("trigger 1 (webhook): 'webhook' triggers cannot be deployed"), expect.stringContaining('declare timeout_sec ≤ 300')]);
  });
});
