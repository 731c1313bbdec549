/**
 * `OsopWorkflow`: one OSOP workflow file → one Step Functions state machine,
 * compiled at synth time. The definition is exactly what `osop-sfn compile`
 * prints; the handler ARNs go in as definition substitutions.
 */
import { Annotations, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compile } from '../index';
import { formatDiagnostic } from '../diagnostics/format';
import type { AslDefinition, CompileReport } from '../types';
import { OsopDeployError } from './errors';
import { OsopHandlers } from './handlers';
import { planDeployment, type DeploymentPlan } from './plan';
import { checkProps, instanceOf, oneOf, optional } from './props';
import type { RulePlan } from './triggers';

export interface OsopWorkflowProps {
  /** The workflow file. Read from disk unless `source` is given; always the name in messages. */
  readonly file: string;
  /** The workflow's source text, when it does not come from `file` on disk. */
  readonly source?: string;
  /** @default STANDARD. EXPRESS is refused for workflows that wait for callbacks or may run over 5 minutes. */
  readonly type?: sfn.StateMachineType;
  /** What the state machine logs. @default ERROR */
  readonly logLevel?: sfn.LogLevel;
  /** Log inputs and outputs too. Off by default: payment workflows carry personal data. @default false */
  readonly includeExecutionData?: boolean;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** X-Ray tracing. @default true */
  readonly tracing?: boolean;
  /** Secrets Manager prefix of the workflow's secrets; must match `handlers`. @default 'osop/' */
  readonly secretPrefix?: string;
  /** The handler functions. @default the stack's shared `OsopHandlers` */
  readonly handlers?: OsopHandlers;
  /** Also start the workflow on events matching this pattern (besides its own triggers). */
  readonly extraEventPattern?: events.EventPattern;
  /** @default the workflow id, with characters Step Functions refuses replaced by '-' */
  readonly stateMachineName?: string;
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
  stateMachineName: optional('string'),
};

export class OsopWorkflow extends Construct {
  /** The workflow file, as given. */
  readonly file: string;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly rules: events.Rule[] = [];
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
    ({ definition: this.definition, report: this.report } = compileWorkflow(this, file, props.source));

    const handlers = props.handlers ?? OsopHandlers.of(this, { secretPrefix: props.secretPrefix });
    if (props.handlers && props.secretPrefix !== undefined && props.secretPrefix !== handlers.secretPrefix) {
      throw new OsopDeployError(`${file} - error: secretPrefix '${props.secretPrefix}' differs from the given handlers' '${handlers.secretPrefix}'; set it on the OsopHandlers.`);
    }
    this.plan = planDeployment(this.report, {
      definition: this.definition,
      type: props.type === sfn.StateMachineType.EXPRESS ? 'EXPRESS' : 'STANDARD',
      secretPrefix: handlers.secretPrefix,
      stateMachineName: props.stateMachineName,
    });
    if (this.plan.problems.length) throw new OsopDeployError(this.plan.problems.map((p) => `${file} - error: ${p}`).join('\n'));

    // The shared functions grow to fit this workflow: its secrets, its longest Task timeout.
    const functions: lambda.IFunction[] = [];
    const substitutions: Record<string, string> = {};
    for (const h of this.plan.handlers) {
      const fn = handlers.function(h.kind);
      handlers.requireTimeout(h.kind, h.timeoutSeconds);
      handlers.grantSecretRead(h.kind, h.secrets);
      substitutions[h.substitution] = fn.functionArn;
      functions.push(fn);
    }

    const logLevel = props.logLevel ?? sfn.LogLevel.ERROR;
    this.logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: this.plan.logGroupName, retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.plan.stateMachineName,
      stateMachineType: props.type ?? sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(this.definition)),
      definitionSubstitutions: substitutions,
      logs: { destination: this.logGroup, level: logLevel, includeExecutionData: props.includeExecutionData ?? false },
      tracingEnabled: props.tracing ?? true,
    });
    for (const fn of functions) fn.grantInvoke(this.stateMachine);

    for (const rule of this.plan.rules) this.addRule(`Trigger${rule.trigger}`, eventBridgeRule(rule), `Trigger ${rule.trigger} of ${file}`);
    if (props.extraEventPattern) this.addRule('ExtraEvents', { eventPattern: props.extraEventPattern }, `Extra event pattern for ${file}`);

    const region = Stack.of(this).region;
    this.consoleUrl = `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${this.stateMachine.stateMachineArn}`;
    this.acknowledgeFindings(functions, logLevel);
  }

  private addRule(id: string, trigger: Pick<events.RuleProps, 'schedule' | 'eventPattern'>, description: string): void {
    // The event's detail becomes the execution input (a schedule's detail is {}); SfnStateMachine gives the rule
    // a role that may only states:StartExecution this state machine.
    const target = new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromEventPath('$.detail') });
    this.rules.push(new events.Rule(this, id, { ...trigger, description: `Starts ${this.plan.stateMachineName}: ${description}`.slice(0, 512), targets: [target] }));
  }

  /** cdk-nag findings that are the intended design, each with the reason a reviewer needs. */
  private acknowledgeFindings(functions: lambda.IFunction[], logLevel: sfn.LogLevel): void {
    const role = this.stateMachine.role;
    const stack = Stack.of(this);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the statements CDK adds for logging and tracing: CloudWatch Logs log delivery (logs:CreateLogDelivery, ...Describe*) and X-Ray (xray:PutTraceSegments, ...GetSampling*) have no resource-level permissions, so AWS requires Resource "*" (test/cdk checks no other action has it).',
    });
    for (const fn of functions) {
      const logicalId = stack.resolve((fn.node.defaultChild as lambda.CfnFunction).logicalId) as string;
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'grantInvoke also allows the versions and aliases of this one function (its ARN followed by :*), as Step Functions may invoke a qualified ARN; no other function is covered.',
      });
    }
    const definitionText = this.plan.handlers.reduce((text, h) => text.split(`\${${h.substitution}}`).join(''), JSON.stringify(this.definition));
    if (definitionText.includes('${')) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'CloudFormation-Validate::E1029',
        reason:
          'The ${secrets.NAME} strings in the definition are the task payload contract\'s secret placeholders, filled in by the handler at run time, not CloudFormation parameters: the Step Functions resource replaces only the ${Key} of each DefinitionSubstitutions key and leaves other text as it is.',
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

function eventBridgeRule(rule: RulePlan): Pick<events.RuleProps, 'schedule' | 'eventPattern'> {
  if (rule.kind === 'schedule') return { schedule: events.Schedule.expression(rule.expression) };
  const { source, 'detail-type': detailType, detail } = rule.pattern;
  return { eventPattern: { source, ...(detailType && { detailType }), ...(detail && { detail }) } };
}

/** The compiler's output, or an error that prints its diagnostics as the compiler does; warnings become CDK warnings. */
function compileWorkflow(scope: Construct, file: string, source: string | undefined): { definition: AslDefinition; report: CompileReport } {
  const result = compile(file, source === undefined ? {} : { source });
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
