/**
 * The CDK app as `cdk synth` runs it (bin/app.ts, cdk.json's context): one
 * state machine per workflow in workflows/, the shared handlers, IAM, logging,
 * cdk-nag. Synthesized once, in-process, with fake secret values in the
 * environment that must not reach the template or the bundles.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../bin/app';
import { compile } from '../../lib';
import { OsopDeployError, OsopStack } from '../../lib/cdk';
import { secretArnPattern } from '../../lib/cdk/plan';
import { hasWorkflowExtension } from '../../lib/load';
import type { HandlerKind } from '../../lib/types';
import { ROOT } from '../helpers/paths';
import {
  CDK_CONTEXT, CDK_FIXTURES, STAR_ACTIONS, acknowledgements, actionsOf, deployError, allStatements, filesUnder, handlerLogicalId, logicalId, renderArn, resourcesOf, roleStatements, unacknowledgedFindings, type Json,
} from './helpers';

const SENTINELS = { STRIPE_SECRET_KEY: 'sk_test_SHOULD_NOT_APPEAR', ANTHROPIC_API_KEY: 'sk-ant-SHOULD_NOT_APPEAR' };
const WORKFLOW_FILES = fs.readdirSync(path.join(ROOT, 'workflows')).filter(hasWorkflowExtension).sort().map((n) => path.join('workflows', n));

let stack: OsopStack;
let assembly: CloudAssembly;
let template: Template;
let app: ReturnType<typeof buildApp>['app'];

beforeAll(() => {
  const saved = { ...process.env };
  Object.assign(process.env, SENTINELS);
  try {
    ({ app, stack } = buildApp({ context: CDK_CONTEXT }));
    assembly = app.synth();
  } finally {
    process.env = saved;
  }
  template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
});

const lambdaIdOf = (kind: HandlerKind) => handlerLogicalId(stack, kind);

test('one state machine per workflow file, named from the stack and its workflow id', () => {
  expect(WORKFLOW_FILES.length).toBeGreaterThan(0);
  const names = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((r: Json) => r.Properties.StateMachineName).sort();
  expect(names).toEqual(WORKFLOW_FILES.map((f) => `OsopWorkflows-${compile(f).report!.workflowId}`).sort());
});

test("each definition is the compiler's output, with the handler ARNs as substitutions", () => {
  for (const wf of stack.workflows) {
    const props = template.toJSON().Resources[logicalId(wf.stateMachine)].Properties;
    expect(JSON.parse(props.DefinitionString)).toEqual(JSON.parse(JSON.stringify(compile(wf.file).definition)));
    const expected = Object.fromEntries(wf.plan.handlers.map(({ kind: k }) => [wf.report.substitutions[k], { 'Fn::GetAtt': [lambdaIdOf(k), 'Arn'] }]));
    expect(props.DefinitionSubstitutions).toEqual(expected);
  }
});

test("a state machine's role may invoke exactly the handler functions its workflow uses", () => {
  for (const wf of stack.workflows) {
    const invoke = roleStatements(template, logicalId(wf.stateMachine.role)).filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invoke.flatMap(actionsOf).every((a) => a === 'lambda:InvokeFunction')).toBe(true);
    const expected = wf.plan.handlers.flatMap(({ kind: k }) => [{ 'Fn::GetAtt': [lambdaIdOf(k), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lambdaIdOf(k), 'Arn'] }, ':*']] }]);
    expect(invoke.flatMap(resourcesOf)).toEqual(expect.arrayContaining(expected));
    expect(invoke.flatMap(resourcesOf)).toHaveLength(expected.length);
  }
});

test('each handler may read exactly the secrets the workflows name, and nothing else in the stack reads secrets', () => {
  const secretStatements = allStatements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
  expect(secretStatements.flatMap(actionsOf).every((a) => a === 'secretsmanager:GetSecretValue')).toBe(true);
  const granted = (kind: 'rest' | 'agent') => {
    const role = (template.toJSON().Resources[lambdaIdOf(kind)].Properties.Role as Json)['Fn::GetAtt'][0];
    return roleStatements(template, role).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap(resourcesOf).map((r) => renderArn(r)).sort();
  };
  // The seed: STRIPE_SECRET_KEY in the REST nodes' headers, the agent's default API key.
  expect(granted('rest')).toEqual([secretArnPattern('osop/', 'STRIPE_SECRET_KEY')]);
  expect(granted('agent')).toEqual([secretArnPattern('osop/', 'ANTHROPIC_API_KEY')]);
  expect(secretStatements.flatMap(resourcesOf)).toHaveLength(2);
});

test('no secret value reaches the template or the bundled handlers', () => {
  const files = filesUnder(assembly.directory);
  expect(files.some((f) => f.endsWith('index.js'))).toBe(true); // the bundles are scanned too
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const value of Object.values(SENTINELS)) expect({ file, found: text.includes(value) }).toEqual({ file, found: false });
  }
  expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
});

test('handlers: Node.js 22 on arm64, traced, own log group with retention, read secrets from Secrets Manager', () => {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
  expect(functions).toHaveLength(2);
  for (const fn of functions) {
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, MemorySize: 128 });
    expect(fn.Properties.Environment.Variables).toMatchObject({ OSOP_SECRETS_SOURCE: 'aws', OSOP_SECRET_PREFIX: 'osop/' });
    const logGroup = template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  }
  expect(template.toJSON().Resources[lambdaIdOf('rest')].Properties.Timeout).toBe(60);
  expect(template.toJSON().Resources[lambdaIdOf('agent')].Properties.Timeout).toBe(180);
  // No AWS managed policies: each function writes only to its own log group.
  for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Json[]) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
});

test('state machines log errors without execution data, keep logs a month, and are traced', () => {
  for (const wf of stack.workflows) {
    const props = template.toJSON().Resources[logicalId(wf.stateMachine)].Properties;
    expect(props.LoggingConfiguration).toEqual({ Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(wf.logGroup), 'Arn'] } } }], IncludeExecutionData: false, Level: 'ERROR' });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    // The log group outlives the stack: its name ends with the UUID of the stack's id, new when the stack is created again.
    const stackUuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    expect(template.toJSON().Resources[logicalId(wf.logGroup)].Properties).toEqual({
      LogGroupName: { 'Fn::Join': ['', [`/aws/vendedlogs/states/${wf.plan.stateMachineName}-`, stackUuid]] },
      RetentionInDays: 30,
    });
  }
});

test('outputs: each state machine ARN and console URL', () => {
  const outputs = template.toJSON().Outputs as Json;
  for (const wf of stack.workflows) {
    const ref = { Ref: logicalId(wf.stateMachine) };
    expect(outputs[`${wf.node.id}Arn`].Value).toEqual(ref);
    const region = { Ref: 'AWS::Region' };
    expect(outputs[`${wf.node.id}ConsoleUrl`].Value).toEqual({
      'Fn::Join': ['', ['https://', region, '.console.aws.amazon.com/states/home?region=', region, '#/statemachines/view/', ref]],
    });
  }
});

describe('cdk-nag AwsSolutions', () => {
  test('no unacknowledged finding, error or warning', () => {
    expect(unacknowledgedFindings(app, stack)).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('every acknowledgement answers a finding on that construct, and gives a reason', () => {
    const acks = acknowledgements(app, stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.reason.length).toBeGreaterThan(60);
      // CloudFormation-Validate acknowledgements are checked in triggers.test.ts
      if (a.rule.startsWith('AwsSolutions-')) expect({ ...a, reason: undefined }).toEqual({ ...a, reason: undefined, matched: true });
    }
  });

  test('Resource "*" appears only with the log delivery and X-Ray actions that have no resource-level permissions', () => {
    const wildcard = allStatements(template).filter((s) => resourcesOf(s).includes('*'));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const s of wildcard) for (const a of actionsOf(s)) expect(STAR_ACTIONS.has(a) ? a : `unexpected: ${a}`).toBe(a);
  });
});

describe('a workflow that does not compile', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-cdk-'));
    fs.writeFileSync(path.join(dir, 'broken.osop.yaml'), 'osop_version: "1.0"\nid: broken\nname: Broken\nnodes:\n  - id: a\n    type: api\n    subtype: rest\n    runtime:\n      method: GET\n      url: "https://${inputs.host}/x"\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('stops synth with compiler-style diagnostics', () => {
    expect(() => buildApp({ context: { ...CDK_CONTEXT, workflowsDir: dir } })).toThrow(OsopDeployError);
    expect(() => buildApp({ context: { ...CDK_CONTEXT, workflowsDir: dir } })).toThrow(/broken\.osop\.yaml:\d+:\d+ - error OSOP\d+: /);
  });

  test('every workflow that cannot be deployed is reported in one synth, including duplicate workflow ids', () => {
    const nightly = fs.readFileSync(path.join(CDK_FIXTURES, 'nightly-report.osop.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'nightly-a.osop.yaml'), nightly);
    fs.writeFileSync(path.join(dir, 'nightly-b.osop.yaml'), nightly);
    fs.writeFileSync(path.join(dir, 'hooks.osop.yaml'), nightly.replace('id: "nightly-report"', 'id: "hooks"').replace('type: "cron"', 'type: "webhook"'));
    try {
      const { message } = deployError(() => new OsopStack(new App({ context: CDK_CONTEXT }), 'Several', { workflowsDir: dir }));
      expect(message).toMatch(/broken\.osop\.yaml:\d+:\d+ - error OSOP\d+: /);
      expect(message).toContain(`${path.join(dir, 'hooks.osop.yaml')} - error: trigger 1 (webhook): 'webhook' triggers cannot be deployed.`);
      expect(message).toContain(`${path.join(dir, 'nightly-b.osop.yaml')} - error: its state machine name 'Several-nightly-report' is already used by ${path.join(dir, 'nightly-a.osop.yaml')}`);
    } finally {
      for (const f of ['nightly-a', 'nightly-b', 'hooks']) fs.rmSync(path.join(dir, `${f}.osop.yaml`));
    }
  });

  test('the app prints them without a stack trace and exits 1', () => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ workflowsDir: dir }), CDK_OUTDIR: path.join(dir, 'out') },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/broken\.osop\.yaml:\d+:\d+ - error OSOP\d+: .+\n/);
    expect(run.stderr).toMatch(/broken\.osop\.yaml: \d+ errors?; the workflow cannot be deployed\./);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
