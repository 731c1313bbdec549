/**
 * What one workflow deploys, as data (`planDeployment`, which the CDK construct
 * builds from) and as text (`describeDeployment`, which `npm start` prints).
 * Pure on purpose: the compile path and the CLI load this without aws-cdk-lib.
 */
import { DEFAULT_SECRET_PREFIX } from '../contract/task-payload';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';
import { substitutionKeysOf, tasksOf, type CustomTask } from './definition';
import { rulesForTriggers, type RulePlan } from './triggers';

export type WorkflowType = 'STANDARD' | 'EXPRESS';

/** Defaults of the deployed resources; the construct uses these same values. */
export const DEPLOY_DEFAULTS = {
  type: 'STANDARD' as WorkflowType,
  logLevel: 'ERROR',
  logRetentionDays: 30,
  secretPrefix: DEFAULT_SECRET_PREFIX,
  /** The event bus the stack creates for approval requests, unless it is given one. */
  approvalEventBusName: 'osop-approvals',
};

interface FunctionDefaults {
  label: string;
  /** Relative to the repository root. */
  entry: string;
  timeoutSeconds: number;
  memoryMiB: number;
}

/**
 * The handler functions: one of each per stack, shared by its workflows.
 *
 * Timeouts are floors: a function gets at least as long as the longest Task
 * that invokes it waits (node timeout + the compiler's margin), so the
 * handler, not Lambda, reports a timeout. The floors cover the compiler's
 * default node timeouts (REST 30 s, agent 120 s) with room to spare. The
 * approval handler only publishes the request and returns: its Tasks wait for
 * the approver's answer, not for the function, so they do not size it.
 */
export const HANDLER_DEFAULTS: Record<HandlerKind, FunctionDefaults> = {
  rest: { label: 'REST handler', entry: 'lambdas/rest/index.ts', timeoutSeconds: 60, memoryMiB: 256 },
  agent: { label: 'agent handler', entry: 'lambdas/agent/index.ts', timeoutSeconds: 180, memoryMiB: 256 },
  approval: { label: 'approval handler', entry: 'lambdas/approval/index.ts', timeoutSeconds: 30, memoryMiB: 256 },
};

/** A user's handler (`x-sfn: { handler }`): one function per module and workflow, sized like the handlers. */
export const CUSTOM_HANDLER_DEFAULTS = { timeoutSeconds: 60, memoryMiB: 256 };

/** The approval requests the approval handler publishes: its EVENT_SOURCE and EVENT_DETAIL_TYPE (lambdas/approval; test/cdk checks they agree). */
export const APPROVAL_EVENTS = { source: 'osop.sfn', detailType: 'OSOP Approval Requested' };

/** The rule Step Functions keeps in the account to learn when a child execution ends (startExecution.sync). */
const SYNC_EVENTS_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

export const EXPRESS_MAX_SECONDS = 300;
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Characters Secrets Manager allows in a secret name; anything else (notably `*` and `?`) would widen the IAM grant. */
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** Task resources that wait for a job or a callback, which EXPRESS state machines do not support. */
const WAITING_RESOURCE = /\.(sync(:\d+)?|waitForTaskToken)$/;

export interface PlanOptions {
  /** The compiled definition: names the secrets each handler reads (the agent's API key is only there) and the Task timeouts. */
  definition?: AslDefinition;
  type?: WorkflowType;
  secretPrefix?: string;
  stateMachineName?: string;
  /** The state machine name of each sub-workflow, by workflow id. @default the name the workflow id gives (as the stack deploys it) */
  subWorkflowNames?: Record<string, string>;
}

/**
 * One IAM statement. Resources are written as the plan prints them:
 * `arn:${Partition}:states:${Region}:${Account}:...` for the stack's partition,
 * region and account, `${Key}` for the ARN the definition substitution `Key` stands for.
 */
export interface Grant {
  actions: string[];
  resources: string[];
  /** Why a resource ends in `*` (the reason its cdk-nag finding is acknowledged with); absent when none does. */
  wildcard?: string;
}

export interface HandlerPlan {
  kind: HandlerKind;
  /** The definition substitution key (`RestHandlerArn`). */
  substitution: string;
  timeoutSeconds: number;
  /** Secret names (without the prefix) the function must be able to read, sorted. */
  secrets: string[];
}

