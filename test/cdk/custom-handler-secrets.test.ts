/**
 * A custom handler (`x-sfn: { handler }`) whose runtime names a secret: the
 * deployed function may read exactly that secret, reads it from Secrets
 * Manager, and is the user's module inside the wrapper that resolves it
 * (lambdas/custom); the secret's value is nowhere in the template.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OsopWorkflow } from '../../lib/cdk';
import { describeDeployment, planDeployment } from '../../lib/cdk/plan';
import { compile } from '../../lib';
import { FIXTURES } from '../helpers/paths';
import { CDK_CONTEXT, CDK_CONTEXT_NO_BUNDLING, STAR_ACTIONS, actionsOf, filesUnder, logicalId, roleStatements, unacknowledgedFindings, type Json } from './helpers';

const TEMPLATED = path.join(FIXTURES, 'local', 'templated-handler.osop.yaml');
const SECRET_VALUE = 'tok-never-in-the-template-5f2c';

const functionStatements = (t: Template, fnId: string) => {
  const role = t.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
  return roleStatements(t, role).filter((s) => !actionsOf(s).every((a) => STAR_ACTIONS.has(a) || a === 'logs:CreateLogStream' || a === 'logs:PutLogEvents'));
};

describe('a custom handler whose runtime names a secret', () => {
  let saved: string | undefined;
  beforeAll(() => {
    // As if the deployer had the secret in the environment: it must not reach the template.
    saved = process.env.PUBLISH_TOKEN;
    process.env.PUBLISH_TOKEN = SECRET_VALUE;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.PUBLISH_TOKEN;
    else process.env.PUBLISH_TOKEN = saved;
  });

  test('the compile report lists the secret on its task; the plan gives it to the function', () => {
    const report = compile(TEMPLATED).report!;
    expect(report.tasks.find((t) => t.node === 'publish')!.secrets).toEqual(['PUBLISH_TOKEN']);
    expect(report.tasks.find((t) => t.node === 'checkout')!.secrets).toEqual([]);
    const plan = planDeployment(report, { stackName: 'S' });
    expect(plan.customHandlers.map((c) => [c.path, c.secrets])).toEqual([
      ['handlers/git-checkout.ts', []],
      ['handlers/publish.ts', ['PUBLISH_TOKEN']],
    ]);
    const lines = describeDeployment(report, { stackName: 'S' });
    const at = lines.findIndex((l) => l.startsWith('  custom handler function handlers/publish.ts'));
    expect(lines[at + 1]).toBe('    IAM: it may secretsmanager:GetSecretValue arn:${Partition}:secretsmanager:${Region}:${Account}:secret:osop/PUBLISH_TOKEN-??????');
    expect(lines.filter((l) => l.includes('secretsmanager'))).toHaveLength(1);
  });

  test('its function may read exactly that secret, from Secrets Manager; the other handler reads none; no secret value in the template', () => {
    const app = new App({ context: CDK_CONTEXT_NO_BUNDLING });
    const stack = new Stack(app, 'Templated');
    const wf = new OsopWorkflow(stack, 'Templated', { file: TEMPLATED });
    const template = Template.fromStack(stack);
    // The grant names the secret exactly (Secrets Manager's 6-character suffix as ??????): cdk-nag has nothing to say.
    expect(unacknowledgedFindings(app, stack)).toEqual([]);
    const publish = logicalId(wf.customFunctions.get('publish')!);
    const checkout = logicalId(wf.customFunctions.get('checkout')!);
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:osop/PUBLISH_TOKEN-??????']] };
    expect(functionStatements(template, publish)).toEqual([{ Sid: 'ReadWorkflowSecrets', Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: arn }]);
    expect(functionStatements(template, checkout)).toEqual([]);
    const resources = template.toJSON().Resources as Record<string, Json>;
    expect(resources[publish].Properties.Environment.Variables).toEqual({ OSOP_SECRETS_SOURCE: 'aws', OSOP_SECRET_PREFIX: 'osop/', NODE_OPTIONS: '--enable-source-maps' });
    expect(resources[checkout].Properties.Environment.Variables).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain(SECRET_VALUE);
    // The definition carries the placeholder and where it may be resolved, nothing else.
    const definition = JSON.stringify(wf.definition);
    expect(definition).toContain('"header":"Bearer ${secrets.PUBLISH_TOKEN}"');
    expect(definition).toContain('"secretFields":{"/runtime/auth/header":["PUBLISH_TOKEN"]}');
    expect(definition).not.toContain(SECRET_VALUE);
  });

  test("the bundle is the user's module inside the wrapper that resolves the secrets", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-custom-bundle-'));
    try {
      const app = new App({ context: CDK_CONTEXT, outdir });
      const stack = new Stack(app, 'Wrapped');
      const wf = new OsopWorkflow(stack, 'Templated', { file: TEMPLATED });
      const assembly = app.synth();
      const code = Template.fromJSON(assembly.getStackByName('Wrapped').template).toJSON().Resources[logicalId(wf.customFunctions.get('publish')!)].Properties.Code;
      const assetDir = path.join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      expect(filesUnder(assetDir).map((f) => path.basename(f)).sort()).toEqual(['index.js', 'index.js.map']);
      const bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      // The wrapper's rule (lambdas/custom) and the user's module (handlers/publish.ts), in one bundle; the AWS SDK left to the runtime.
      expect(bundle).toContain('into /runtime');
      expect(bundle).toContain('the secret was not resolved');
      expect(bundle).toContain('@aws-sdk/client-secrets-manager');
      expect(bundle).not.toContain(SECRET_VALUE);
      // Loaded as Lambda loads it, it resolves the secret before the user's code runs (here from the environment).
      const loaded = require(path.join(assetDir, 'index.js')) as { handler: (e: unknown) => Promise<Record<string, unknown>> };
      const env = { ...process.env };
      process.env.OSOP_SECRETS_SOURCE = 'env';
      process.env.EXPECTED_PUBLISH_TOKEN = SECRET_VALUE;
      return loaded
        .handler({
          kind: 'custom', nodeId: 'publish', executionId: 'x', attempt: 0, nodeType: 'cli', input: {}, context: {},
          secretFields: { '/runtime/auth/header': ['PUBLISH_TOKEN'] },
          runtime: { target: 't', sha: 's', channels: [], auth: { header: 'Bearer ${secrets.PUBLISH_TOKEN}' }, literal: 'l', retries: 0 },
        })
        .then((out) => {
          expect(out).toMatchObject({ authorised: true, echoed: 'Bearer [REDACTED]', listed: false });
        })
        .finally(() => {
          process.env = env;
        });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
