/**
 * planDeployment/describeDeployment from hand-made reports and definitions:
 * what the deployment grants, and what it refuses rather than deploy a state
 * machine that would fail at run time for lack of a permission.
 */
import type { AslDefinition, CompileReport } from '../../lib';
import { describeDeployment, expressProblems, planDeployment } from '../../lib/cdk/plan';

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
const approvalTask = (name: string, timeoutSeconds: number) => ({
  [name]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: '${ApprovalHandlerArn}', Payload: { secretFields: {} } }, TimeoutSeconds: timeoutSeconds, End: true },
});
const customTask = (name: string, key: string, timeoutSeconds?: number) => ({
  [name]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: `\${${key}}`, Payload: {} }, ...(timeoutSeconds && { TimeoutSeconds: timeoutSeconds }), End: true },
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

test('the state machine may invoke each of its handlers: the function ARN and its versions and aliases', () => {
  expect(planDeployment(report()).grants).toEqual([{ actions: ['lambda:InvokeFunction'], resources: ['${RestHandlerArn}', '${RestHandlerArn}:*'], wildcard: expect.stringContaining('versions and aliases') }]);
});

describe('approvals', () => {
  const approvals = report({
    handlers: ['approval'],
    substitutions: { approval: 'ApprovalHandlerArn' },
    secrets: [],
    waitsForCallback: true,
    approvals: [{ node: 'sign', approvers: ['cfo'], timeoutSeconds: 3 * 86400 }],
  });

  test("the approval handler is built; a callback Task's timeout (days) is the approver's, not the function's", () => {
    const plan = planDeployment(approvals, { definition: definition(approvalTask('sign', 3 * 86400)) });
    expect(plan.problems).toEqual([]);
    expect(plan.handlers).toEqual([{ kind: 'approval', substitution: 'ApprovalHandlerArn', timeoutSeconds: 30, secrets: [] }]);
    expect(plan.grants).toEqual([expect.objectContaining({ actions: ['lambda:InvokeFunction'], resources: ['${ApprovalHandlerArn}', '${ApprovalHandlerArn}:*'] })]);
  });

  test('approvers may answer (SendTaskSuccess, SendTaskFailure) on this state machine only; without approvals there is no approvers policy', () => {
    expect(planDeployment(approvals).approverGrant).toEqual({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      resources: ['arn:${Partition}:states:${Region}:${Account}:stateMachine:hand-made'],
    });
    expect(planDeployment(report()).approverGrant).toBeUndefined();
  });
});

describe('custom handlers', () => {
  const custom = report({
    handlers: [],
    substitutions: {},
    secrets: [],
    customHandlers: [
      { node: 'a', path: 'lambdas/x.ts', substitution: 'Handler_a' },
      { node: 'b', path: 'lambdas/x.ts', substitution: 'Handler_b' },
      { node: 'c', path: 'lambdas/y.ts', substitution: 'Handler_c' },
    ],
  });
  const def = definition({ ...customTask('a', 'Handler_a', 120), ...customTask('b', 'Handler_b'), ...customTask('c', 'Handler_c') });

  test('one function per module, shared by the nodes that name it, sized by the longest Task that waits for it', () => {
    const plan = planDeployment(custom, { definition: def });
    expect(plan.problems).toEqual([]);
    expect(plan.customHandlers).toEqual([
      { path: 'lambdas/x.ts', nodes: ['a', 'b'], substitutions: ['Handler_a', 'Handler_b'], timeoutSeconds: 120 },
      { path: 'lambdas/y.ts', nodes: ['c'], substitutions: ['Handler_c'], timeoutSeconds: 60 },
    ]);
    expect(plan.grants.map((g) => g.resources)).toEqual([['${Handler_a}', '${Handler_a}:*'], ['${Handler_c}', '${Handler_c}:*']]);
  });

  test('a Task waiting longer than Lambda can run is refused', () => {
    expect(planDeployment(custom, { definition: definition({ ...def.States, ...customTask('c', 'Handler_c', 1200) }) }).problems).toEqual([
      "'c' waits 1200 s for the custom handler lambdas/y.ts, but a Lambda function runs at most 900 s; lower the node's timeout.",
    ]);
  });
});

