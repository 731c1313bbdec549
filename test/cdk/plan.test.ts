/**
 * planDeployment/describeDeployment from compiled workflows: what the
 * deployment grants (from the report's tasks), and what it refuses rather
 * than deploy a state machine that would fail at run time for lack of a permission.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type CompileReport } from '../../lib';
import { describeDeployment, expressProblems, planDeployment } from '../../lib/cdk/plan';

/** A folder with the child workflows the sub-workflow tests start. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-plan-'));
for (const id of ['etl.pipeline', 'etl-pipeline', 'etl']) {
  fs.writeFileSync(path.join(dir, `${id}.osop.yaml`), `osop_version: "1.0"\nid: ${id}\nname: Child\nnodes:\n  - { id: a, type: system, subtype: router }\n`);
}
fs.mkdirSync(path.join(dir, 'lambdas'));
for (const m of ['x', 'y', 'mine']) fs.writeFileSync(path.join(dir, 'lambdas', `${m}.ts`), 'export const handler = async () => ({});\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The report of a workflow written inline (`nodes` and `edges` as YAML text). */
function reportOf(nodes: string, extra = ''): CompileReport {
  const source = `osop_version: "1.0"\nid: hand.made\nname: Hand made\n${extra}nodes:\n${nodes}`;
  const r = compile(path.join(dir, 'hand.osop.yaml'), { source });
  if (!r.ok || !r.report) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return r.report;
}
const rest = (id: string, timeout?: number) =>
  `  - id: ${id}\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/${id}", headers: { X: "\${secrets.API_TOKEN}" } }\n${timeout ? `    timeout_sec: ${timeout}\n` : ''}`;

test('names the state machine from the stack and the workflow id, within what Step Functions accepts', () => {
  const r = reportOf(rest('a'));
  expect(planDeployment(r).stateMachineName).toBe('OsopWorkflows-hand-made');
  expect(planDeployment(r, { stackName: 'Staging' }).stateMachineName).toBe('Staging-hand-made');
  expect(planDeployment(r, { stateMachineName: 'no spaces please' }).problems).toEqual([expect.stringMatching(/state machine name 'no spaces please' must be/)]);
});

test('Tasks inside Parallel branches count: their secrets and timeouts size the handler', () => {
  const fork = reportOf(`  - { id: start, type: system, subtype: fork }\n${rest('x', 490)}${rest('y')}  - { id: end, type: system, subtype: join }\nedges:\n  - { from: start, to: x, mode: parallel }\n  - { from: start, to: y, mode: parallel }\n  - { from: x, to: end }\n  - { from: y, to: end }\n`);
  const plan = planDeployment(fork);
  expect(plan.problems).toEqual([]);
  expect(plan.handlers).toEqual([expect.objectContaining({ kind: 'rest', substitution: 'RestHandlerArn', timeoutSeconds: 500, secrets: ['API_TOKEN'] })]);
});

test("an agent's API key is the agent handler's secret", () => {
  const plan = planDeployment(reportOf('  - id: a\n    type: agent\n    runtime: { model: claude-sonnet-4-6, api_key: "${secrets.LLM_KEY}" }\n'));
  expect(plan.handlers).toEqual([expect.objectContaining({ kind: 'agent', substitution: 'AgentHandlerArn', timeoutSeconds: 180, secrets: ['LLM_KEY'] })]);
});

test('a Task waiting longer than Lambda can run is refused', () => {
  expect(planDeployment(reportOf(rest('slow', 990))).problems).toEqual([expect.stringMatching(/'slow' waits 1000 s for the REST handler, but a Lambda function runs at most 900 s/)]);
});

test('a secret name that would widen the IAM grant is refused', () => {
  const r = reportOf(rest('a'));
  const widened: CompileReport = { ...r, tasks: r.tasks.map((t) => ({ ...t, secrets: ['KEY*'] })) };
  expect(planDeployment(widened).problems).toEqual([expect.stringMatching(/secret name 'KEY\*' may only contain/)]);
});

test('the state machine may invoke each of its handlers: the function ARN and its versions and aliases', () => {
  expect(planDeployment(reportOf(rest('a'))).grants).toEqual([{ actions: ['lambda:InvokeFunction'], resources: ['${RestHandlerArn}', '${RestHandlerArn}:*'], wildcard: expect.stringContaining('versions and aliases') }]);
});

