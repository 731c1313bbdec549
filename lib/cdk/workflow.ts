/**
 * `OsopWorkflow`: one OSOP workflow file → one Step Functions state machine,
 * compiled at synth time. The definition is exactly what `osop-sfn compile`
 * prints; the ARNs of the functions it invokes and of the sub-workflows it
 * starts go in as definition substitutions, and its role is granted exactly
 * the statements of its deployment plan (`planDeployment`).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Arn, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { customHandlerEntry } from '../../lambdas/custom';
import { compile } from '../index';
import { formatDiagnostic } from '../diagnostics/format';
import type { AslDefinition, CompileReport } from '../types';
import { didYouMean } from '../util/suggest';
import { OsopDeployError } from './errors';
import { osopFunction } from './function';
import { OsopHandlers } from './handlers';
import { stackNameOf, stackUuid } from './names';
import { CUSTOM_HANDLER_DEFAULTS, NAME_RULES, SECRET_PREFIX_KEY, STACK_UUID_KEY, planDeployment, type CustomHandlerPlan, type DeploymentPlan, type Grant } from './plan';
import { checkProps, instanceOf, matches, oneOf, optional } from './props';
import type { RulePlan } from './triggers';

/** A sub-workflow's state machine: the OsopWorkflow that deploys it, or any state machine. */
export type SubWorkflow = OsopWorkflow | sfn.IStateMachine;

export interface OsopWorkflowProps {
  /** The workflow file. Read from disk unless `source` is given; always the name in messages, and the folder custom handler paths are relative to. */
  readonly file: string;
  /** The workflow's source text, when it does not come from `file` on disk. */
  readonly source?: string;
  /** @default STANDARD. EXPRESS is refused for workflows that wait for callbacks or sub-workflows, or may run over 5 minutes. */
  readonly type?: sfn.StateMachineType;
  /** What the state machine logs. @default ERROR */
  readonly logLevel?: sfn.LogLevel;
  /** Log inputs and outputs too. Off by default: payment workflows carry personal data. @default false */
  readonly includeExecutionData?: boolean;
  /** Retention of the state machine's and its custom handlers' log groups. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** X-Ray tracing. @default true */
  readonly tracing?: boolean;
  /** Secrets Manager prefix of the workflow's secrets; must match `handlers`. @default 'osop/' */
  readonly secretPrefix?: string;
  /** The handler functions. @default the stack's shared `OsopHandlers` */
  readonly handlers?: OsopHandlers;
  /** Also start the workflow on events matching this pattern (besides its own triggers). */
  readonly extraEventPattern?: events.EventPattern;
  /**
   * Used as given: another stack in the account and region must not use it. 1-80 letters, digits, '-' or '_'.
   * @default `<stack name>-<workflow id>`, characters Step Functions refuses replaced by '-'
   */
  readonly stateMachineName?: string;
  /**
   * The state machine's log group, used as given: the log group outlives the stack, so a stack created again with it fails.
   * @default `/aws/vendedlogs/states/<state machine name>-<UUID of the stack's id>`
   */
  readonly logGroupName?: string;
  /** The state machines of the workflows its `workflow_ref` nodes start, by workflow id. Each one it starts must be given. */
  readonly subWorkflows?: Record<string, SubWorkflow>;
  /** Loose forms read one documented way, and manual steps, stop synth instead of warning. @default false */
  readonly strict?: boolean;
  /** The Aurora cluster (Data API enabled) that `db` nodes run on when they name none themselves. */
  readonly database?: { readonly clusterArn: string; readonly secretArn: string; readonly name: string };
}

const PROP_CHECKS = {
  file: optional('string'),
  source: optional('string'),
  type: oneOf(Object.values(sfn.StateMachineType)),
  logLevel: oneOf(Object.values(sfn.LogLevel)),
  includeExecutionData: optional('boolean'),
  logRetention: optional('number'),
  tracing: optional('boolean'),
  secretPrefix: optional('string'),
  handlers: instanceOf(OsopHandlers),
  extraEventPattern: optional('object'),
  stateMachineName: matches(NAME_RULES.stateMachineName.pattern, `a string of ${NAME_RULES.stateMachineName.text}`),
  logGroupName: matches(NAME_RULES.logGroupName.pattern, `a string of ${NAME_RULES.logGroupName.text}`),
  subWorkflows: optional('object'),
  database: optional('object'),
  strict: optional('boolean'),
};

