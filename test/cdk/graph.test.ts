/**
 * The newer compiler features, deployed by an OsopStack over the graph-model
 * fixtures (test/fixtures/graph): approvals (approval.osop.yaml), a custom
 * handler, a declared service integration and a sub-workflow (bindings.osop.yaml
 * starting etl-pipeline.osop.yaml). The IAM is checked as exact template
 * properties, the stack with cdk-nag, and the deployment plan against the template.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../lambdas/approval';
import { FIXTURE_SHA } from '../fixtures/graph/lambdas/custom/git-checkout';
import { compile } from '../../lib';
import { OsopHandlers, OsopStack, OsopWorkflow } from '../../lib/cdk';
import { APPROVAL_EVENTS, describeDeployment } from '../../lib/cdk/plan';
import { hasWorkflowExtension } from '../../lib/load';
import { FIXTURES, ROOT } from '../helpers/paths';
import {
  CDK_CONTEXT,
  CDK_CONTEXT_NO_BUNDLING,
  STAR_ACTIONS,
  acknowledgements,
  actionsOf,
  allStatements,
  deployError,
  filesUnder,
  handlerLogicalId,
  logicalId,
  renderArn,
  resourcesOf,
  roleStatements,
  statementText,
  unacknowledgedFindings,
  type Json,
  type Statement,
} from './helpers';

const GRAPH = path.join(FIXTURES, 'graph');
const BINDINGS = path.join(GRAPH, 'bindings.osop.yaml');
const ETL = path.join(GRAPH, 'etl-pipeline.osop.yaml');
const CHECKOUT = path.join(GRAPH, 'lambdas', 'custom', 'git-checkout.ts');

let app: App;
let stack: OsopStack;
let template: Template;

beforeAll(() => {
  app = new App({ context: CDK_CONTEXT_NO_BUNDLING });
  stack = new OsopStack(app, 'Graph', { workflowsDir: GRAPH });
  template = Template.fromStack(stack);
});

const resources = () => template.toJSON().Resources as Record<string, Json>;
const outputs = () => template.toJSON().Outputs as Record<string, Json>;
const workflow = (id: string) => stack.workflows.find((w) => w.report.workflowId === id)!;
const substitutionsOf = (wf: OsopWorkflow): Json => resources()[logicalId(wf.stateMachine)].Properties.DefinitionSubstitutions;
/** The state machine role's statements besides those CDK adds for logging and tracing. */
const ownStatements = (wf: OsopWorkflow) => roleStatements(template, logicalId(wf.stateMachine.role)).filter((s) => !actionsOf(s).every((a) => STAR_ACTIONS.has(a)));
/** A function role's statements besides writing its own log group and X-Ray. */
const functionStatements = (fnLogicalId: string, t = template) => {
  const role = t.toJSON().Resources[fnLogicalId].Properties.Role['Fn::GetAtt'][0];
  return roleStatements(t, role).filter((s) => !actionsOf(s).every((a) => STAR_ACTIONS.has(a) || a === 'logs:CreateLogStream' || a === 'logs:PutLogEvents'));
};
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const invoke = (id: string): Statement => ({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [getAtt(id), { 'Fn::Join': ['', [getAtt(id), ':*']] }] });

/** A folder with copies of fixture workflows (and optionally the custom handler module), removed after the test. */
function tempWorkflows(files: Record<string, string>, withHandler: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-graph-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  if (withHandler) {
    fs.mkdirSync(path.join(dir, 'lambdas', 'custom'), { recursive: true });
    fs.copyFileSync(CHECKOUT, path.join(dir, 'lambdas', 'custom', 'git-checkout.ts'));
  }
  return dir;
}
const read = (file: string) => fs.readFileSync(file, 'utf8');

