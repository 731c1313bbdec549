/**
 * Physical names: two stacks of the same workflows (production and staging) in
 * one account and region must not collide, nor a stack created again after
 * `cdk destroy` with the log groups it left behind. A name a user sets is used
 * as given, and an invalid one is refused naming the prop.
 */
import * as path from 'node:path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { buildApp } from '../../bin/app';
import { OsopHandlers, OsopStack, OsopWorkflow, type OsopWorkflowProps } from '../../lib/cdk';
import { approvalEventBusNameFor, stateMachineNameFor } from '../../lib/cdk/plan';
import { FIXTURES } from '../helpers/paths';
import { CDK_CONTEXT_NO_BUNDLING, CDK_FIXTURES, actionsOf, allStatements, deployError, logicalId, resourcesOf, unacknowledgedFindings, type Json } from './helpers';

const GRAPH = path.join(FIXTURES, 'graph'); // approvals (a bus), a sub-workflow, custom handlers
const NIGHTLY = path.join(CDK_FIXTURES, 'nightly-report.osop.yaml');
const APPROVAL = path.join(GRAPH, 'approval.osop.yaml');

/** The physical name property of each resource type that has one. */
const NAME_PROPS = { 'AWS::StepFunctions::StateMachine': 'StateMachineName', 'AWS::Logs::LogGroup': 'LogGroupName', 'AWS::Events::EventBus': 'Name' } as const;
const STACK_ID = { Ref: 'AWS::StackId' };

/** Every resource of those types: its name as the template has it (a string, an intrinsic, or absent). */
function physicalNames(template: Template): { type: string; id: string; name: unknown }[] {
  return Object.entries(NAME_PROPS).flatMap(([type, prop]) => Object.entries(template.findResources(type)).map(([id, r]) => ({ type, id, name: (r as Json).Properties?.[prop] })));
}

const newStack = (id = 'Props') => new Stack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), id);

describe('two stacks of the same workflows in one app', () => {
  let app: App;
  let prod: OsopStack;
  let staging: OsopStack;
  beforeAll(() => {
    app = new App({ context: CDK_CONTEXT_NO_BUNDLING });
    prod = new OsopStack(app, 'Prod', { workflowsDir: GRAPH });
    staging = new OsopStack(app, 'Staging', { workflowsDir: GRAPH });
  });

  test('share no physical name: state machines, log groups, the approval bus', () => {
    const [p, s] = [prod, staging].map((st) => physicalNames(Template.fromStack(st)));
    for (const type of Object.keys(NAME_PROPS)) expect(p.filter((n) => n.type === type).length).toBeGreaterThan(0);
    expect(p.length).toBe(s.length);
    const literal = (names: typeof p) => names.filter((n) => typeof n.name === 'string').map((n) => n.name as string);
    // Names as text: the stack's name starts each of them.
    expect(literal(p).filter((n) => literal(s).includes(n))).toEqual([]);
    for (const n of literal(p)) expect(n).toMatch(/^Prod-/);
    for (const n of literal(s)) expect(n).toMatch(/^Staging-/);
    // A name CloudFormation generates (absent) is unique by construction: only the handlers' and builds' log groups have none.
    for (const n of [...p, ...s].filter((x) => x.name === undefined)) expect(n.type).toBe('AWS::Logs::LogGroup');
    // A name resolved at deploy time: the state machine log groups, unique to the stack (its name) and to each time it is created (its id).
    const tokens = [...p, ...s].filter((n) => n.name !== undefined && typeof n.name !== 'string');
    expect(tokens.length).toBe([prod, staging].flatMap((st) => st.workflows).length);
    for (const n of tokens) {
      expect(n.type).toBe('AWS::Logs::LogGroup');
      expect(JSON.stringify(n.name)).toContain(JSON.stringify(STACK_ID));
    }
    const tokenText = (names: typeof p) => names.filter((n) => n.name !== undefined && typeof n.name !== 'string').map((n) => JSON.stringify(n.name));
    expect(tokenText(p).filter((t) => tokenText(s).includes(t))).toEqual([]);
  });

  test('each names its state machines and bus after itself', () => {
    const names = (st: OsopStack) => Object.values(Template.fromStack(st).findResources('AWS::StepFunctions::StateMachine')).map((r) => (r as Json).Properties.StateMachineName).sort();
    expect(names(prod)).toEqual(prod.workflows.map((w) => `Prod-${w.report.workflowId}`).sort());
    expect(names(staging)).toEqual(staging.workflows.map((w) => `Staging-${w.report.workflowId}`).sort());
    expect(Object.values(Template.fromStack(staging).findResources('AWS::Events::EventBus')).map((r) => (r as Json).Properties.Name)).toEqual(['Staging-osop-approvals']);
  });

  test("each parent starts, describes and stops its own stack's child", () => {
    for (const st of [prod, staging]) {
      const child = st.workflows.find((w) => w.report.workflowId === 'etl-pipeline')!;
      const statements = allStatements(Template.fromStack(st)).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
      expect(statements.flatMap(resourcesOf).map((r) => JSON.stringify(r))).toEqual([
        JSON.stringify({ Ref: logicalId(child.stateMachine) }),
        expect.stringContaining(`:execution:${st.stackName}-etl-pipeline:*`),
      ]);
    }
  });

  test('stay cdk-nag clean', () => {
    expect(unacknowledgedFindings(app, prod)).toEqual([]);
    expect(unacknowledgedFindings(app, staging)).toEqual([]);
  });
});