/** The file types NodejsFunction bundles. */
const MODULE_FILE = /\.(jsx?|tsx?|cjs|cts|mjs|mts)$/;

export class OsopWorkflow extends Construct {
  /** The workflow file, as given. */
  readonly file: string;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly rules: events.Rule[] = [];
  /** The function of each custom handler node (`x-sfn: { handler }`), by node id: grant it what the handler itself calls. */
  readonly customFunctions = new Map<string, lambda.IFunction>();
  /** Lets its holders answer this workflow's approvals (`osop-sfn approve|reject`); absent when nothing waits for an approval. */
  readonly approversPolicy?: iam.ManagedPolicy;
  /** The compiler's output this state machine was built from. */
  readonly definition: AslDefinition;
  readonly report: CompileReport;
  readonly plan: DeploymentPlan;
  /** The state machine's page in the Step Functions console. */
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: OsopWorkflowProps) {
    super(scope, id);
    checkProps(`OsopWorkflow '${this.node.path}'`, props, PROP_CHECKS, ['file']);
    const file = (this.file = props.file);
    ({ definition: this.definition, report: this.report } = compileWorkflow(this, file, props.source, props.strict ?? false));

    const handlers = props.handlers ?? OsopHandlers.of(this, { secretPrefix: props.secretPrefix });
    if (props.handlers && props.secretPrefix !== undefined && props.secretPrefix !== handlers.secretPrefix) {
      throw new OsopDeployError(`${file} - error: secretPrefix '${props.secretPrefix}' differs from the given handlers' '${handlers.secretPrefix}'; set it on the OsopHandlers.`);
    }
    const children = childrenOf(this.report, props.subWorkflows ?? {});
    this.plan = planDeployment(this.report, {
      ...(props.type !== undefined && { type: props.type === sfn.StateMachineType.EXPRESS ? 'EXPRESS' : 'STANDARD' }),
      secretPrefix: handlers.secretPrefix,
      stackName: stackNameOf(this),
      stateMachineName: props.stateMachineName,
      logGroupName: props.logGroupName,
      subWorkflowNames: children.names,
    });
    const modules = this.plan.customHandlers.map((c) => customModule(file, c));
    const problems = [...this.plan.problems, ...children.problems, ...modules.flatMap((m) => (typeof m === 'string' ? [m] : []))];
    if (problems.length) throw new OsopDeployError(problems.map((p) => `${file} - error: ${p}`).join('\n'));

    // The shared functions grow to fit this workflow: its secrets, its longest Task timeout.
    const substitutions: Record<string, string> = { ...children.arns };
    // Command builds name their secrets with the prefix (a Secrets Manager environment variable is `<prefix>NAME`).
    if (this.report.tasks.some((t) => t.substitutions.includes(SECRET_PREFIX_KEY))) substitutions[SECRET_PREFIX_KEY] = handlers.secretPrefix;
    for (const h of this.plan.handlers) {
      const fn = handlers.function(h.spec);
      handlers.requireTimeout(h.kind, h.timeoutSeconds);
      handlers.grantSecretRead(h.kind, h.secrets);
      substitutions[h.substitution] = fn.functionArn;
    }
    if (this.plan.project) {
      substitutions[this.plan.project.substitution] = handlers.project().projectName;
      handlers.grantProjectSecrets(this.plan.project.secrets);
    }
    for (const key of this.plan.parameters) substitutions[key] = databaseSetting(props, key, file);
    // Native HTTP Tasks: the stack's EventBridge connection for each credential shape they use.
    const connectionSecrets: Record<string, string> = {};
    for (const c of this.plan.connections) {
      const connection = handlers.connection(c);
      substitutions[c.substitution] = connection.connectionArn;
      connectionSecrets[`${c.substitution}Secret`] = connection.connectionSecretArn;
    }
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.plan.customHandlers.forEach((c, i) => {
      const module = modules[i] as { entry: string; projectRoot: string };
      const fn = osopFunction(this, c.substitutions[0], {
        // The user's module inside the wrapper that resolves the secrets of the nodes' runtime (lambdas/custom).
        entry: wrappedCustomEntry(module),
        projectRoot: module.projectRoot,
        description: `OSOP custom handler ${c.path} of ${this.plan.workflowId}: runs node${c.nodes.length > 1 ? 's' : ''} ${c.nodes.join(', ')}`,
        memorySize: CUSTOM_HANDLER_DEFAULTS.memoryMiB,
        timeout: Duration.seconds(c.timeoutSeconds),
        logRetention,
        environment: c.secrets.length ? { OSOP_SECRETS_SOURCE: 'aws', OSOP_SECRET_PREFIX: handlers.secretPrefix } : {},
      });
      // Exactly the secrets its nodes' runtime names, whatever suffix Secrets Manager gave their ARNs.
      if (c.secrets.length) {
        const resources = c.secrets.map((name) => Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${handlers.secretPrefix}${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
        fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadWorkflowSecrets', actions: ['secretsmanager:GetSecretValue'], resources }));
      }
      for (const k of c.substitutions) substitutions[k] = fn.functionArn;
      for (const node of c.nodes) this.customFunctions.set(node, fn);
    });

    const express = this.plan.type === 'EXPRESS';
    // An Express execution keeps no history: its logs are the only trace of what it did, so they are kept at level ALL.
    const logLevel = props.logLevel ?? (express ? sfn.LogLevel.ALL : sfn.LogLevel.ERROR);
    this.logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: this.fill(this.plan.logGroupName, {}), retention: logRetention });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.plan.stateMachineName,
      stateMachineType: express ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(this.definition)),
      definitionSubstitutions: substitutions,
      logs: { destination: this.logGroup, level: logLevel, includeExecutionData: props.includeExecutionData ?? false },
      tracingEnabled: props.tracing ?? true,
    });
    // Exactly the plan: the functions and sub-workflows it names, and what the service integrations declare, as written.
    for (const g of this.plan.grants) this.stateMachine.addToRolePolicy(this.statement(g, { ...substitutions, ...connectionSecrets }));
    const declared = this.plan.serviceIntegrations.flatMap((s) => s.permissions.map((p) => new iam.PolicyStatement(p)));
    if (declared.length) {
      // A policy of its own, outside the role: the role's acknowledgements do not cover it, so cdk-nag reports any wildcard a workflow declares.
      const policy = new iam.Policy(this, 'DeclaredPermissions', { statements: declared, roles: [this.stateMachine.role] });
      // The state machine resource itself (not its role, which the policy names) waits for the policy.
      this.stateMachine.node.defaultChild!.node.addDependency(policy);
    }
    if (this.plan.approverGrant) {
      this.approversPolicy = new iam.ManagedPolicy(this, 'Approvers', {
        description: `Answer the approvals of the state machine ${this.plan.stateMachineName} (osop-sfn approve|reject)`,
        statements: [this.statement(this.plan.approverGrant, substitutions)],
      });
    }

    for (const rule of this.plan.rules) this.addRule(`Trigger${rule.trigger}`, eventBridgeRule(rule), `Trigger ${rule.trigger} of ${file}`);
    if (props.extraEventPattern) this.addRule('ExtraEvents', { eventPattern: props.extraEventPattern }, `Extra event pattern for ${file}`);

    const region = Stack.of(this).region;
    this.consoleUrl = `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${this.stateMachine.stateMachineArn}`;
    this.acknowledgeFindings(substitutions, logLevel);
  }

  /** A plan statement with its `${Partition}`, `${Region}`, `${Account}` and `${Key}` placeholders filled in. */
  /**
   * Lets `grantee` run an Express workflow synchronously (StartSyncExecution: the call returns the execution's
   * output), as an API or a caller that waits for the answer does. Express state machines only.
   */
  grantStartSyncExecution(grantee: iam.IGrantable): iam.Grant {
    if (this.plan.type !== 'EXPRESS') throw new OsopDeployError(`${this.plan.workflowId}: StartSyncExecution is for Express state machines; this one is STANDARD (x-sfn: { type: express } in the workflow, or the type prop).`);
    return this.stateMachine.grantStartSyncExecution(grantee);
  }

  private statement(g: Grant, substitutions: Record<string, string>): iam.PolicyStatement {
    return new iam.PolicyStatement({ actions: g.actions, resources: g.resources.map((r) => this.fill(r, substitutions)), ...(g.conditions ? { conditions: g.conditions } : {}) });
  }

  /** A plan text (a resource, a name) with its placeholders filled in. */
  private fill(text: string, substitutions: Record<string, string>): string {
    const stack = Stack.of(this);
    const values: Record<string, string> = { Partition: stack.partition, Region: stack.region, Account: stack.account, [STACK_UUID_KEY]: stackUuid(), ...substitutions };
    return text.replace(/\$\{(\w+)\}/g, (_, key: string) => {
      if (values[key] === undefined) throw new Error(`osop-sfn internal error: the plan's ${text} names \${${key}}, which the construct does not provide.`);
      return values[key];
    });
  }

  private addRule(id: string, trigger: Pick<events.RuleProps, 'schedule' | 'eventPattern'>, description: string): void {
    // The event's detail becomes the execution input (a schedule's detail is {}); SfnStateMachine gives the rule
    // a role that may only states:StartExecution this state machine.
    const target = new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromEventPath('$.detail') });
    this.rules.push(new events.Rule(this, id, { ...trigger, description: `Starts ${this.plan.stateMachineName}: ${description}`.slice(0, 512), targets: [target] }));
  }

  /** cdk-nag findings that are the intended design, each with the reason a reviewer needs. */
  private acknowledgeFindings(substitutions: Record<string, string>, logLevel: sfn.LogLevel): void {
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the statements CDK adds for logging and tracing: CloudWatch Logs log delivery (logs:CreateLogDelivery, ...Describe*) and X-Ray (xray:PutTraceSegments, ...GetSampling*) have no resource-level permissions, so AWS requires Resource "*" (test/cdk checks no other action has it).',
    });
    // The plan's own wildcards, each with its reason.
    for (const g of this.plan.grants) {
      if (!g.wildcard) continue;
      for (const resource of this.statement(g, substitutions).resources.filter((r) => r.endsWith('*'))) {
        Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagFinding(Stack.of(this).resolve(resource))}]`, reason: g.wildcard });
      }
    }
    const definitionText = Object.keys(substitutions).reduce((text, key) => text.split(`\${${key}}`).join(''), JSON.stringify(this.definition));
    if (definitionText.includes('${')) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'CloudFormation-Validate::E1029',
        reason:
          'The ${...} strings left in the definition are OSOP text, not CloudFormation parameters: the task payload contract\'s ${secrets.NAME} placeholders, filled in by the handler at run time, and references written in the workflow\'s prompts and comments. The Step Functions resource replaces only the ${Key} of each DefinitionSubstitutions key and leaves other text as it is.',
      });
    }
    if (logLevel !== sfn.LogLevel.ALL) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF1',
        reason: `Logs at level ${logLevel} on purpose: ALL would log every state transition of every execution, which costs more without helping diagnose failures; execution history keeps the full trace. Set logLevel ALL to change it.`,
      });
    }
  }
}

/** A database setting of `db` nodes that name none themselves: from the `database` prop. */
function databaseSetting(props: OsopWorkflowProps, key: string, file: string): string {
  const value = key === 'DatabaseClusterArn' ? props.database?.clusterArn : key === 'DatabaseSecretArn' ? props.database?.secretArn : props.database?.name;
  if (!value) throw new OsopDeployError(`${file} - error: its db nodes name no ${key === 'DatabaseClusterArn' ? 'cluster' : key === 'DatabaseSecretArn' ? 'credentials secret' : 'database'}; give the construct database: { clusterArn, secretArn, name } (an Aurora cluster with the Data API), or set them on the node (x-sfn: { cluster_arn, secret_arn, database }).`);
  return value;
}

/** A resolved IAM resource as cdk-nag's IAM5 finding names it (its flattenCfnReference): `<Logical.Arn>:*`, `arn:<AWS::Partition>:...`. */
function nagFinding(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = node as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(nagFinding).join(delimiter);
  }
  if (o['Fn::GetAtt']) {
    const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagFinding(resource)}.${nagFinding(attribute)}>`;
  }
  if (o.Ref !== undefined) return `<${nagFinding(o.Ref)}>`;
  return JSON.stringify(node);
}

