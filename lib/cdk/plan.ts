/**
 * What one workflow deploys, as data (`planDeployment`, which the CDK construct
 * builds from) and as text (`describeDeployment`, which `npm start` prints).
 * Pure on purpose: the compile path and the CLI load this without aws-cdk-lib.
 */
import { DEFAULT_SECRET_PREFIX } from '../contract/task-payload';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';
import { substitutionKeysOf, tasksOf, type HandlerTask } from './definition';
import { rulesForTriggers, type RulePlan } from './triggers';

export type WorkflowType = 'STANDARD' | 'EXPRESS';

/** Defaults of the deployed resources; the construct uses these same values. */
export const DEPLOY_DEFAULTS = {
  type: 'STANDARD' as WorkflowType,
  logLevel: 'ERROR',
  logRetentionDays: 30,
  secretPrefix: DEFAULT_SECRET_PREFIX,
};

/** The handlers this deployment builds: a Lambda function each, from `entry`. */
export type DeployableHandler = 'rest' | 'agent';

/**
 * Timeouts are floors: a function gets at least as long as the longest Task
 * that invokes it waits (node timeout + the compiler's margin), so the
 * handler, not Lambda, reports a timeout. The floors cover the compiler's
 * default node timeouts (REST 30 s, agent 120 s) with room to spare.
 */
export const HANDLER_DEFAULTS: Record<DeployableHandler, { label: string; entry: string; timeoutSeconds: number; memoryMiB: number }> = {
  rest: { label: 'REST handler', entry: 'lambdas/rest/index.ts', timeoutSeconds: 60, memoryMiB: 256 },
  agent: { label: 'agent handler', entry: 'lambdas/agent/index.ts', timeoutSeconds: 180, memoryMiB: 256 },
};

const isDeployable = (kind: HandlerKind): kind is DeployableHandler => Object.hasOwn(HANDLER_DEFAULTS, kind);

export const EXPRESS_MAX_SECONDS = 300;
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Characters Secrets Manager allows in a secret name; anything else (notably `*` and `?`) would widen the IAM grant. */
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface PlanOptions {
  /** The compiled definition: names the secrets each handler reads (the agent's API key is only there) and the Task timeouts. */
  definition?: AslDefinition;
  type?: WorkflowType;
  secretPrefix?: string;
  stateMachineName?: string;
}

export interface HandlerPlan {
  kind: DeployableHandler;
  /** The definition substitution key (`RestHandlerArn`). */
  substitution: string;
  timeoutSeconds: number;
  /** Secret names (without the prefix) the function must be able to read, sorted. */
  secrets: string[];
}

export interface DeploymentPlan {
  workflowId: string;
  stateMachineName: string;
  type: WorkflowType;
  logGroupName: string;
  secretPrefix: string;
  handlers: HandlerPlan[];
  rules: RulePlan[];
  /** Why the workflow cannot be deployed as asked; empty when it can. */
  problems: string[];
}

export function planDeployment(report: CompileReport, options: PlanOptions = {}): DeploymentPlan {
  const type = options.type ?? DEPLOY_DEFAULTS.type;
  const secretPrefix = options.secretPrefix ?? DEPLOY_DEFAULTS.secretPrefix;
  const stateMachineName = options.stateMachineName ?? stateMachineNameFor(report.workflowId);
  const problems: string[] = [];
  if (!STATE_MACHINE_NAME.test(stateMachineName)) problems.push(`state machine name '${stateMachineName}' must be 1-80 letters, digits, '-' or '_'.`);
  if (secretPrefix !== '' && !SECRET_NAME.test(secretPrefix)) problems.push(`secret prefix '${secretPrefix}' may only contain letters, digits and /_+=.@-`);

  const { handlerTasks, otherTasks } = options.definition ? tasksOf(options.definition, report) : { handlerTasks: [], otherTasks: [] };
  const secrets = reportSecretsByHandler(report);
  for (const t of handlerTasks) for (const name of t.secrets) secretsOf(secrets, t.kind).add(name);
  const handlers: HandlerPlan[] = [];
  for (const kind of report.handlers) {
    if (isDeployable(kind)) handlers.push(planHandler(kind, report, handlerTasks, [...secretsOf(secrets, kind)].sort(), problems));
    else problems.push(`it needs the '${kind}' handler (\${${report.substitutions[kind]}}), which this CDK deployment does not build yet.`);
  }
  // The state machine role is granted exactly the handlers above: any other Task would fail at run time for lack of permission.
  for (const t of otherTasks) problems.push(`state '${t.state}' calls ${t.resource}, which this CDK deployment cannot grant yet (it grants the REST and agent handlers only).`);
  if (options.definition) {
    const provided = new Set(handlers.map((h) => h.substitution));
    const missing = substitutionKeysOf(options.definition).filter((k) => !provided.has(k) && !problems.some((p) => p.includes(`\${${k}}`)));
    if (missing.length) problems.push(`the definition uses substitutions this deployment does not provide: ${missing.map((k) => `\${${k}}`).join(', ')}.`);
  }

  const triggers = rulesForTriggers(report.triggers);
  problems.push(...triggers.problems);
  if (type === 'EXPRESS') problems.push(...expressProblems(report));
  return { workflowId: report.workflowId, stateMachineName, type, logGroupName: `/aws/vendedlogs/states/${stateMachineName}`, secretPrefix, handlers, rules: triggers.rules, problems };
}