describe('sub-workflows', () => {
  const parent = report({ handlers: [], substitutions: {}, secrets: [], subWorkflows: [{ node: 'etl', workflowId: 'etl.pipeline', substitution: 'Workflow_etl_pipeline' }, { node: 'again', workflowId: 'etl.pipeline', substitution: 'Workflow_etl_pipeline' }] });
  const startsChild = definition({
    etl: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: '${Workflow_etl_pipeline}' }, End: true },
  });

  test('IAM for startExecution.sync:2 as AWS documents it, once per child however many nodes start it', () => {
    const plan = planDeployment(parent, { definition: startsChild });
    expect(plan.problems).toEqual([]);
    expect(plan.grants).toEqual([
      { actions: ['states:StartExecution'], resources: ['${Workflow_etl_pipeline}'] },
      { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: ['arn:${Partition}:states:${Region}:${Account}:execution:etl-pipeline:*'], wildcard: expect.stringContaining('executions of this one child') },
      { actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: ['arn:${Partition}:events:${Region}:${Account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule'] },
    ]);
  });

  test("the child's executions are named by the state machine it is deployed as", () => {
    const plan = planDeployment(parent, { subWorkflowNames: { 'etl.pipeline': 'etl-prod' } });
    expect(plan.grants[1].resources).toEqual(['arn:${Partition}:states:${Region}:${Account}:execution:etl-prod:*']);
    expect(plan.subWorkflows.map((s) => s.stateMachineName)).toEqual(['etl-prod', 'etl-prod']);
  });
});