describe('approvals', () => {
  const approvals = reportOf('  - id: sign\n    type: human\n    runtime: { approvers: [cfo], timeout: 72h }\n');

  test("the approval handler is built; a callback Task's timeout (days) is the approver's, not the function's", () => {
    const plan = planDeployment(approvals);
    expect(plan.problems).toEqual([]);
    expect(plan.handlers).toEqual([expect.objectContaining({ kind: 'approval', substitution: 'ApprovalHandlerArn', timeoutSeconds: 30, secrets: [] })]);
    expect(plan.grants).toEqual([expect.objectContaining({ actions: ['lambda:InvokeFunction'], resources: ['${ApprovalHandlerArn}', '${ApprovalHandlerArn}:*'] })]);
  });

  test('approvers may answer (SendTaskSuccess, SendTaskFailure) on this state machine only; without approvals there is no approvers policy', () => {
    expect(planDeployment(approvals).approverGrant).toEqual({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      resources: ['arn:${Partition}:states:${Region}:${Account}:stateMachine:OsopWorkflows-hand-made'],
    });
    expect(planDeployment(reportOf(rest('a'))).approverGrant).toBeUndefined();
  });
});

describe('custom handlers', () => {
  const custom = (cTimeout: number) =>
    reportOf(
      `  - { id: a, type: cli, timeout_sec: 110, x-sfn: { handler: lambdas/x.ts } }\n  - { id: b, type: cli, x-sfn: { handler: lambdas/x.ts } }\n  - { id: c, type: cli, timeout_sec: ${cTimeout}, x-sfn: { handler: lambdas/y.ts } }\nedges:\n  - { from: a, to: b }\n  - { from: b, to: c }\n`,
    );

  test('one function per module, shared by the nodes that name it, sized by the longest Task that waits for it', () => {
    const plan = planDeployment(custom(20));
    expect(plan.problems).toEqual([]);
    expect(plan.customHandlers).toEqual([
      { path: 'lambdas/x.ts', nodes: ['a', 'b'], substitutions: ['Handler_a', 'Handler_b'], timeoutSeconds: 120, secrets: [] },
      { path: 'lambdas/y.ts', nodes: ['c'], substitutions: ['Handler_c'], timeoutSeconds: 60, secrets: [] },
    ]);
    expect(plan.grants.map((g) => g.resources)).toEqual([['${Handler_a}', '${Handler_a}:*'], ['${Handler_b}', '${Handler_b}:*'], ['${Handler_c}', '${Handler_c}:*']]);
  });

  test('a Task waiting longer than Lambda can run is refused', () => {
    expect(planDeployment(custom(1200)).problems).toEqual(["'c' waits 1210 s for the custom handler lambdas/y.ts, but a Lambda function runs at most 900 s; lower the node's timeout."]);
  });
});