describe('default names', () => {
  test("the log group's ends with the UUID of the stack's id, so a stack created again does not meet the one it left behind", () => {
    const stack = newStack('Again');
    const wf = new OsopWorkflow(stack, 'Wf', { file: NIGHTLY });
    expect(Template.fromStack(stack).toJSON().Resources[logicalId(wf.logGroup)].Properties.LogGroupName).toEqual({
      'Fn::Join': ['', ['/aws/vendedlogs/states/Again-nightly-report-', { 'Fn::Select': [2, { 'Fn::Split': ['/', STACK_ID] }] }]],
    });
  });

  test('a long stack name keeps the names within their limits, and distinct', () => {
    const a = stateMachineNameFor('nightly-report', `${'A'.repeat(100)}1`);
    const b = stateMachineNameFor('nightly-report', `${'A'.repeat(100)}2`);
    expect([a.length, b.length]).toEqual([80, 80]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(approvalEventBusNameFor('Prod')).toBe('Prod-osop-approvals');
  });

  test("a nested stack's names come from its parent's name and its id (its own name is a deploy-time token)", () => {
    const nested = new NestedStack(newStack('Outer'), 'Inner');
    const wf = new OsopWorkflow(nested, 'Wf', { file: NIGHTLY });
    expect(wf.plan.stateMachineName).toBe('Outer-Inner-nightly-report');
    expect(Template.fromStack(nested).toJSON().Resources[logicalId(wf.stateMachine)].Properties.StateMachineName).toBe('Outer-Inner-nightly-report');
  });
});

describe('names a user sets', () => {
  test('are used as given: state machine, log group, approval bus', () => {
    const stack = newStack();
    const handlers = new OsopHandlers(stack, 'Handlers', { approvalEventBusName: 'approvals-prod' });
    const wf = new OsopWorkflow(stack, 'Wf', { file: APPROVAL, handlers, stateMachineName: 'approval-prod', logGroupName: '/custom/approval#prod' });
    const t = Template.fromStack(stack);
    const resources = t.toJSON().Resources as Record<string, Json>;
    expect(resources[logicalId(wf.stateMachine)].Properties.StateMachineName).toBe('approval-prod');
    expect(resources[logicalId(wf.logGroup)].Properties.LogGroupName).toBe('/custom/approval#prod');
    expect(Object.values(t.findResources('AWS::Events::EventBus')).map((r) => (r as Json).Properties.Name)).toEqual(['approvals-prod']);
    // The approvers policy names the state machine as it is deployed.
    expect(JSON.stringify(resources[logicalId(wf.approversPolicy!)].Properties.PolicyDocument)).toContain(':stateMachine:approval-prod"');
  });

  test("the stack's approval bus name", () => {
    const stack = new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Named', { workflowsDir: GRAPH, approvalEventBusName: 'named-approvals' });
    expect(Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBus')).map((r) => (r as Json).Properties.Name)).toEqual(['named-approvals']);
  });

  test('cdk synth -c stackName=... -c approvalEventBusName=...', () => {
    const { stack } = buildApp({ context: { ...CDK_CONTEXT_NO_BUNDLING, workflowsDir: GRAPH, stackName: 'Staging', approvalEventBusName: 'osop-approvals' } });
    const t = Template.fromStack(stack);
    expect(stack.stackName).toBe('Staging');
    expect(Object.values(t.findResources('AWS::Events::EventBus')).map((r) => (r as Json).Properties.Name)).toEqual(['osop-approvals']);
    for (const r of Object.values(t.findResources('AWS::StepFunctions::StateMachine'))) expect((r as Json).Properties.StateMachineName).toMatch(/^Staging-/);
  });

  test("a child's name is what its parent starts and may describe", () => {
    const stack = newStack();
    const child = new OsopWorkflow(stack, 'Etl', { file: path.join(GRAPH, 'etl-pipeline.osop.yaml'), stateMachineName: 'etl-custom' });
    const parent = new OsopWorkflow(stack, 'Bindings', { file: path.join(GRAPH, 'bindings.osop.yaml'), subWorkflows: { 'etl-pipeline': child } });
    expect(parent.plan.subWorkflows.map((s) => s.stateMachineName)).toEqual(['etl-custom']);
    const resources = allStatements(Template.fromStack(stack)).filter((s) => actionsOf(s).includes('states:DescribeExecution')).flatMap(resourcesOf);
    expect(JSON.stringify(resources)).toContain(':execution:etl-custom:*');
  });

  test('are refused when AWS would refuse them, naming the prop and what it accepts', () => {
    const deploy = (props: Partial<OsopWorkflowProps>) => deployError(() => new OsopWorkflow(newStack(), 'Wf', { file: NIGHTLY, ...props })).message;
    expect(deploy({ stateMachineName: 'no spaces please' })).toBe("OsopWorkflow 'Props/Wf': 'stateMachineName' must be a string of 1-80 letters, digits, '-' or '_', not 'no spaces please'.");
    expect(deploy({ stateMachineName: 'x'.repeat(81) })).toMatch(/'stateMachineName' must be a string of 1-80 letters/);
    expect(deploy({ stateMachineName: '' })).toMatch(/'stateMachineName' must be a string of 1-80 letters/);
    expect(deploy({ logGroupName: 'logs for me' })).toBe("OsopWorkflow 'Props/Wf': 'logGroupName' must be a string of 1-512 letters, digits, '.', '-', '_', '/' or '#', not 'logs for me'.");
    expect(deploy({ logGroupName: 'x'.repeat(513) })).toMatch(/'logGroupName' must be a string of 1-512/);
    expect(deploy({ logGroupName: 42 as unknown as string })).toMatch(/'logGroupName' must be a string of 1-512 .*, not 42\./);

    const handlers = (props: object) => deployError(() => new OsopHandlers(newStack(), 'Handlers', props)).message;
    expect(handlers({ approvalEventBusName: 'default' })).toBe(
      "OsopHandlers: 'approvalEventBusName' must be a string of 1-256 letters, digits, '.', '-' or '_', and not 'default' (to publish on the default bus, give approvalEventBus), not 'default'.",
    );
    expect(handlers({ approvalEventBusName: 'a/b' })).toMatch(/'approvalEventBusName' must be a string of 1-256/);
    expect(handlers({ approvalEventBusName: 'x'.repeat(257) })).toMatch(/'approvalEventBusName' must be a string of 1-256/);
    expect(deployError(() => new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Bad', { workflowsDir: GRAPH, approvalEventBusName: 'no spaces' })).message).toMatch(/'approvalEventBusName' must be a string of 1-256/);
    const s = newStack();
    expect(deployError(() => new OsopHandlers(s, 'Handlers', { approvalEventBus: events.EventBus.fromEventBusName(s, 'Default', 'default'), approvalEventBusName: 'mine' })).message).toBe(
      "OsopHandlers: give 'approvalEventBus' (a bus to publish on) or 'approvalEventBusName' (the name of the bus the stack creates), not both.",
    );
  });
});
