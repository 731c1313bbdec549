/**
 * Native HTTP Tasks deployed by an OsopStack (the seed with x-sfn: { http: native }): one EventBridge connection
 * for the Stripe key, read from the secret at deploy (never in the template or the definition), no REST handler
 * function, and the state machine's IAM least-privilege: states:InvokeHTTPEndpoint on itself for exactly the
 * methods and endpoints its Tasks call, RetrieveConnectionCredentials on its connection, the connection's own
 * secret; cdk-nag clean.
 */
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OsopStack } from '../../lib/cdk';
import { describeDeployment } from '../../lib/cdk/plan';
import { ROOT } from '../helpers/paths';
import { CDK_CONTEXT_NO_BUNDLING, actionsOf, logicalId, roleStatements, unacknowledgedFindings, type Json, type Statement } from './helpers';

let app: App;
let stack: OsopStack;
let template: Template;
beforeAll(() => {
  app = new App({ context: CDK_CONTEXT_NO_BUNDLING });
  stack = new OsopStack(app, 'NativeHttp', { workflowsDir: path.join(ROOT, 'test', 'fixtures', 'native-http') });
  template = Template.fromStack(stack);
});

const workflow = () => stack.workflows[0];
const resources = () => template.toJSON().Resources as Record<string, Json>;
const machine = () => resources()[logicalId(workflow().stateMachine)];
const statements = (): Statement[] => roleStatements(template, machine().Properties.RoleArn['Fn::GetAtt'][0]);

test('one connection, API key authorization with the Stripe key from Secrets Manager as a dynamic reference', () => {
  const connections = template.findResources('AWS::Events::Connection');
  expect(Object.keys(connections)).toHaveLength(1);
  const [id, c] = Object.entries(connections)[0] as [string, Json];
  expect(c.Properties.AuthorizationType).toBe('API_KEY');
  const key = c.Properties.AuthParameters.ApiKeyAuthParameters;
  expect(key.ApiKeyName).toBe('Authorization');
  expect(JSON.stringify(key.ApiKeyValue)).toMatch(/^"Bearer \{\{resolve:secretsmanager:osop\/STRIPE_SECRET_KEY:SecretString:::\}\}"$|Bearer .*resolve:secretsmanager:osop\/STRIPE_SECRET_KEY/);
  expect(machine().Properties.DefinitionSubstitutions.Connection_STRIPE_SECRET_KEY).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
  expect(JSON.stringify(machine().Properties.DefinitionString)).not.toMatch(/resolve:secretsmanager|secrets\.STRIPE_SECRET_KEY/);
});

test('no REST handler function: the api nodes are HTTP Tasks, only the agent runs on Lambda', () => {
  const handlers = stack.node.findChild('OsopHandlers');
  expect(handlers.node.tryFindChild('RestHandler')).toBeUndefined();
  expect(workflow().plan.handlers.map((h) => h.kind)).toEqual(['agent']);
});

test('IAM: InvokeHTTPEndpoint on the state machine itself, per method and endpoint; the connection and its secret only', () => {
  const connectionId = Object.keys(template.findResources('AWS::Events::Connection'))[0];
  const invoke = statements().filter((s) => actionsOf(s).includes('states:InvokeHTTPEndpoint'));
  const conditions = invoke.map((s) => s.Condition).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  expect(conditions).toEqual(
    [
      { StringEquals: { 'states:HTTPMethod': 'GET' }, StringLike: { 'states:HTTPEndpoint': 'https://api.stripe.com/v1/payment_intents/*' } },
      { StringEquals: { 'states:HTTPMethod': 'POST' }, StringLike: { 'states:HTTPEndpoint': 'https://api.stripe.com/v1/customers' } },
      { StringEquals: { 'states:HTTPMethod': 'POST' }, StringLike: { 'states:HTTPEndpoint': 'https://api.stripe.com/v1/payment_intents' } },
      { StringEquals: { 'states:HTTPMethod': 'POST' }, StringLike: { 'states:HTTPEndpoint': 'https://api.stripe.com/v1/payment_intents/*' } },
    ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  );
  for (const s of invoke) expect(JSON.stringify(s.Resource)).toContain(`:stateMachine:${workflow().plan.stateMachineName}`);
  const retrieve = statements().filter((s) => actionsOf(s).includes('events:RetrieveConnectionCredentials'));
  expect(retrieve.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [connectionId, 'Arn'] }]);
  const secret = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
  expect(secret.map((s) => [actionsOf(s).sort(), s.Resource])).toEqual([[['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], { 'Fn::GetAtt': [connectionId, 'SecretArn'] }]]);
});

test('the plan says what is deployed: the connection and the conditioned statements', () => {
  const lines = describeDeployment(workflow().report).join('\n');
  expect(lines).toContain('EventBridge connection for create_customer, create_intent, confirm_payment, check_status (native HTTP Tasks) as ${Connection_STRIPE_SECRET_KEY}');
  expect(lines).toContain('states:InvokeHTTPEndpoint on arn:${Partition}:states:${Region}:${Account}:stateMachine:OsopWorkflows-sop-stripe-payment-native when states:HTTPMethod StringEquals POST, states:HTTPEndpoint StringLike https://api.stripe.com/v1/customers');
});

test("two workflows with the same credential share the stack's connection", () => {
  const app2 = new App({ context: CDK_CONTEXT_NO_BUNDLING });
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-native-'));
  const seed = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'native-http', 'stripe-payment-native.osop.yaml'), 'utf8');
  fs.writeFileSync(path.join(dir, 'a.osop.yaml'), seed);
  fs.writeFileSync(path.join(dir, 'b.osop.yaml'), seed.replace('id: "sop-stripe-payment-native"', 'id: "sop-stripe-payment-native-2"'));
  const two = new OsopStack(app2, 'TwoNative', { workflowsDir: dir });
  expect(Object.keys(Template.fromStack(two).findResources('AWS::Events::Connection'))).toHaveLength(1);
  expect(two.workflows).toHaveLength(2);
});

test('cdk-nag (AwsSolutions) has no finding that is not acknowledged with its reason', () => {
  expect(unacknowledgedFindings(app, stack)).toEqual([]);
});