/** The state machines of the sub-workflows, as substitutions and names, and what is wrong with the `subWorkflows` prop. */
function childrenOf(report: CompileReport, given: Record<string, SubWorkflow>): { arns: Record<string, string>; names: Record<string, string>; problems: string[] } {
  const arns: Record<string, string> = {};
  const names: Record<string, string> = {};
  const problems: string[] = [];
  const started = new Set(report.subWorkflows.map((s) => s.workflowId));
  for (const [id, child] of Object.entries(given)) {
    if (!started.has(id)) problems.push(`subWorkflows names '${id}', which no workflow_ref node of the workflow starts. ${didYouMean(id, started) ?? `It starts: ${[...started].join(', ') || 'none'}.`}`);
    else if (child instanceof OsopWorkflow ? child.report.workflowId !== id : typeof (child as sfn.IStateMachine | undefined)?.stateMachineArn !== 'string') {
      problems.push(`subWorkflows['${id}'] must be the OsopWorkflow of workflow '${id}' or a state machine (sfn.IStateMachine)${child instanceof OsopWorkflow ? `, not the OsopWorkflow of '${child.report.workflowId}'` : ''}.`);
    }
  }
  for (const s of report.subWorkflows) {
    const child = given[s.workflowId];
    if (!child) {
      problems.push(
        `node '${s.node}' starts workflow '${s.workflowId}'${s.file ? ` (${s.file})` : ''}, which is not deployed with it: ` +
          `put its file in the stack's workflows folder, or give its state machine to the construct (subWorkflows: { '${s.workflowId}': ... }).`,
      );
      continue;
    }
    const stateMachine = child instanceof OsopWorkflow ? child.stateMachine : child;
    arns[s.substitution] = stateMachine.stateMachineArn;
    names[s.workflowId] = child instanceof OsopWorkflow ? child.plan.stateMachineName : Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName!;
  }
  return { arns, names, problems };
}