/** One function for a user's handler module, shared by the nodes of the workflow that name it. */
export interface CustomHandlerPlan {
  /** As written in the workflow: relative to the workflow file's folder. */
  path: string;
  nodes: string[];
  substitutions: string[];
  timeoutSeconds: number;
}

export interface SubWorkflowPlan {
  node: string;
  workflowId: string;
  substitution: string;
  /** The child's file, when the compiler found it. */
  file?: string;
  stateMachineName: string;
}

export interface DeploymentPlan {
  workflowId: string;
  stateMachineName: string;
  type: WorkflowType;
  logGroupName: string;
  secretPrefix: string;
  handlers: HandlerPlan[];
  customHandlers: CustomHandlerPlan[];
  subWorkflows: SubWorkflowPlan[];
  /** Service integrations with the IAM permissions the workflow declares for them, granted as written. */
  serviceIntegrations: CompileReport['serviceIntegrations'];
  approvals: CompileReport['approvals'];
  /** The state machine role's statements besides logging, tracing and the declared `serviceIntegrations` permissions. */
  grants: Grant[];
  /** The statement of the workflow's approvers managed policy; absent when nothing waits for an approval. */
  approverGrant?: Grant;
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

  const { handlerTasks, customTasks, otherTasks } = options.definition ? tasksOf(options.definition, report) : { handlerTasks: [], customTasks: [], otherTasks: [] };
  const secrets = reportSecretsByHandler(report);
  for (const t of handlerTasks) for (const name of t.secrets) secretsOf(secrets, t.kind).add(name);
  const handlers = report.handlers.map((kind): HandlerPlan => {
    const tasks = handlerTasks.filter((t) => t.kind === kind);
    const names = [...secretsOf(secrets, kind)].sort();
    for (const n of names) if (!SECRET_NAME.test(n)) problems.push(`secret name '${n}' may only contain letters, digits and /_+=.@-`);
    const substitution = report.substitutions[kind];
    if (!substitution) problems.push(`the compile report names no definition substitution for the ${HANDLER_DEFAULTS[kind].label}.`);
    return { kind, substitution: substitution ?? '', timeoutSeconds: sizeTimeout(HANDLER_DEFAULTS[kind], tasks, problems), secrets: names };
  });
  const customHandlers = planCustomHandlers(report, customTasks, problems);
  const subWorkflows = report.subWorkflows.map((s) => ({ ...s, stateMachineName: options.subWorkflowNames?.[s.workflowId] ?? stateMachineNameFor(s.workflowId) }));
  for (const s of report.serviceIntegrations) {
    if (!s.permissions.length) {
      problems.push(`node '${s.node}' calls ${s.resource} but declares no IAM permissions for it; add them to the node: x-sfn: { permissions: [{ actions: [...], resources: [...] }] }, exactly what the call needs.`);
    }
  }
  // The state machine role is granted exactly what the report accounts for: any other Task would fail at run time for lack of permission.
  for (const t of otherTasks) problems.push(`state '${t.state}' calls ${t.resource}, which the compile report does not account for, so this deployment cannot grant it.`);
  if (options.definition) {
    const provided = new Set([...handlers.map((h) => h.substitution), ...customHandlers.flatMap((c) => c.substitutions), ...subWorkflows.map((s) => s.substitution)]);
    const missing = substitutionKeysOf(options.definition).filter((k) => !provided.has(k) && !problems.some((p) => p.includes(`\${${k}}`)));
    if (missing.length) problems.push(`the definition uses substitutions this deployment does not provide: ${missing.map((k) => `\${${k}}`).join(', ')}.`);
  }

  const triggers = rulesForTriggers(report.triggers);
  problems.push(...triggers.problems);
  if (type === 'EXPRESS') problems.push(...expressProblems(report));
  return {
    workflowId: report.workflowId,
    stateMachineName,
    type,
    logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
    secretPrefix,
    handlers,
    customHandlers,
    subWorkflows,
    serviceIntegrations: report.serviceIntegrations,
    approvals: report.approvals,
    grants: stateMachineGrants(handlers, customHandlers, subWorkflows),
    ...(report.approvals.length > 0 && {
      approverGrant: { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [`arn:\${Partition}:states:\${Region}:\${Account}:stateMachine:${stateMachineName}`] },
    }),
    rules: triggers.rules,
    problems,
  };
}

