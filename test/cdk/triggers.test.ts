/**
 * Several workflows in one stack through the OsopWorkflow construct: triggers
 * become EventBridge rules, the handlers are shared and their grants and
 * timeouts are the union of what the workflows need, and the deployment plan
 * (`describeDeployment`) says what the template holds.
 */
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compile } from '../../lib';
import { OsopWorkflow } from '../../lib/cdk';
import { describeDeployment, secretArnPattern } from '../../lib/cdk/plan';
import { SEED } from '../helpers/paths';
import { CDK_CONTEXT_NO_BUNDLING, CDK_FIXTURES, actionsOf, logicalId, renderArn, resourcesOf, roleStatements, type Json } from './helpers';

const NIGHTLY = path.join(CDK_FIXTURES, 'nightly-report.osop.yaml');
const ORDERS = path.join(CDK_FIXTURES, 'order-events.osop.yaml');

let stack: Stack;
let template: Template;
let nightly: OsopWorkflow;
let orders: OsopWorkflow;
let payment: OsopWorkflow;

beforeAll(() => {
  stack = new Stack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Triggers');
  nightly = new OsopWorkflow(stack, 'Nightly', { file: NIGHTLY });
  orders = new OsopWorkflow(stack, 'Orders', { file: ORDERS, extraEventPattern: { source: ['com.example.refunds'] } });
  payment = new OsopWorkflow(stack, 'Payment', { file: SEED });
  template = Template.fromStack(stack);
});

const resources = () => template.toJSON().Resources as Record<string, Json>;
const rulesTargeting = (wf: OsopWorkflow) =>
  Object.values(template.findResources('AWS::Events::Rule')).filter((r: Json) => r.Properties.Targets.some((t: Json) => t.Arn.Ref === logicalId(wf.stateMachine))) as Json[];
const handlerId = (kind: 'rest' | 'agent') => logicalId(stack.node.findChild('OsopHandlers').node.findChild(kind === 'rest' ? 'RestHandler' : 'AgentHandler'));

test('a 5-field cron trigger becomes a schedule rule in EventBridge form (day-of-week renumbered)', () => {
  const rules = rulesTargeting(nightly);
  expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['cron(30 2 ? * 2-6 *)']);
});

test('an event trigger becomes an event-pattern rule; the extra pattern prop adds one more', () => {
  const patterns = rulesTargeting(orders).map((r) => r.Properties.EventPattern);
  expect(patterns).toEqual([
    { source: ['com.example.orders'], 'detail-type': ['OrderPlaced'], detail: { status: ['paid'], region: ['eu', 'us'] } },
    { source: ['com.example.refunds'] },
  ]);
});

test('manual triggers and workflows without triggers get no rule', () => {
  expect(rulesTargeting(payment)).toEqual([]);
  expect(Object.keys(template.findResources('AWS::Events::Rule'))).toHaveLength(3);
});

test("rules pass the event's detail as input, through a role that may only start that state machine", () => {
  for (const wf of [nightly, orders]) {
    for (const rule of rulesTargeting(wf)) {
      const [target] = rule.Properties.Targets;
      expect(target.InputPath).toBe('$.detail');
      const statements = roleStatements(template, target.RoleArn['Fn::GetAtt'][0]);
      expect(statements).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: logicalId(wf.stateMachine) } }]);
    }
  }
});

test('the handlers are shared: one function per kind, reading the union of the secrets', () => {
  expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(2);
  const secretsOf = (kind: 'rest' | 'agent') => {
    const role = resources()[handlerId(kind)].Properties.Role['Fn::GetAtt'][0];
    return roleStatements(template, role).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap(resourcesOf).map((r) => renderArn(r)).sort();
  };
  expect(secretsOf('rest')).toEqual(['REPORTS_API_TOKEN', 'STRIPE_SECRET_KEY'].map((n) => secretArnPattern('osop/', n)));
  // The agent's key secrets come from the definitions (api_key: ${secrets.ORDERS_LLM_KEY}, and the seed's default).
  expect(secretsOf('agent')).toEqual(['ANTHROPIC_API_KEY', 'ORDERS_LLM_KEY'].map((n) => secretArnPattern('osop/', n)));
});

test('each state machine invokes only its own handlers', () => {
  const invoked = (wf: OsopWorkflow) =>
    roleStatements(template, logicalId(wf.stateMachine.role))
      .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
      .flatMap(resourcesOf)
      .filter((r: Json) => r['Fn::GetAtt'])
      .map((r: Json) => r['Fn::GetAtt'][0])
      .sort();
  expect(invoked(nightly)).toEqual([handlerId('rest')]);
  expect(invoked(orders)).toEqual([handlerId('agent')]);
  expect(invoked(payment)).toEqual([handlerId('agent'), handlerId('rest')].sort());
});

test("a function's timeout covers the longest Task that waits for it", () => {
  // order-events' agent node: timeout_sec 400, and the compiler's Task waits 10 s more.
  expect(resources()[handlerId('agent')].Properties.Timeout).toBe(410);
  expect(resources()[handlerId('rest')].Properties.Timeout).toBe(60);
});

describe('describeDeployment agrees with the template', () => {
  for (const [name, file] of [['nightly', NIGHTLY], ['orders', ORDERS], ['payment', SEED]] as const) {
    test(name, () => {
      const wf = { nightly, orders, payment }[name];
      const r = compile(file);
      const lines = describeDeployment(r.report!, { stackName: stack.stackName });
      expect(lines[0]).toBe(`state machine ${wf.plan.stateMachineName} (STANDARD), X-Ray tracing on`);
      expect(resources()[logicalId(wf.stateMachine)].Properties.StateMachineName).toBe(wf.plan.stateMachineName);
      expect(lines.filter((l) => l.startsWith('  EventBridge rule for trigger')).length).toBe(rulesTargeting(wf).length - (wf === orders ? 1 : 0));
      const handlerLines = lines.filter((l) => / handler function /.test(l)).map((l) => (l.includes('REST') ? handlerId('rest') : handlerId('agent')));
      expect(handlerLines.sort()).toEqual(r.report!.handlers.map((k) => handlerId(k as 'rest' | 'agent')).sort());
      // Every secret ARN the plan prints is granted to a handler.
      const granted = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: Json) => p.Properties.PolicyDocument.Statement).filter((s: Json) => s.Action === 'secretsmanager:GetSecretValue').flatMap(resourcesOf).map((r) => renderArn(r));
      for (const l of lines.filter((x) => x.includes('secretsmanager:GetSecretValue'))) expect(granted).toContain(l.split(' ').pop());
      expect(lines.some((l) => l.startsWith('  error:'))).toBe(false);
    });
  }
});

test('the ${secrets.NAME} placeholders in a definition are acknowledged to CloudFormation validation, with the reason', () => {
  expect(JSON.stringify(payment.definition)).toContain('${secrets.STRIPE_SECRET_KEY}');
  const acknowledged = (wf: OsopWorkflow) => wf.stateMachine.node.metadata.some((m) => JSON.stringify(m.data ?? {}).includes('CloudFormation-Validate::E1029'));
  expect(acknowledged(payment)).toBe(true);
  // The agent-only workflow has no placeholder, so nothing to acknowledge.
  expect(JSON.stringify(orders.definition)).not.toContain('${secrets.');
  expect(acknowledged(orders)).toBe(false);
});