function planHandler(kind: DeployableHandler, report: CompileReport, tasks: HandlerTask[], secrets: string[], problems: string[]): HandlerPlan {
  const { label, timeoutSeconds } = HANDLER_DEFAULTS[kind];
  const waits = tasks.filter((t) => t.kind === kind && t.timeoutSeconds !== undefined);
  const longest = waits.reduce((m, t) => Math.max(m, t.timeoutSeconds!), 0);
  if (longest > LAMBDA_MAX_TIMEOUT_SECONDS) {
    const state = waits.find((t) => t.timeoutSeconds === longest)!.state;
    problems.push(`'${state}' waits ${longest} s for the ${label}, but a Lambda function runs at most ${LAMBDA_MAX_TIMEOUT_SECONDS} s; lower the node's timeout.`);
  }
  for (const n of secrets) if (!SECRET_NAME.test(n)) problems.push(`secret name '${n}' may only contain letters, digits and /_+=.@-`);
  const substitution = report.substitutions[kind];
  if (!substitution) problems.push(`the compile report names no definition substitution for the ${label}.`);
  return { kind, substitution: substitution ?? '', timeoutSeconds: Math.max(timeoutSeconds, longest), secrets };
}

/** Why an EXPRESS state machine could not run this workflow. */
export function expressProblems(report: Pick<CompileReport, 'waitsForCallback' | 'timeoutSeconds'>): string[] {
  const out: string[] = [];
  if (report.waitsForCallback) {
    out.push('it cannot be deployed as EXPRESS: it waits for a callback (.waitForTaskToken), which EXPRESS state machines do not support; deploy it as STANDARD.');
  }
  if (report.timeoutSeconds === undefined || report.timeoutSeconds > EXPRESS_MAX_SECONDS) {
    const why = report.timeoutSeconds === undefined ? 'it declares no timeout, so it can run over 5 minutes' : `its timeout (${report.timeoutSeconds} s) is over 5 minutes`;
    out.push(`it cannot be deployed as EXPRESS: ${why}, the longest an EXPRESS execution may run; declare timeout_sec ≤ ${EXPRESS_MAX_SECONDS} in the workflow to deploy it as EXPRESS.`);
  }
  return out;
}

/** Step Functions names allow letters, digits, '-' and '_' (80 at most); workflow ids are mostly that already. */
export function stateMachineNameFor(workflowId: string): string {
  return workflowId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
}

/** The ARN pattern IAM grants for one secret: Secrets Manager appends 6 random characters to every secret ARN. */
export function secretArnPattern(prefix: string, name: string): string {
  return `arn:\${Partition}:secretsmanager:\${Region}:\${Account}:secret:${prefix}${name}-??????`;
}

/** The report's secrets by the handler that reads them: agent nodes are those the report lists models for; agentSecrets are the LLM API keys. */
function reportSecretsByHandler(report: CompileReport): Map<HandlerKind, Set<string>> {
  const agentNodes = new Set(report.models.map((m) => m.node));
  const out = new Map<HandlerKind, Set<string>>();
  for (const s of report.secrets) for (const node of s.nodes) secretsOf(out, agentNodes.has(node) ? 'agent' : 'rest').add(s.name);
  // Optional while the compiler's report gains the field.
  for (const name of report.agentSecrets ?? []) secretsOf(out, 'agent').add(name);
  return out;
}

function secretsOf(map: Map<HandlerKind, Set<string>>, kind: HandlerKind): Set<string> {
  let set = map.get(kind);
  if (!set) map.set(kind, (set = new Set()));
  return set;
}

export function describeDeployment(report: CompileReport, options: PlanOptions = {}): string[] {
  const plan = planDeployment(report, options);
  const lines = [
    `state machine ${plan.stateMachineName} (${plan.type}), X-Ray tracing on`,
    `  log group ${plan.logGroupName}: level ${DEPLOY_DEFAULTS.logLevel}, execution data not logged, kept ${DEPLOY_DEFAULTS.logRetentionDays} days`,
  ];
  for (const h of plan.handlers) {
    const d = HANDLER_DEFAULTS[h.kind];
    lines.push(`  ${d.label} function (${d.entry}; Node.js 22, arm64, ${d.memoryMiB} MB, timeout ${h.timeoutSeconds} s, shared by the stack's workflows) as \${${h.substitution}}`);
    lines.push('    IAM: the state machine may lambda:InvokeFunction on it (its ARN, and ARN:* for versions and aliases)');
    for (const s of h.secrets) lines.push(`    IAM: it may secretsmanager:GetSecretValue ${secretArnPattern(plan.secretPrefix, s)}`);
  }
  for (const r of plan.rules) {
    const what = r.kind === 'schedule' ? `schedule ${r.expression}` : `event pattern ${JSON.stringify(r.pattern)}`;
    lines.push(`  EventBridge rule for trigger ${r.trigger}: ${what} → StartExecution (input: the event's detail; its role may start only this state machine)`);
  }
  if (!plan.rules.length) lines.push('  no EventBridge rule: start executions from the console, the CLI or your code');
  if (!options.definition && plan.handlers.length) {
    lines.push("  (from the report alone: the agent's API key secret and the Task timeouts are in the definition; pass { definition } to include them)");
  }
  for (const p of plan.problems) lines.push(`  error: ${p}`);
  return lines;
}