/**
 * The module the deployment bundles for a custom handler: the user's module imported by the wrapper
 * (`lambdas/custom`), written under the project root's `node_modules/.cache/osop-sfn` (the bundler takes
 * only entries inside the project root), at a path derived from the module's, so a synth is reproducible.
 */
function wrappedCustomEntry(module: { entry: string; projectRoot: string }): string {
  const source = customHandlerEntry(module.entry);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(module.projectRoot, 'node_modules', '.cache', 'osop-sfn', 'custom-handlers', digest, 'index.ts');
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== source) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
  }
  return file;
}

/** Where a custom handler module is and what it is bundled against, or why it cannot be built. */
function customModule(file: string, c: CustomHandlerPlan): { entry: string; projectRoot: string } | string {
  const entry = path.resolve(path.dirname(file), c.path);
  const bound = `node${c.nodes.length > 1 ? 's' : ''} ${c.nodes.map((n) => `'${n}'`).join(', ')} bind${c.nodes.length > 1 ? '' : 's'} x-sfn.handler '${c.path}'`;
  if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) return `${bound}, but ${entry} does not exist (the path is relative to the workflow file's folder).`;
  if (!MODULE_FILE.test(entry)) return `${bound}, which is not a JavaScript or TypeScript module (.js, .ts, .mjs, .cjs, ...), the only kind the deployment bundles.`;
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package-lock.json'))) return { entry, projectRoot: dir };
    if (path.dirname(dir) === dir) return `${bound}, but there is no package-lock.json in its folder or above it: the handler is bundled with the dependencies that lock file pins (npm install writes it).`;
  }
}