test('every graph-model fixture deploys, each sub-workflow before the workflow that starts it', () => {
  const files = fs.readdirSync(GRAPH).filter(hasWorkflowExtension);
  expect(stack.workflows.map((w) => w.report.workflowId).sort()).toEqual(files.map((f) => compile(path.join(GRAPH, f)).report!.workflowId).sort());
  const order = stack.workflows.map((w) => w.report.workflowId);
  expect(order.indexOf('etl-pipeline')).toBeLessThan(order.indexOf('bindings'));
  // bindings.osop.yaml sorts before etl-pipeline.osop.yaml: the order is the stack's, not the folder's.
  expect(files.indexOf('bindings.osop.yaml')).toBeLessThan(files.indexOf('etl-pipeline.osop.yaml'));
});

describe('approvals', () => {
  const busId = () => logicalId(stack.node.findChild('OsopHandlers').node.findChild('ApprovalEvents'));

  test("the approval handler publishes on the stack's <stack name>-osop-approvals bus, and may put only approval requests on it", () => {
    expect(Object.keys(template.findResources('AWS::Events::EventBus'))).toEqual([busId()]);
    expect(resources()[busId()].Properties).toMatchObject({ Name: 'Graph-osop-approvals' });
    const fn = resources()[handlerLogicalId(stack, 'approval')].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, MemorySize: 128 });
    expect(fn.Environment.Variables).toEqual({ OSOP_APPROVAL_EVENT_BUS: { Ref: busId() }, NODE_OPTIONS: '--enable-source-maps' });
    expect(functionStatements(handlerLogicalId(stack, 'approval'))).toEqual([
      { Sid: 'PublishApprovalRequests', Action: 'events:PutEvents', Effect: 'Allow', Resource: getAtt(busId()), Condition: { StringEquals: { 'events:source': 'osop.sfn' } } },
    ]);
    expect(APPROVAL_EVENTS).toEqual({ source: EVENT_SOURCE, detailType: EVENT_DETAIL_TYPE });
  });

  test("the function runs 30 s: the Tasks' timeouts (4 h, 1 h) are how long they wait for the approver", () => {
    const tasks = Object.values(workflow('approval').definition.States).filter((s) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(tasks.map((t) => t.TimeoutSeconds)).toEqual([14400, 3600]);
    expect(resources()[handlerLogicalId(stack, 'approval')].Properties.Timeout).toBe(30);
  });

  test('the approval state machine invokes the approval and REST handlers, and nothing else', () => {
    const approval = workflow('approval');
    expect(substitutionsOf(approval)).toEqual({ ApprovalHandlerArn: getAtt(handlerLogicalId(stack, 'approval')), RestHandlerArn: getAtt(handlerLogicalId(stack, 'rest')) });
    expect(ownStatements(approval)).toEqual([invoke(handlerLogicalId(stack, 'approval')), invoke(handlerLogicalId(stack, 'rest'))]);
  });

  test('approvers: a managed policy that may SendTaskSuccess and SendTaskFailure on that state machine only, as a stack output', () => {
    const approval = workflow('approval');
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toEqual([logicalId(approval.approversPolicy!)]);
    const [statement] = Object.values(policies)[0].Properties.PolicyDocument.Statement as Statement[];
    expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toHaveLength(1);
    expect(actionsOf(statement)).toEqual(['states:SendTaskSuccess', 'states:SendTaskFailure']);
    expect(resourcesOf(statement).map((r) => renderArn(r))).toEqual([`arn:\${Partition}:states:\${Region}:\${Account}:stateMachine:${resources()[logicalId(approval.stateMachine)].Properties.StateMachineName}`]);
    expect(stack.workflows.filter((w) => w.approversPolicy).map((w) => w.report.workflowId)).toEqual(['approval']);
    expect(outputs().ApprovalApproversPolicyArn.Value).toEqual({ Ref: logicalId(approval.approversPolicy!) });
    expect(outputs().ApprovalEventBusName.Value).toEqual({ Ref: busId() });
  });

  test('given another bus (here the default one), the handler publishes there and no bus is created', () => {
    const s = new Stack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'DefaultBus');
    const handlers = new OsopHandlers(s, 'Handlers', { approvalEventBus: events.EventBus.fromEventBusName(s, 'Default', 'default') });
    new OsopWorkflow(s, 'Approval', { file: path.join(GRAPH, 'approval.osop.yaml'), handlers });
    const t = Template.fromStack(s);
    expect(t.findResources('AWS::Events::EventBus')).toEqual({});
    const fnId = logicalId(handlers.node.findChild('ApprovalHandler'));
    expect(t.toJSON().Resources[fnId].Properties.Environment.Variables.OSOP_APPROVAL_EVENT_BUS).toBe('default');
    expect(functionStatements(fnId, t).map((st) => statementText(st))).toEqual(['events:PutEvents on arn:${Partition}:events:${Region}:${Account}:event-bus/default']);
  });

  test("the stack outputs the bus whatever the workflows' secret prefix", () => {
    const dir = tempWorkflows({ 'approval.osop.yaml': read(path.join(GRAPH, 'approval.osop.yaml')) }, false);
    try {
      const prefixed = new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Prefixed', { workflowsDir: dir, workflowDefaults: { secretPrefix: 'prod/' } });
      expect(Template.fromStack(prefixed).toJSON().Outputs.ApprovalEventBusName.Value).toEqual({ Ref: logicalId(prefixed.node.findChild('OsopHandlers').node.findChild('ApprovalEvents')) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a stack without approvals has no approval handler, bus or approvers policy', () => {
    const plain = Template.fromStack(new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Plain', { workflowsDir: path.join(ROOT, 'workflows') }));
    expect(plain.findResources('AWS::Events::EventBus')).toEqual({});
    expect(plain.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    expect(plain.toJSON().Outputs.ApprovalEventBusName).toBeUndefined();
  });
});

describe('custom handlers', () => {
  test('the module x-sfn.handler names becomes its own function, with no permission beyond its log group and X-Ray', () => {
    const fnId = logicalId(workflow('bindings').customFunctions.get('checkout')!);
    const fn = resources()[fnId].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, MemorySize: 256, Timeout: 60, Handler: 'index.handler' });
    expect(fn.Environment.Variables).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
    expect(resources()[fn.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(30);
    expect(functionStatements(fnId)).toEqual([]);
  });

  test('its ARN is the substitution, and only its own state machine may invoke it', () => {
    const bindings = workflow('bindings');
    const fnId = logicalId(bindings.customFunctions.get('checkout')!);
    expect(substitutionsOf(bindings).Handler_checkout).toEqual(getAtt(fnId));
    expect(ownStatements(bindings)).toContainEqual(invoke(fnId));
    const invokers = allStatements(template).filter((s) => JSON.stringify(s.Resource).includes(fnId));
    expect(invokers).toEqual([invoke(fnId)]);
  });

  test('is bundled from the file next to the workflow, locally with esbuild', () => {
    const bundled = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'osop-bundle-')) });
    const only = new Stack(bundled, 'Custom');
    const wf = new OsopWorkflow(only, 'Bindings', { file: BINDINGS, subWorkflows: { 'etl-pipeline': sfn.StateMachine.fromStateMachineName(only, 'Etl', 'etl-pipeline') } });
    const assembly = bundled.synth();
    const code = Template.fromJSON(assembly.getStackByName('Custom').template).toJSON().Resources[logicalId(wf.customFunctions.get('checkout')!)].Properties.Code;
    const assetDir = path.join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    expect(bundle).toContain(FIXTURE_SHA);
    expect(filesUnder(assetDir).map((f) => path.basename(f)).sort()).toEqual(['index.js', 'index.js.map']);
    fs.rmSync(assembly.directory, { recursive: true, force: true });
  });

  test('a module that does not exist stops synth, naming the node and the path, with its position', () => {
    const dir = tempWorkflows({ 'bindings.osop.yaml': read(BINDINGS), 'etl-pipeline.osop.yaml': read(ETL) }, false);
    try {
      // The compiler finds it (as `osop-sfn check` does): a diagnostic with its position.
      expect(deployError(() => new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Missing', { workflowsDir: dir })).message).toMatch(
        new RegExp(`^${path.join(dir, 'bindings.osop.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:23 - error OSOP2009: x-sfn.handler of node 'checkout' names 'lambdas/custom/git-checkout.ts', which does not exist in the workflow's folder\.`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a module the deployment cannot bundle is refused: not JavaScript or TypeScript, or with no package-lock.json above it', () => {
    const dir = tempWorkflows({ 'bindings.osop.yaml': read(BINDINGS), 'etl-pipeline.osop.yaml': read(ETL) }, true);
    try {
      const build = () => new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Unbundled', { workflowsDir: dir });
      expect(deployError(build).message).toContain("node 'checkout' binds x-sfn.handler 'lambdas/custom/git-checkout.ts', but there is no package-lock.json in its folder or above it");
      fs.writeFileSync(path.join(dir, 'lambdas', 'custom', 'checkout.py'), 'def handler(event, context): pass\n');
      fs.writeFileSync(path.join(dir, 'bindings.osop.yaml'), read(BINDINGS).replace('lambdas/custom/git-checkout.ts', 'lambdas/custom/checkout.py'));
      expect(deployError(build).message).toContain("node 'checkout' binds x-sfn.handler 'lambdas/custom/checkout.py', which is not a JavaScript or TypeScript module");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sub-workflows', () => {
  test("the child's state machine ARN is the substitution; the parent may start it, describe and stop its executions, and keep the .sync events rule", () => {
    const bindings = workflow('bindings');
    const child = logicalId(workflow('etl-pipeline').stateMachine);
    expect(substitutionsOf(bindings).Workflow_etl_pipeline).toEqual({ Ref: child });
    const arn = (service: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, resource]] });
    expect(ownStatements(bindings)).toEqual(
      expect.arrayContaining([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: child } },
        { Action: ['states:DescribeExecution', 'states:StopExecution'], Effect: 'Allow', Resource: arn('states', ':execution:Graph-etl-pipeline:*') },
        { Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], Effect: 'Allow', Resource: arn('events', ':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule') },
      ]),
    );
    // No other state machine may start the child.
    expect(allStatements(template).filter((s) => actionsOf(s).some((a) => a.startsWith('states:'))).flatMap(resourcesOf)).toEqual([{ Ref: child }, arn('states', ':execution:Graph-etl-pipeline:*')]);
  });

  test('a child that is not deployed with it stops synth, naming it', () => {
    // The workflow imports its child from outside the stack's folder: the compiler finds it, the stack does not deploy it.
    const dir = tempWorkflows({}, true);
    try {
      fs.mkdirSync(path.join(dir, 'shared'));
      fs.copyFileSync(ETL, path.join(dir, 'shared', 'etl-pipeline.osop.yaml'));
      fs.writeFileSync(path.join(dir, 'bindings.osop.yaml'), read(BINDINGS).replace('nodes:', 'imports: ["./shared/etl-pipeline.osop.yaml"]\nnodes:'));
      fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}');
      const { message } = deployError(() => new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Orphan', { workflowsDir: dir }));
      expect(message).toBe(
        `${path.join(dir, 'bindings.osop.yaml')} - error: node 'etl' starts workflow 'etl-pipeline' (${path.join(dir, 'shared', 'etl-pipeline.osop.yaml')}), which is not deployed with it: ` +
          "put its file in the stack's workflows folder, or give its state machine to the construct (subWorkflows: { 'etl-pipeline': ... }).",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a child that cannot be deployed is named in the error of the workflow that starts it', () => {
    const dir = tempWorkflows({ 'bindings.osop.yaml': read(BINDINGS), 'etl-pipeline.osop.yaml': `${read(ETL)}triggers:\n  - type: webhook\n` }, true);
    try {
      const { message } = deployError(() => new OsopStack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'BrokenChild', { workflowsDir: dir }));
      const etl = path.join(dir, 'etl-pipeline.osop.yaml');
      expect(message.split('\n\n')).toEqual([
        expect.stringMatching(new RegExp(`^${etl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} - error: trigger 1 \\(webhook\\)`)),
        `${path.join(dir, 'bindings.osop.yaml')} - error: node 'etl' starts workflow 'etl-pipeline' (${etl}), which cannot be deployed (see its errors).`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('given to OsopWorkflow', () => {
    const newStack = () => new Stack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Given');

    test('any state machine: its ARN is the substitution and its name scopes the executions grant', () => {
      const s = newStack();
      const etl = sfn.StateMachine.fromStateMachineArn(s, 'Etl', 'arn:aws:states:eu-west-1:123456789012:stateMachine:etl-prod');
      const wf = new OsopWorkflow(s, 'Bindings', { file: BINDINGS, subWorkflows: { 'etl-pipeline': etl } });
      const t = Template.fromStack(s);
      expect(t.toJSON().Resources[logicalId(wf.stateMachine)].Properties.DefinitionSubstitutions.Workflow_etl_pipeline).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:etl-prod');
      const texts = roleStatements(t, logicalId(wf.stateMachine.role)).map((st) => statementText(st));
      expect(texts).toContain('states:StartExecution on arn:aws:states:eu-west-1:123456789012:stateMachine:etl-prod');
      expect(texts).toContain('states:DescribeExecution, states:StopExecution on arn:${Partition}:states:${Region}:${Account}:execution:etl-prod:*');
      expect(unacknowledgedFindings(s.node.root as App, s)).toEqual([]);
    });

    test('a key no node starts, or the OsopWorkflow of another workflow, is refused', () => {
      const s = newStack();
      const etl = new OsopWorkflow(s, 'Etl', { file: ETL });
      expect(deployError(() => new OsopWorkflow(s, 'Typo', { file: BINDINGS, subWorkflows: { 'etl-pipelin': etl } })).message).toContain(
        "subWorkflows names 'etl-pipelin', which no workflow_ref node of the workflow starts. Did you mean 'etl-pipeline'?",
      );
      const other = new OsopWorkflow(s, 'Loop', { file: path.join(GRAPH, 'loop.osop.yaml') });
      expect(deployError(() => new OsopWorkflow(s, 'Wrong', { file: BINDINGS, subWorkflows: { 'etl-pipeline': other } })).message).toContain(
        `subWorkflows['etl-pipeline'] must be the OsopWorkflow of workflow 'etl-pipeline' or a state machine (sfn.IStateMachine), not the OsopWorkflow of '${other.report.workflowId}'.`,
      );
    });
  });
});

describe('service integrations', () => {
  const withIntegration = (permissions: string) =>
    `osop_version: "1.1"\nid: notify\nname: Notify\nnodes:\n  - id: announce\n    type: system\n    x-sfn:\n      resource: "arn:aws:states:::sns:publish"\n      parameters: { TopicArn: "arn:aws:sns:us-east-1:123456789012:releases", Message: "hello" }\n${permissions}edges: []\n`;

  test('the permissions the workflow declares are granted as written, in a policy of their own', () => {
    const bindings = workflow('bindings');
    const policy = logicalId(bindings.node.findChild('DeclaredPermissions'));
    expect(resources()[policy].Properties.PolicyDocument.Statement).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:us-east-1:123456789012:releases' }]);
    expect(resources()[policy].Properties.Roles).toEqual([{ Ref: logicalId(bindings.stateMachine.role) }]);
    expect(resources()[logicalId(bindings.stateMachine)].DependsOn).toContain(policy);
  });

  test('one with no declared permissions stops synth, saying what to add', () => {
    const s = new Stack(new App({ context: CDK_CONTEXT_NO_BUNDLING }), 'Undeclared');
    expect(deployError(() => new OsopWorkflow(s, 'Notify', { file: 'notify.osop.yaml', source: withIntegration('') })).message).toBe(
      "notify.osop.yaml - error: node 'announce' calls arn:aws:states:::sns:publish but declares no IAM permissions for it; add them to the node: x-sfn: { permissions: [{ actions: [...], resources: [...] }] }, exactly what the call needs.",
    );
  });

  test('a wildcard a workflow declares is not acknowledged: cdk-nag reports it', () => {
    const a = new App({ context: CDK_CONTEXT_NO_BUNDLING });
    const s = new Stack(a, 'Wildcard');
    new OsopWorkflow(s, 'Notify', { file: 'notify.osop.yaml', source: withIntegration('      permissions: [{ actions: ["sns:*"], resources: ["*"] }]\n') });
    expect(unacknowledgedFindings(a, s).sort()).toEqual(['AwsSolutions-IAM5[Action::sns:*] at Wildcard/Notify/DeclaredPermissions/Resource', 'AwsSolutions-IAM5[Resource::*] at Wildcard/Notify/DeclaredPermissions/Resource']);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('no unacknowledged finding', () => {
    expect(unacknowledgedFindings(app, stack)).toEqual([]);
  });

  test('every acknowledgement answers a finding on that construct, with a reason', () => {
    for (const a of acknowledgements(app, stack).filter((x) => x.rule.startsWith('AwsSolutions-'))) {
      expect(a.reason.length).toBeGreaterThan(60);
      expect({ ...a, reason: undefined }).toEqual({ ...a, reason: undefined, matched: true });
    }
  });

  test('the wildcards are the log delivery and X-Ray actions, function versions, and the child executions', () => {
    const wildcards = allStatements(template).flatMap((s) => resourcesOf(s).filter((r) => JSON.stringify(r).includes('*')).map((r) => ({ actions: actionsOf(s), resource: renderArn(r) })));
    for (const w of wildcards) {
      const ok =
        w.resource === '*' ? w.actions.every((a) => STAR_ACTIONS.has(a))
        : w.actions.join() === 'lambda:InvokeFunction' ? /^\{"Fn::GetAtt":\["\w+","Arn"\]\}:\*$/.test(w.resource)
        : w.actions.join() === 'states:DescribeExecution,states:StopExecution' && w.resource === 'arn:${Partition}:states:${Region}:${Account}:execution:Graph-etl-pipeline:*';
      expect({ ...w, ok }).toEqual({ ...w, ok: true });
    }
  });
});

describe('describeDeployment agrees with the template', () => {
  for (const file of fs.readdirSync(GRAPH).filter(hasWorkflowExtension)) {
    test(file, () => {
      const r = compile(path.join(GRAPH, file));
      const wf = workflow(r.report!.workflowId);
      const lines = describeDeployment(r.report!, { stackName: stack.stackName });
      expect(lines.filter((l) => l.startsWith('  error:'))).toEqual([]);
      // The state machine's IAM, statement by statement, in the plan's notation.
      const substitutions = substitutionsOf(wf);
      const start = lines.indexOf('  IAM of the state machine, besides logging and tracing:');
      const printed = lines.slice(start + 1).filter((l) => l.startsWith('    ')).map((l) => l.trim().replace(/ \(declared by \w+\)$/, ''));
      expect(printed.sort()).toEqual(ownStatements(wf).map((s) => statementText(s, substitutions)).sort());
      // Each function, custom handler and sub-workflow it prints is a substitution of the template, and nothing else is.
      const keys = lines.filter((l) => / as \$\{/.test(l)).flatMap((l) => [...l.split(' as ')[1].matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
      expect(keys.sort()).toEqual(Object.keys(substitutions ?? {}).sort());
      // The approvers policy.
      const approvers = lines.find((l) => l.startsWith('  approvers managed policy'));
      const policy = wf.approversPolicy && (resources()[logicalId(wf.approversPolicy)].Properties.PolicyDocument.Statement[0] as Statement);
      expect(approvers?.split(': ')[1]).toEqual(policy && statementText(policy));
    });
  }
});
