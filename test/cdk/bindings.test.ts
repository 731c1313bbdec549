/**
 * The new bindings deployed by an OsopStack over test/fixtures/bindings:
 * commands on the stack's CodeBuild project (startBuild.sync), SQL on the RDS
 * Data API (the cluster given to the stack), an MCP tool and OpenAI/Gemini
 * models on their handler functions, events published with PutEvents, manual
 * steps on the approval handler. IAM is checked statement by statement
 * against the deployment plan, and the stack with cdk-nag.
 */
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OsopStack } from '../../lib/cdk';
import { describeDeployment } from '../../lib/cdk/plan';
import { FIXTURES } from '../helpers/paths';
import { CDK_CONTEXT_NO_BUNDLING, STAR_ACTIONS, actionsOf, allStatements, logicalId, resourcesOf, roleStatements, statementText, unacknowledgedFindings, type Json } from './helpers';

const DATABASE = {
  clusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:subscribers',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-subscribers-AbCdEf',
  name: 'app',
};

let app: App;
let stack: OsopStack;
let template: Template;
beforeAll(() => {
  app = new App({ context: CDK_CONTEXT_NO_BUNDLING });
  stack = new OsopStack(app, 'Bindings', { workflowsDir: path.join(FIXTURES, 'bindings'), workflowDefaults: { database: DATABASE } });
  template = Template.fromStack(stack);
});

const resources = () => template.toJSON().Resources as Record<string, Json>;
const workflow = (id: string) => stack.workflows.find((w) => w.report.workflowId === id)!;
const machineOf = (id: string) => resources()[logicalId(workflow(id).stateMachine)];
const roleOf = (id: string) => machineOf(id).Properties.RoleArn['Fn::GetAtt'][0] as string;

test("each state machine's role may do exactly what its plan says, besides logging and tracing", () => {
  for (const id of ['build-and-test', 'subscribers', 'research-triage']) {
    const subs = machineOf(id).Properties.DefinitionSubstitutions as Json;
    const actual = roleStatements(template, roleOf(id))
      .filter((s) => !actionsOf(s).every((a) => STAR_ACTIONS.has(a)))
      .map((s) => statementText(s, subs))
      .sort();
    const planned = describeDeployment(workflow(id).report)
      .filter((l) => /^ {4}\S.* on /.test(l) && !l.includes('IAM:'))
      .map((l) => l.trim().replace(/ \(declared by .*\)$/, ''))
      .sort();
    expect({ id, statements: actual }).toEqual({ id, statements: planned });
  }
});

test('commands: one CodeBuild project for the stack; the state machine may start, stop and read only its builds', () => {
  template.resourceCountIs('AWS::CodeBuild::Project', 1);
  const project = Object.entries(resources()).find(([, r]) => r.Type === 'AWS::CodeBuild::Project')!;
  const subs = machineOf('build-and-test').Properties.DefinitionSubstitutions as Json;
  expect(subs.CommandProjectName).toEqual({ Ref: project[0] });
  expect(subs.SecretPrefix).toBe('osop/');
  const definition = JSON.parse(machineOf('build-and-test').Properties.DefinitionString);
  expect(definition.States.build.Resource).toBe('arn:aws:states:::codebuild:startBuild.sync');
  // The secret is a Secrets Manager variable, never in the buildspec text.
  expect(definition.States.build.Parameters.EnvironmentVariablesOverride).toContainEqual({ Name: 'NPM_TOKEN', Type: 'SECRETS_MANAGER', Value: '${SecretPrefix}NPM_TOKEN' });
  expect(definition.States.build.Parameters.BuildspecOverride).not.toMatch(/secrets\./);
  // The project's role may read that secret and no other.
  const projectRole = project[1].Properties.ServiceRole['Fn::GetAtt'][0] as string;
  const reads = roleStatements(template, projectRole).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
  expect(reads.map((s) => resourcesOf(s).map((r) => JSON.stringify(r)))).toEqual([[expect.stringContaining('secret:osop/NPM_TOKEN-??????')]]);
});

test('databases: the state machine may run statements on the given cluster, with its secret, and nothing else', () => {
  const statements = roleStatements(template, roleOf('subscribers')).filter((s) => !actionsOf(s).every((a) => STAR_ACTIONS.has(a)));
  expect(statements.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
    [['rds-data:ExecuteStatement'], [DATABASE.clusterArn]],
    [['secretsmanager:GetSecretValue'], [DATABASE.secretArn]],
  ]);
});

test('MCP and OpenAI-compatible agents: their handler functions read exactly the secrets the workflow names', () => {
  const fnRole = (name: string) => resources()[logicalId(stack.node.findChild('OsopHandlers').node.findChild(name))].Properties.Role['Fn::GetAtt'][0] as string;
  const secretsOf = (name: string) =>
    roleStatements(template, fnRole(name))
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => resourcesOf(s).map((r) => /secret:osop\/([A-Z_]+)-/.exec(JSON.stringify(r))?.[1]))
      .sort();
  expect(secretsOf('McpHandler')).toEqual(['MCP_SERVER_URL', 'MCP_TOKEN']);
  expect(secretsOf('AgentOpenaiHandler')).toEqual(['GEMINI_API_KEY', 'OPENAI_API_KEY']);
});

test('events: PutEvents on the default bus only', () => {
  const puts = allStatements(template).filter((s) => actionsOf(s).includes('events:PutEvents'));
  expect(puts.map((s) => statementText(s))).toContainEqual('events:PutEvents on arn:${Partition}:events:${Region}:${Account}:event-bus/default');
});

test('Resource "*" appears only with the log delivery and X-Ray actions that have no resource-level permissions', () => {
  for (const s of allStatements(template).filter((x) => resourcesOf(x).includes('*'))) for (const a of actionsOf(s)) expect(STAR_ACTIONS.has(a) ? a : `unexpected: ${a}`).toBe(a);
});

test('cdk-nag (AwsSolutions) has no finding that is not acknowledged with its reason', () => {
  expect(unacknowledgedFindings(app, stack)).toEqual([]);
});

test('a db node without a cluster, with no database given, stops synth naming what to give', () => {
  const bare = new App({ context: CDK_CONTEXT_NO_BUNDLING });
  expect(() => new OsopStack(bare, 'Bare', { workflowsDir: path.join(FIXTURES, 'bindings') })).toThrow(/its db nodes name no cluster; give the construct database: \{ clusterArn, secretArn, name \}/);
});

test('an entry event node deploys its rule: the pattern from its runtime starts the state machine', () => {
  const rules = Object.values(resources()).filter((r) => r.Type === 'AWS::Events::Rule');
  expect(rules.map((r) => r.Properties.EventPattern)).toContainEqual({ source: ['com.example.orders'], 'detail-type': ['OrderPlaced'], detail: { status: ['paid'] } });
});
