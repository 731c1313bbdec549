/** Reading synthesized templates in the CDK tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { OsopDeployError } from '../../lib/cdk/errors';
import { ROOT } from '../helpers/paths';

export const CDK_FIXTURES = path.join(ROOT, 'test', 'cdk', 'fixtures');

/** The context `cdk synth` runs the app with, so in-process synths match the CLI's. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context ?? {};

/** The same without bundling the handlers (CDK's documented test switch): app.test.ts checks the real bundles. */
export const CDK_CONTEXT_NO_BUNDLING: Record<string, unknown> = { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] };

export type Json = Record<string, any>;

export function logicalId(c: IConstruct): string {
  const el = (CfnElement.isCfnElement(c) ? c : c.node.defaultChild) as CfnElement;
  return Stack.of(c).resolve(el.logicalId) as string;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}

/** Every statement of the inline policies attached to the role with this logical id. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
  return policies
    .filter((p) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export function allStatements(template: Template): Statement[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Json[]).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

const PSEUDO: Record<string, string> = { 'AWS::Partition': '${Partition}', 'AWS::Region': '${Region}', 'AWS::AccountId': '${Account}' };

/** `{Fn::Join: ['', ['arn:', {Ref: 'AWS::Partition'}, ...]]}` → `arn:${Partition}:...`, the notation of the deployment plan. */
export function renderArn(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const join = (resource as Json)['Fn::Join'];
  if (!join) throw new Error(`not an ARN join: ${JSON.stringify(resource)}`);
  return (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : PSEUDO[(part as Json).Ref] ?? JSON.stringify(part))).join('');
}

/** Every file under `dir`, for scanning a cloud assembly (templates and bundled assets). */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The OsopDeployError `f` throws (any other error fails the test as it is). */
export function deployError(f: () => unknown): OsopDeployError {
  try {
    f();
  } catch (e) {
    if (e instanceof OsopDeployError) return e;
    throw e;
  }
  throw new Error('expected an OsopDeployError');
}