describe('sub-workflows', () => {
  const parent = reportOf('  - { id: etl, type: system, workflow_ref: etl.pipeline }\n  - { id: again, type: system, workflow_ref: etl.pipeline }\nedges:\n  - { from: etl, to: again }\n');

  test('IAM for startExecution.sync:2 as AWS documents it, once per child however many nodes start it', () => {
    const plan = planDeployment(parent);
    expect(plan.grants).toEqual([
      { actions: ['states:StartExecution'], resources: ['${Workflow_etl_pipeline}'] },
      { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: ['arn:${Partition}:states:${Region}:${Account}:execution:OsopWorkflows-etl-pipeline:*'], wildcard: expect.stringContaining('executions of this one child') },
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
  const put = (permissions: string) => reportOf(`  - id: put\n    type: db\n    x-sfn:\n      resource: "arn:aws:states:::dynamodb:putItem"\n      parameters: { TableName: t }\n${permissions}`);

  test('are granted exactly the permissions the workflow declares', () => {
    const plan = planDeployment(put('      permissions: [{ actions: [dynamodb:PutItem], resources: ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"] }]\n'));
    expect(plan.problems).toEqual([]);
    expect(plan.serviceIntegrations).toEqual([{ node: 'put', resource: 'arn:aws:states:::dynamodb:putItem', permissions: [{ actions: ['dynamodb:PutItem'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t'] }] }]);
    expect(plan.grants).toEqual([]);
  });

  test('without declared permissions, are refused with what to add', () => {
    expect(planDeployment(put('')).problems).toEqual([
      "node 'put' calls arn:aws:states:::dynamodb:putItem but declares no IAM permissions for it; add them to the node: x-sfn: { permissions: [{ actions: [...], resources: [...] }] }, exactly what the call needs.",
    ]);
  });
});

describe('commands and databases', () => {
  test('a command node: the stack project, its secrets, and the IAM of startBuild.sync', () => {
    const plan = planDeployment(reportOf('  - id: build\n    type: cli\n    runtime: { command: "npm ci && npm test --token=${secrets.NPM_TOKEN}" }\n'));
    expect(plan.project).toEqual({ substitution: 'CommandProjectName', secrets: ['NPM_TOKEN'] });
    expect(plan.handlers).toEqual([]);
    expect(plan.grants).toEqual([
      { actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds', 'codebuild:BatchGetReports'], resources: ['arn:${Partition}:codebuild:${Region}:${Account}:project/${CommandProjectName}'] },
      { actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: ['arn:${Partition}:events:${Region}:${Account}:rule/StepFunctionsGetEventForCodeBuildStartBuildRule'] },
    ]);
  });

  test('a db node without its own cluster asks the deployment for one, and may use only that cluster and secret', () => {
    const plan = planDeployment(reportOf('  - id: q\n    type: db\n    runtime: { sql: "SELECT 1" }\n'));
    expect(plan.parameters).toEqual(['DatabaseClusterArn', 'DatabaseSecretArn', 'DatabaseName']);
    expect(plan.grants).toEqual([
      { actions: ['rds-data:ExecuteStatement'], resources: ['${DatabaseClusterArn}'] },
      { actions: ['secretsmanager:GetSecretValue'], resources: ['${DatabaseSecretArn}'] },
    ]);
  });
});

test('substitutions a Task uses that the deployment does not provide are refused', () => {
  const r = reportOf(rest('a'));
  const unknown: CompileReport = { ...r, tasks: r.tasks.map((t) => ({ ...t, substitutions: [...t.substitutions, 'Handler_mine'] })) };
  expect(planDeployment(unknown).problems).toEqual(['the definition uses substitutions this deployment does not provide: ${Handler_mine}.']);
});

describe('EXPRESS', () => {
  test('is refused for Tasks that wait for a job or a callback: sub-workflows, .sync and .waitForTaskToken integrations', () => {
    const r = reportOf(
      '  - { id: etl, type: system, workflow_ref: etl-pipeline }\n  - { id: job, type: cli, runtime: { command: make } }\n  - { id: ask, type: system }\nedges:\n  - { from: etl, to: job }\n  - { from: job, to: ask }\n',
      'timeout_sec: 60\n',
    );
    expect(expressProblems(r)).toEqual([
      'it cannot be deployed as EXPRESS: it waits for a callback (.waitForTaskToken), which EXPRESS state machines do not support; deploy it as STANDARD.',
      "it cannot be deployed as EXPRESS: node 'etl' runs workflow etl-pipeline and waits for it (startExecution.sync:2), and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.",
      "it cannot be deployed as EXPRESS: node 'job' calls arn:aws:states:::codebuild:startBuild.sync, and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.",
    ]);
  });

  test('is refused when the workflow may run longer than 5 minutes', () => {
    const none = { waitsForCallback: false, tasks: [] };
    expect(expressProblems({ ...none, timeoutSeconds: 301 })).toEqual([expect.stringContaining('its timeout (301 s) is over 5 minutes')]);
    expect(expressProblems({ ...none, timeoutSeconds: 300 })).toEqual([]);
  });
});

describe('describeDeployment', () => {
  test('lists the state machine, its log group, handlers, grants and rules', () => {
    const r = reportOf(rest('a', 30), 'triggers:\n  - { type: schedule, rate: "1 hour" }\n');
    expect(describeDeployment(r, { secretPrefix: 'prod/' })).toEqual([
      'state machine OsopWorkflows-hand-made (STANDARD), X-Ray tracing on',
      "  log group /aws/vendedlogs/states/OsopWorkflows-hand-made-${StackUuid} (${StackUuid}: the UUID of the stack's id, new each time the stack is created, as the log group outlives it): level ERROR, execution data not logged, kept 30 days",
      "  REST handler function (lambdas/rest/index.ts; Node.js 22, arm64, 128 MB, timeout 60 s; shared by the stack's workflows) as ${RestHandlerArn}",
      '    IAM: it may secretsmanager:GetSecretValue arn:${Partition}:secretsmanager:${Region}:${Account}:secret:prod/API_TOKEN-??????',
      '  IAM of the state machine, besides logging and tracing:',
      '    lambda:InvokeFunction on ${RestHandlerArn}, ${RestHandlerArn}:*',
      "  EventBridge rule for trigger 1: schedule rate(1 hour) → StartExecution (input: the event's detail; its role may start only this state machine)",
    ]);
  });

  test('lists approvals, custom handlers, service integrations and sub-workflows, with their IAM', () => {
    const r = reportOf(
      '  - { id: sign, type: human, runtime: { approvers: [cfo, ceo], timeout: 2h } }\n  - { id: mine, type: cli, x-sfn: { handler: lambdas/mine.ts } }\n' +
        '  - id: put\n    type: db\n    x-sfn: { resource: "arn:aws:states:::dynamodb:putItem", parameters: { TableName: t }, permissions: [{ actions: [dynamodb:PutItem], resources: ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"] }] }\n' +
        '  - { id: etl, type: system, workflow_ref: etl }\n' +
        'edges:\n  - { from: sign, to: mine }\n  - { from: mine, to: put }\n  - { from: put, to: etl }\n',
    );
    expect(describeDeployment(r).slice(2)).toEqual([
      "  approval handler function (lambdas/approval/index.ts; Node.js 22, arm64, 128 MB, timeout 30 s; shared by the stack's workflows) as ${ApprovalHandlerArn}",
      "    IAM: it may events:PutEvents on the stack's approval event bus (OsopWorkflows-osop-approvals unless it is given another), with source osop.sfn only",
      '  custom handler function lambdas/mine.ts (relative to the workflow file; Node.js 22, arm64, 256 MB, timeout 60 s) for mine as ${Handler_mine}',
      '  service integration put: arn:aws:states:::dynamodb:putItem, with the IAM permissions it declares',
      '  sub-workflow etl: starts state machine OsopWorkflows-etl (workflow etl, deployed first by the same stack or given to the construct) as ${Workflow_etl} and waits for it',
      "  approval sign: asks cfo, ceo with an 'OSOP Approval Requested' event, waits up to 7200 s for the answer",
      '  approvers managed policy (for whoever answers with osop-sfn approve|reject): states:SendTaskSuccess, states:SendTaskFailure on arn:${Partition}:states:${Region}:${Account}:stateMachine:OsopWorkflows-hand-made',
      '  IAM of the state machine, besides logging and tracing:',
      '    lambda:InvokeFunction on ${ApprovalHandlerArn}, ${ApprovalHandlerArn}:*',
      '    lambda:InvokeFunction on ${Handler_mine}, ${Handler_mine}:*',
      '    states:StartExecution on ${Workflow_etl}',
      '    states:DescribeExecution, states:StopExecution on arn:${Partition}:states:${Region}:${Account}:execution:OsopWorkflows-etl:*',
      '    events:PutTargets, events:PutRule, events:DescribeRule on arn:${Partition}:events:${Region}:${Account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      '    dynamodb:PutItem on arn:aws:dynamodb:eu-west-1:123456789012:table/t (declared by put)',
      '  no EventBridge rule: start executions from the console, the CLI or your code',
    ]);
  });

  test('prints problems as errors', () => {
    const lines = describeDeployment(reportOf(rest('a'), 'triggers:\n  - { type: webhook }\n'), { type: 'EXPRESS' });
    expect(lines.filter((l) => l.startsWith('  error: '))).toEqual([expect.stringContaining("trigger 1 (webhook): 'webhook' triggers cannot be deployed"), expect.stringContaining('declare timeout_sec ≤ 300')]);
  });
});