describe('service integrations', () => {
  const put = definition({ put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' }, End: true } });
  const permissions = [{ actions: ['dynamodb:PutItem'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t'] }];

  test('are granted exactly the permissions the workflow declares', () => {
    const plan = planDeployment(report({ handlers: [], substitutions: {}, secrets: [], serviceIntegrations: [{ node: 'put', resource: 'arn:aws:states:::dynamodb:putItem', permissions }] }), { definition: put });
    expect(plan.problems).toEqual([]);
    expect(plan.serviceIntegrations).toEqual([{ node: 'put', resource: 'arn:aws:states:::dynamodb:putItem', permissions }]);
    expect(plan.grants).toEqual([]);
  });

  test('without declared permissions, are refused with what to add', () => {
    const plan = planDeployment(report({ handlers: [], substitutions: {}, secrets: [], serviceIntegrations: [{ node: 'put', resource: 'arn:aws:states:::dynamodb:putItem', permissions: [] }] }), { definition: put });
    expect(plan.problems).toEqual([
      "node 'put' calls arn:aws:states:::dynamodb:putItem but declares no IAM permissions for it; add them to the node: x-sfn: { permissions: [{ actions: [...], resources: [...] }] }, exactly what the call needs.",
    ]);
  });
});

test('Tasks the compile report does not account for are refused, not deployed', () => {
  const def = definition({
    put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' }, Next: 'child' },
    child: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: '${Workflow_child}' }, Next: 'mine' },
    mine: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${Handler_mine}' }, End: true },
  });
  expect(planDeployment(report({ secrets: [] }), { definition: def }).problems).toEqual([
    "state 'put' calls arn:aws:states:::dynamodb:putItem, which the compile report does not account for, so this deployment cannot grant it.",
    "state 'child' calls arn:aws:states:::states:startExecution.sync:2, which the compile report does not account for, so this deployment cannot grant it.",
    "state 'mine' calls arn:aws:states:::lambda:invoke of ${Handler_mine}, which the compile report does not account for, so this deployment cannot grant it.",
    'the definition uses substitutions this deployment does not provide: ${Workflow_child}.',
  ]);
});

describe('EXPRESS', () => {
  const none = { waitsForCallback: false, subWorkflows: [], serviceIntegrations: [] };

  test('is refused for Tasks that wait for a job or a callback: sub-workflows, .sync and .waitForTaskToken integrations', () => {
    const problems = expressProblems({
      ...none,
      timeoutSeconds: 60,
      subWorkflows: [{ node: 'etl', workflowId: 'etl-pipeline', substitution: 'Workflow_etl_pipeline' }],
      serviceIntegrations: [
        { node: 'job', resource: 'arn:aws:states:::batch:submitJob.sync', permissions: [] },
        { node: 'ask', resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', permissions: [] },
        { node: 'put', resource: 'arn:aws:states:::dynamodb:putItem', permissions: [] },
      ],
    });
    expect(problems).toEqual([
      "it cannot be deployed as EXPRESS: node 'etl' runs workflow etl-pipeline and waits for it (startExecution.sync:2), and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.",
      "it cannot be deployed as EXPRESS: node 'job' calls arn:aws:states:::batch:submitJob.sync, and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.",
      "it cannot be deployed as EXPRESS: node 'ask' calls arn:aws:states:::sqs:sendMessage.waitForTaskToken, and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.",
    ]);
  });

  test('is refused when the workflow may run longer than 5 minutes', () => {
    expect(expressProblems({ ...none, timeoutSeconds: 301 })).toEqual([expect.stringContaining('its timeout (301 s) is over 5 minutes')]);
    expect(expressProblems({ ...none, timeoutSeconds: 300 })).toEqual([]);
  });
});

describe('describeDeployment', () => {
  test('lists the state machine, its log group, handlers, grants and rules', () => {
    const lines = describeDeployment(report({ triggers: [{ type: 'schedule', config: { rate: '1 hour' } }] }), { definition: definition(restTask('a', 40)), secretPrefix: 'prod/' });
    expect(lines).toEqual([
      'state machine hand-made (STANDARD), X-Ray tracing on',
      '  log group /aws/vendedlogs/states/hand-made: level ERROR, execution data not logged, kept 30 days',
      "  REST handler function (lambdas/rest/index.ts; Node.js 22, arm64, 256 MB, timeout 60 s; shared by the stack's workflows) as ${RestHandlerArn}",
      '    IAM: it may secretsmanager:GetSecretValue arn:${Partition}:secretsmanager:${Region}:${Account}:secret:prod/API_TOKEN-??????',
      '  IAM of the state machine, besides logging and tracing:',
      '    lambda:InvokeFunction on ${RestHandlerArn}, ${RestHandlerArn}:*',
      "  EventBridge rule for trigger 1: schedule rate(1 hour) → StartExecution (input: the event's detail; its role may start only this state machine)",
    ]);
  });

  test('lists approvals, custom handlers, service integrations and sub-workflows, with their IAM', () => {
    const lines = describeDeployment(
      report({
        handlers: ['approval'],
        substitutions: { approval: 'ApprovalHandlerArn' },
        secrets: [],
        waitsForCallback: true,
        approvals: [{ node: 'sign', approvers: ['cfo', 'ceo'], timeoutSeconds: 7200 }],
        customHandlers: [{ node: 'mine', path: 'lambdas/mine.ts', substitution: 'Handler_mine' }],
        serviceIntegrations: [{ node: 'put', resource: 'arn:aws:states:::dynamodb:putItem', permissions: [{ actions: ['dynamodb:PutItem'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t'] }] }],
        subWorkflows: [{ node: 'etl', workflowId: 'etl', substitution: 'Workflow_etl' }],
      }),
    );
    expect(lines.slice(2)).toEqual([
      "  approval handler function (lambdas/approval/index.ts; Node.js 22, arm64, 256 MB, timeout 30 s; shared by the stack's workflows) as ${ApprovalHandlerArn}",
      "    IAM: it may events:PutEvents on the stack's approval event bus (osop-approvals unless it is given another), with source osop.sfn only",
      '  custom handler function lambdas/mine.ts (relative to the workflow file; Node.js 22, arm64, 256 MB, timeout 60 s) for mine as ${Handler_mine}',
      '  service integration put: arn:aws:states:::dynamodb:putItem, with the IAM permissions it declares',
      '  sub-workflow etl: starts state machine etl (workflow etl, deployed first by the same stack or given to the construct) as ${Workflow_etl} and waits for it',
      "  approval sign: asks cfo, ceo with an 'OSOP Approval Requested' event, waits up to 7200 s for the answer",
      '  approvers managed policy (for whoever answers with osop-sfn approve|reject): states:SendTaskSuccess, states:SendTaskFailure on arn:${Partition}:states:${Region}:${Account}:stateMachine:hand-made',
      '  IAM of the state machine, besides logging and tracing:',
      '    lambda:InvokeFunction on ${ApprovalHandlerArn}, ${ApprovalHandlerArn}:*',
      '    lambda:InvokeFunction on ${Handler_mine}, ${Handler_mine}:*',
      '    states:StartExecution on ${Workflow_etl}',
      '    states:DescribeExecution, states:StopExecution on arn:${Partition}:states:${Region}:${Account}:execution:etl:*',
      '    events:PutTargets, events:PutRule, events:DescribeRule on arn:${Partition}:events:${Region}:${Account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      '    dynamodb:PutItem on arn:aws:dynamodb:eu-west-1:123456789012:table/t (declared by put)',
      '  no EventBridge rule: start executions from the console, the CLI or your code',
      "  (from the report alone: the agent's API key secret and the Task timeouts are in the definition; pass { definition } to include them)",
    ]);
  });

  test('says what it cannot know from the report alone, and prints problems as errors', () => {
    const lines = describeDeployment(report({ triggers: [{ type: 'webhook', config: {} }] }), { type: 'EXPRESS' });
    expect(lines).toContain("  (from the report alone: the agent's API key secret and the Task timeouts are in the definition; pass { definition } to include them)");
    expect(lines.filter((l) => l.startsWith('  error: '))).toEqual([expect.stringContaining("trigger 1 (webhook): 'webhook' triggers cannot be deployed"), expect.stringContaining('declare timeout_sec ≤ 300')]);
  });
});