/** The function's timeout: its floor, or the longest Task that waits for it, refused beyond what Lambda allows. */
function sizeTimeout(d: { label: string; timeoutSeconds: number }, tasks: { state: string; timeoutSeconds?: number }[], problems: string[]): number {
  const waits = tasks.filter((t) => t.timeoutSeconds !== undefined);
  const longest = waits.reduce((m, t) => Math.max(m, t.timeoutSeconds!), 0);
  if (longest > LAMBDA_MAX_TIMEOUT_SECONDS) {
    const state = waits.find((t) => t.timeoutSeconds === longest)!.state;
    problems.push(`'${state}' waits ${longest} s for the ${d.label}, but a Lambda function runs at most ${LAMBDA_MAX_TIMEOUT_SECONDS} s; lower the node's timeout.`);
  }
  return Math.max(d.timeoutSeconds, longest);
}

function planCustomHandlers(report: CompileReport, tasks: CustomTask[], problems: string[]): CustomHandlerPlan[] {
  const byPath = new Map<string, CustomHandlerPlan>();
  for (const c of report.customHandlers) {
    const plan = byPath.get(c.path) ?? { path: c.path, nodes: [], substitutions: [], timeoutSeconds: 0 };
    byPath.set(c.path, plan);
    plan.nodes.push(c.node);
    plan.substitutions.push(c.substitution);
  }
  for (const plan of byPath.values()) {
    const label = `custom handler ${plan.path}`;
    plan.timeoutSeconds = sizeTimeout({ label, timeoutSeconds: CUSTOM_HANDLER_DEFAULTS.timeoutSeconds }, tasks.filter((t) => plan.substitutions.includes(t.substitution)), problems);
  }
  return [...byPath.values()];
}

const INVOKE_VERSIONS =
  'lambda:InvokeFunction on the function ARN followed by :* covers the versions and aliases of this one function, as Step Functions may invoke a qualified ARN; no other function is covered.';
const CHILD_EXECUTIONS =
  'states:DescribeExecution and states:StopExecution on execution:<child>:* cover the executions of this one child state machine, whose names are chosen at run time; this is the statement AWS documents for startExecution.sync, and no other state machine is covered.';

/** The state machine may invoke its functions and run its sub-workflows to completion (startExecution.sync:2, as AWS documents its IAM). */
function stateMachineGrants(handlers: HandlerPlan[], custom: CustomHandlerPlan[], subWorkflows: SubWorkflowPlan[]): Grant[] {
  const invoke = (key: string): Grant => ({ actions: ['lambda:InvokeFunction'], resources: [`\${${key}}`, `\${${key}}:*`], wildcard: INVOKE_VERSIONS });
  const grants = [...handlers.map((h) => invoke(h.substitution)), ...custom.map((c) => invoke(c.substitutions[0]))];
  const children = [...new Map(subWorkflows.map((s) => [s.workflowId, s])).values()];
  for (const c of children) {
    grants.push({ actions: ['states:StartExecution'], resources: [`\${${c.substitution}}`] });
    grants.push({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [`arn:\${Partition}:states:\${Region}:\${Account}:execution:${c.stateMachineName}:*`], wildcard: CHILD_EXECUTIONS });
  }
  if (children.length) grants.push({ actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: [`arn:\${Partition}:events:\${Region}:\${Account}:rule/${SYNC_EVENTS_RULE}`] });
  return grants;
}

