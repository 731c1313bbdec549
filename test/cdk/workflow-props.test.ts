/**
 * What OsopWorkflow refuses, and how it says so: props, EXPRESS, triggers it
 * cannot deploy, mismatched secret prefixes. Every refusal is an
 * OsopDeployError naming the file (or the construct) and what to do.
 */
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { OsopHandlers, OsopWorkflow, type OsopWorkflowProps } from '../../lib/cdk';
import { expressProblems } from '../../lib/cdk/plan';
import { FIXTURES } from '../helpers/paths';
import { CDK_CONTEXT_NO_BUNDLING, CDK_FIXTURES, deployError } from './helpers';

const NIGHTLY = path.join(CDK_FIXTURES, 'nightly-report.osop.yaml'); // timeout_sec: 240
const ORDERS = path.join(CDK_FIXTURES, 'order-events.osop.yaml'); // no timeout_sec
const GRAPH = path.join(FIXTURES, 'graph');

const newStack = () => new Stack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Props');
const deploy = (props: OsopWorkflowProps, stack = newStack()) => new OsopWorkflow(stack, 'Wf', props);

describe('props', () => {
  test('an unknown prop is refused, with the likely one', () => {
    expect(deployError(() => deploy({ file: NIGHTLY, tracng: false } as OsopWorkflowProps)).message).toMatch(/unknown prop 'tracng'\. Did you mean 'tracing'\?/);
  });

  test('a mistyped value is refused, saying what is expected', () => {
    expect(deployError(() => deploy({ file: NIGHTLY, type: 'EXPRES' as sfn.StateMachineType })).message).toMatch(/'type' must be one of 'EXPRESS', 'STANDARD', not 'EXPRES'/);
    expect(deployError(() => deploy({ file: NIGHTLY, handlers: {} as OsopHandlers })).message).toMatch(/'handlers' must be an instance of OsopHandlers/);
  });

  test('file is required', () => {
    expect(deployError(() => deploy({} as OsopWorkflowProps)).message).toMatch(/'file' is required/);
  });

  test('logging level and execution data are configurable', () => {
    const stack = newStack();
    deploy({ file: NIGHTLY, logLevel: sfn.LogLevel.ALL, includeExecutionData: true, tracing: false }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: false },
    });
  });

  test('source replaces the file on disk; the file still names it in messages', () => {
    const source = 'osop_version: "1.0"\nid: inline\nname: Inline\ninputs: { host: { type: string } }\nnodes:\n  - id: a\n    type: api\n    subtype: rest\n    runtime: { method: GET, url: "https://${inputs.host}/x" }\n';
    expect(deployError(() => deploy({ file: 'inline/wf.osop.yaml', source })).message).toMatch(/^inline\/wf\.osop\.yaml:\d+:\d+ - error OSOP\d+/m);
  });
});

describe('EXPRESS', () => {
  test('is deployed when the workflow declares timeout_sec ≤ 300', () => {
    const stack = newStack();
    deploy({ file: NIGHTLY, type: sfn.StateMachineType.EXPRESS }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
  });

  test("the workflow may ask for it (x-sfn: { type: express }): logs at level ALL (no history to read), and StartSyncExecution may be granted; the type prop still decides", () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const source = fs.readFileSync(NIGHTLY, 'utf8').replace(/^nodes:/m, 'x-sfn: { type: express }\nnodes:');
    const stack = newStack();
    const wf = deploy({ file: NIGHTLY, source }, stack);
    const caller = new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
    wf.grantStartSyncExecution(caller);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS', LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }) });
    t.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('^Api') }], PolicyDocument: { Statement: [Match.objectLike({ Action: 'states:StartSyncExecution' })] } });
    const standard = newStack();
    deploy({ file: NIGHTLY, source, type: sfn.StateMachineType.STANDARD }, standard);
    Template.fromStack(standard).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD', LoggingConfiguration: Match.objectLike({ Level: 'ERROR' }) });
    expect(deployError(() => deploy({ file: NIGHTLY }).grantStartSyncExecution(caller)).message).toMatch(/StartSyncExecution is for Express state machines/);
  });

  test('is refused when the workflow has no timeout', () => {
    const e = deployError(() => deploy({ file: ORDERS, type: sfn.StateMachineType.EXPRESS }));
    expect(e.message).toContain(`${ORDERS} - error: it cannot be deployed as EXPRESS: it declares no timeout, so it can run over 5 minutes`);
    expect(e.message).toContain('declare timeout_sec ≤ 300 in the workflow to deploy it as EXPRESS');
  });

  test('is refused when the workflow may run longer than 5 minutes', () => {
    const none = { waitsForCallback: false, tasks: [] };
    expect(expressProblems({ ...none, timeoutSeconds: 301 })).toEqual([expect.stringContaining('its timeout (301 s) is over 5 minutes')]);
    expect(expressProblems({ ...none, timeoutSeconds: 300 })).toEqual([]);
  });

  test('is refused when the workflow waits for a callback (an approval) or a sub-workflow', () => {
    expect(deployError(() => deploy({ file: path.join(GRAPH, 'approval.osop.yaml'), type: sfn.StateMachineType.EXPRESS })).message).toContain(
      'it waits for a callback (.waitForTaskToken), which EXPRESS state machines do not support; deploy it as STANDARD.',
    );
    expect(deployError(() => deploy({ file: path.join(GRAPH, 'bindings.osop.yaml'), type: sfn.StateMachineType.EXPRESS })).message).toContain(
      "node 'etl' runs workflow etl-pipeline and waits for it (startExecution.sync:2), and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.",
    );
  });
});

