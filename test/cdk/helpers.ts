/** Reading synthesized templates in the CDK tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnElement, Stack, Validations, type App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { OsopDeployError } from '../../lib/cdk/errors';
import type { HandlerKind } from '../../lib/types';
import { ensureBuilt } from '../cli/helpers';
import { ROOT } from '../helpers/paths';

// The shared handlers are deployed from their bundles in dist/handlers (scripts/build.js).
ensureBuilt();

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

/** The logical id of the stack's shared handler function of this kind. */
export function handlerLogicalId(stack: Stack, kind: HandlerKind): string {
  return logicalId(stack.node.findChild('OsopHandlers').node.findChild(`${kind[0].toUpperCase()}${kind.slice(1)}Handler`));
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
  Condition?: Json;
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

/**
 * `{Fn::Join: ['', ['arn:', {Ref: 'AWS::Partition'}, ...]]}` → `arn:${Partition}:...`, the notation of the
 * deployment plan; a value of `substitutions` (a state machine's DefinitionSubstitutions) → `${Key}`; any other
 * reference as its JSON.
 */
export function renderArn(resource: unknown, substitutions: Json = {}): string {
  const key = Object.keys(substitutions).find((k) => JSON.stringify(substitutions[k]) === JSON.stringify(resource));
  if (key) return `\${${key}}`;
  if (typeof resource === 'string') return resource;
  const pseudo = PSEUDO[(resource as Json).Ref];
  if (pseudo) return pseudo;
  const join = (resource as Json)['Fn::Join'];
  return join ? (join[1] as unknown[]).map((part) => renderArn(part, substitutions)).join('') : JSON.stringify(resource);
}

/** A statement as describeDeployment prints it: `a:X, a:Y on arn:..., ${Key}`. */
export const statementText = (s: Statement, substitutions: Json = {}) => `${actionsOf(s).join(', ')} on ${resourcesOf(s).map((r) => renderArn(r, substitutions)).join(', ')}`;

/** Actions that have no resource-level permissions, which CDK grants on "*" for log delivery and X-Ray. */
export const STAR_ACTIONS = new Set([
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
]);

/** cdk-nag AwsSolutions findings in `stack` that nothing acknowledges, as `rule at construct path`. */
export function unacknowledgedFindings(app: App, stack: Stack): string[] {
  return new AwsSolutionsChecks(app).validateScope(stack).violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

/** Every acknowledgement in `stack`: its rule, its construct, its reason, and whether it answers a cdk-nag finding on that construct. */
export function acknowledgements(app: App, stack: Stack): { rule: string; path: string; reason: string; matched: boolean }[] {
  const unchecked = new AwsSolutionsChecks(app);
  (unchecked as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  const findings = unchecked.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
  return stack.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => {
        const rule = id.replace(/^annotation::/i, '');
        return { rule, path: c.node.path, reason, matched: findings.some((f) => f.rule === rule && (f.path === c.node.path || f.path.startsWith(`${c.node.path}/`))) };
      }),
  );
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