/** Why an EXPRESS state machine could not run this workflow. */
export function expressProblems(report: Pick<CompileReport, 'waitsForCallback' | 'timeoutSeconds' | 'subWorkflows' | 'serviceIntegrations'>): string[] {
  const out: string[] = [];
  if (report.waitsForCallback) {
    out.push('it cannot be deployed as EXPRESS: it waits for a callback (.waitForTaskToken), which EXPRESS state machines do not support; deploy it as STANDARD.');
  }
  const waiting = [...report.subWorkflows.map((s) => ({ node: s.node, what: `runs workflow ${s.workflowId} and waits for it (startExecution.sync:2)` })),
    ...report.serviceIntegrations.filter((s) => WAITING_RESOURCE.test(s.resource)).map((s) => ({ node: s.node, what: `calls ${s.resource}` }))];
  for (const w of waiting) {
    out.push(`it cannot be deployed as EXPRESS: node '${w.node}' ${w.what}, and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.`);
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

const grantText = (g: Grant) => `${g.actions.join(', ')} on ${g.resources.join(', ')}`;
const functionSpec = (memoryMiB: number, timeoutSeconds: number) => `Node.js 22, arm64, ${memoryMiB} MB, timeout ${timeoutSeconds} s`;

export function describeDeployment(report: CompileReport, options: PlanOptions = {}): string[] {
  const plan = planDeployment(report, options);
  const lines = [
    `state machine ${plan.stateMachineName} (${plan.type}), X-Ray tracing on`,
    `  log group ${plan.logGroupName}: level ${DEPLOY_DEFAULTS.logLevel}, execution data not logged, kept ${DEPLOY_DEFAULTS.logRetentionDays} days`,
  ];
  for (const h of plan.handlers) {
    const d = HANDLER_DEFAULTS[h.kind];
    lines.push(`  ${d.label} function (${d.entry}; ${functionSpec(d.memoryMiB, h.timeoutSeconds)}; shared by the stack's workflows) as \${${h.substitution}}`);
    for (const s of h.secrets) lines.push(`    IAM: it may secretsmanager:GetSecretValue ${secretArnPattern(plan.secretPrefix, s)}`);
    if (h.kind === 'approval') {
      lines.push(`    IAM: it may events:PutEvents on the stack's approval event bus (${DEPLOY_DEFAULTS.approvalEventBusName} unless it is given another), with source ${APPROVAL_EVENTS.source} only`);
    }
  }
  for (const c of plan.customHandlers) {
    lines.push(`  custom handler function ${c.path} (relative to the workflow file; ${functionSpec(CUSTOM_HANDLER_DEFAULTS.memoryMiB, c.timeoutSeconds)}) for ${c.nodes.join(', ')} as ${c.substitutions.map((k) => `\${${k}}`).join(', ')}`);
  }
  for (const s of plan.serviceIntegrations) lines.push(`  service integration ${s.node}: ${s.resource}, with the IAM permissions it declares`);
  for (const s of plan.subWorkflows) {
    lines.push(`  sub-workflow ${s.node}: starts state machine ${s.stateMachineName} (workflow ${s.workflowId}, deployed first by the same stack or given to the construct) as \${${s.substitution}} and waits for it`);
  }
  for (const a of plan.approvals) {
    lines.push(`  approval ${a.node}: asks ${a.approvers.join(', ') || 'any approver'} with an '${APPROVAL_EVENTS.detailType}' event, waits up to ${a.timeoutSeconds} s for the answer`);
  }
  if (plan.approverGrant) lines.push(`  approvers managed policy (for whoever answers with osop-sfn approve|reject): ${grantText(plan.approverGrant)}`);
  const declared = plan.serviceIntegrations.flatMap((s) => s.permissions.map((p) => `    ${grantText(p)} (declared by ${s.node})`));
  if (plan.grants.length || declared.length) {
    lines.push('  IAM of the state machine, besides logging and tracing:', ...plan.grants.map((g) => `    ${grantText(g)}`), ...declared);
  }
  for (const r of plan.rules) {
    const what = r.kind === 'schedule' ? `schedule ${r.expression}` : `event pattern ${JSON.stringify(r.pattern)}`;
    lines.push(`  EventBridge rule for trigger ${r.trigger}: ${what} → StartExecution (input: the event's detail; its role may start only this state machine)`);
  }
  if (!plan.rules.length) lines.push('  no EventBridge rule: start executions from the console, the CLI or your code');
  if (!options.definition && (plan.handlers.length || plan.customHandlers.length)) {
    lines.push("  (from the report alone: the agent's API key secret and the Task timeouts are in the definition; pass { definition } to include them)");
  }
  for (const p of plan.problems) lines.push(`  error: ${p}`);
  return lines;
}