describe('triggers that cannot be deployed', () => {
  const withTriggers = (triggers: string) =>
    `osop_version: "1.0"\nid: hooks\nname: Hooks\ntriggers:\n${triggers}\nnodes:\n  - id: a\n    type: api\n    subtype: rest\n    runtime: { method: GET, url: "https://api.example.com" }\n`;

  test('each is named with its type and the workflow file, with what is supported', () => {
    const types = ['webhook', 'api', 'git_push', 'file_watch', 'carrier_pigeon'];
    const e = deployError(() => deploy({ file: 'hooks.osop.yaml', source: withTriggers(types.map((t) => `  - type: ${t}`).join('\n')) }));
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(types.length);
    types.forEach((t, i) => expect(lines[i]).toBe(`hooks.osop.yaml - error: trigger ${i + 1} (${t}): '${t}' triggers cannot be deployed. Supported: cron or schedule (an EventBridge schedule rule), event (an EventBridge event-pattern rule) and manual (no rule: start executions from the console, the CLI or your code).`));
  });

  test('a schedule EventBridge cannot express is refused, not approximated', () => {
    const e = deployError(() => deploy({ file: 'hooks.osop.yaml', source: withTriggers('  - type: schedule\n    config: { cron: "0 9 1 * 1" }\n  - type: schedule\n    config: { cron: "0 9 * * *", timezone: "Europe/Paris" }') }));
    expect(e.message).toMatch(/trigger 1 \(schedule\): '0 9 1 \* 1' restricts both day-of-month and day-of-week/);
    expect(e.message).toMatch(/trigger 2 \(schedule\): timezone 'Europe\/Paris' is not supported: EventBridge rules run schedules in UTC/);
  });
});

describe('secret prefix', () => {
  test('sets the secret ARNs and the handlers environment', () => {
    const stack = newStack();
    deploy({ file: NIGHTLY, secretPrefix: 'prod/osop/' }, stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { OSOP_SECRET_PREFIX: 'prod/osop/' } } });
    expect(JSON.stringify(t.toJSON())).toContain(':secret:prod/osop/REPORTS_API_TOKEN-??????');
  });

  test("must match the stack's shared handlers", () => {
    const stack = newStack();
    deploy({ file: NIGHTLY }, stack);
    expect(deployError(() => new OsopWorkflow(stack, 'Other', { file: ORDERS, secretPrefix: 'other/' })).message).toMatch(/shared OSOP handlers read secrets under 'osop\/', but this workflow asks for 'other\/'/);
  });

  test('may not widen the grant with IAM wildcards', () => {
    expect(deployError(() => deploy({ file: NIGHTLY, handlers: new OsopHandlers(newStack(), 'H', { secretPrefix: 'osop/*' }) })).message).toMatch(/secret prefix 'osop\/\*' may only contain/);
  });
});