function eventBridgeRule(rule: RulePlan): Pick<events.RuleProps, 'schedule' | 'eventPattern'> {
  if (rule.kind === 'schedule') return { schedule: events.Schedule.expression(rule.expression) };
  const { source, 'detail-type': detailType, detail } = rule.pattern;
  return { eventPattern: { source, ...(detailType && { detailType }), ...(detail && { detail }) } };
}

/** The compiler's output, or an error that prints its diagnostics as the compiler does; warnings become CDK warnings. */
function compileWorkflow(scope: Construct, file: string, source: string | undefined, strict: boolean): { definition: AslDefinition; report: CompileReport } {
  const result = compile(file, { ...(source === undefined ? {} : { source }), strict });
  if (!result.ok || !result.definition || !result.report) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const text = result.diagnostics.map((d) => formatDiagnostic(d, { color: false })).join('\n\n');
    throw new OsopDeployError(`${text}\n\n${file}: ${errors} error${errors === 1 ? '' : 's'}; the workflow cannot be deployed.`);
  }
  for (const d of result.diagnostics) {
    const text = formatDiagnostic(d, { color: false });
    if (d.severity === 'warning') Annotations.of(scope).addWarningV2(`osop:${d.code}`, text);
    else Annotations.of(scope).addInfo(text);
  }
  return { definition: result.definition, report: result.report };
}
