/**
 * What one workflow deploys, as data (`planDeployment`, which the CDK construct
 * builds from) and as text (`describeDeployment`, which `npm start` prints).
 * Everything comes from the compile report's `tasks`: the functions, project
 * and IAM each Task needs. Pure on purpose: the compile path and the CLI load
 * this without aws-cdk-lib.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_SECRET_PREFIX } from '../contract/task-payload';
import type { CompileReport, FunctionSpec, Grant, HandlerKind, TaskReport } from '../types';
import { rulesForTriggers, type RulePlan } from './triggers';

export type { Grant } from '../types';
export type WorkflowType = 'STANDARD' | 'EXPRESS';

/** Defaults of the deployed resources; the construct uses these same values. */
export const DEPLOY_DEFAULTS = {
  type: 'STANDARD' as WorkflowType,
  logLevel: 'ERROR',
  logRetentionDays: 30,
  secretPrefix: DEFAULT_SECRET_PREFIX,
  /** The stack `bin/app.ts` deploys unless `-c stackName=...` names another; the default physical names start with it. */
  stackName: 'OsopWorkflows',
};

/**
 * Physical names a user may set, and what AWS accepts. An event bus name may not contain '/' either:
 * only partner buses have one, and CDK refuses it for the bus it creates.
 */
export const NAME_RULES = {
  stateMachineName: { pattern: /^[A-Za-z0-9_-]{1,80}$/, text: "1-80 letters, digits, '-' or '_'" },
  logGroupName: { pattern: /^[.\-_\/#A-Za-z0-9]{1,512}$/, text: "1-512 letters, digits, '.', '-', '_', '/' or '#'" },
  approvalEventBusName: { pattern: /^(?!default$)[.\-_A-Za-z0-9]{1,256}$/, text: "1-256 letters, digits, '.', '-' or '_', and not 'default' (to publish on the default bus, give approvalEventBus)" },
};

/** Stands for the UUID of the stack's id in a default log group name; the construct fills it in. */
export const STACK_UUID_KEY = 'StackUuid';

/** A user's handler (`x-sfn: { handler }`): one function per module and workflow, sized like the handlers. */
export const CUSTOM_HANDLER_DEFAULTS = { timeoutSeconds: 60, memoryMiB: 256 };

/** The approval requests the approval handler publishes: its EVENT_SOURCE and EVENT_DETAIL_TYPE (lambdas/approval; test/cdk checks they agree). */
export const APPROVAL_EVENTS = { source: 'osop.sfn', detailType: 'OSOP Approval Requested' };

export const EXPRESS_MAX_SECONDS = 300;
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Characters Secrets Manager allows in a secret name; anything else (notably `*` and `?`) would widen the IAM grant. */
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
/** Substitutions a deployment fills from its own settings rather than from a resource it builds. */
export const DEPLOYMENT_PARAMETERS = ['DatabaseClusterArn', 'DatabaseSecretArn', 'DatabaseName'] as const;
/** The substitution of the secret prefix (command builds name their secrets with it). */
export const SECRET_PREFIX_KEY = 'SecretPrefix';

export interface PlanOptions {
  type?: WorkflowType;
  secretPrefix?: string;
  /** The stack the workflow is deployed in: the default names start with it. @default DEPLOY_DEFAULTS.stackName */
  stackName?: string;
  /** @default `<stack name>-<workflow id>` (stateMachineNameFor) */
  stateMachineName?: string;
  /** @default `/aws/vendedlogs/states/<state machine name>-${StackUuid}` */
  logGroupName?: string;
  /** The state machine name of each sub-workflow, by workflow id. @default the name the workflow id gives in the same stack (as the stack deploys it) */
  subWorkflowNames?: Record<string, string>;
}

export type SharedFunctionSpec = Extract<FunctionSpec, { kind: 'shared' }>;

export interface HandlerPlan {
  kind: HandlerKind;
  /** The definition substitution key (`RestHandlerArn`). */
  substitution: string;
  timeoutSeconds: number;
  /** Secret names (without the prefix) the function must be able to read, sorted. */
  secrets: string[];
  /** What the compiler says the function is (entry, memory, what it needs). */
  spec: SharedFunctionSpec;
}

/** One function for a user's handler module, shared by the nodes of the workflow that name it. */
export interface CustomHandlerPlan {
  /** As written in the workflow: relative to the workflow file's folder. */
  path: string;
  nodes: string[];
  substitutions: string[];
  timeoutSeconds: number;
  /** Secret names (without the prefix) its wrapper resolves in the nodes' runtime, sorted: the function may read exactly these. */
  secrets: string[];
}

export interface SubWorkflowPlan {
  node: string;
  workflowId: string;
  substitution: string;
  /** The child's file, when the compiler found it. */
  file?: string;
  stateMachineName: string;
}

/** The stack's CodeBuild project, when some Task runs commands. */
export interface ProjectPlan {
  substitution: string;
  /** Secrets the builds read (Secrets Manager environment variables), sorted. */
  secrets: string[];
}

/** One EventBridge connection the stack creates for native HTTP Tasks (api nodes with x-sfn: { http: native }). */
export interface ConnectionPlan {
  /** The definition substitution of its ARN; `${<substitution>Secret}` in a grant is the ARN of the secret EventBridge keeps for it. */
  substitution: string;
  /** The secret (without the prefix) its credential is read from at deploy time. */
  secret: string;
  /** API key authorization: this header, with this value (`${secrets.<secret>}` filled in). */
  header: string;
  value: string;
  nodes: string[];
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
  project?: ProjectPlan;
  /** EventBridge connections of its native HTTP Tasks, one per credential shape. */
  connections: ConnectionPlan[];
  /** Definition substitutions the deployment must be given (the database of `db` nodes): `DatabaseClusterArn`, ... */
  parameters: string[];
  /** The state machine role's statements besides logging, tracing and the declared `serviceIntegrations` permissions. */
  grants: Grant[];
  /** The statement of the workflow's approvers managed policy; absent when nothing waits for an approval. */
  approverGrant?: Grant;
  rules: RulePlan[];
  /** Why the workflow cannot be deployed as asked; empty when it can. */
  problems: string[];
}

export function planDeployment(report: CompileReport, options: PlanOptions = {}): DeploymentPlan {
  const type = options.type ?? report.stateMachineType ?? DEPLOY_DEFAULTS.type;
  const secretPrefix = options.secretPrefix ?? DEPLOY_DEFAULTS.secretPrefix;
  const stackName = options.stackName ?? DEPLOY_DEFAULTS.stackName;
  const stateMachineName = options.stateMachineName ?? stateMachineNameFor(report.workflowId, stackName);
  const problems: string[] = [];
  if (!NAME_RULES.stateMachineName.pattern.test(stateMachineName)) problems.push(`state machine name '${stateMachineName}' must be ${NAME_RULES.stateMachineName.text}.`);
  if (secretPrefix !== '' && !SECRET_NAME.test(secretPrefix)) problems.push(`secret prefix '${secretPrefix}' may only contain letters, digits and /_+=.@-`);

  const tasks = report.tasks;
  const handlers = planHandlers(tasks, problems);
  const customHandlers = planCustomHandlers(tasks, problems);
  const subWorkflows = report.subWorkflows.map((s) => ({ ...s, stateMachineName: options.subWorkflowNames?.[s.workflowId] ?? stateMachineNameFor(s.workflowId, stackName) }));
  for (const s of report.serviceIntegrations) {
    if (!s.permissions.length) {
      problems.push(`node '${s.node}' calls ${s.resource} but declares no IAM permissions for it; add them to the node: x-sfn: { permissions: [{ actions: [...], resources: [...] }] }, exactly what the call needs.`);
    }
  }
  const projectTasks = tasks.filter((t) => t.project);
  const project = projectTasks.length ? { substitution: projectTasks[0].project!.substitution, secrets: [...new Set(projectTasks.flatMap((t) => t.project!.secrets))].sort() } : undefined;
  for (const n of project?.secrets ?? []) if (!SECRET_NAME.test(n)) problems.push(`secret name '${n}' may only contain letters, digits and /_+=.@-`);
  const connections = planConnections(tasks, problems);
  const parameters: string[] = DEPLOYMENT_PARAMETERS.filter((k) => tasks.some((t) => t.substitutions.includes(k)));
  // What each Task says it uses must be provided (other `${...}` text, a shell's `${VAR}` in a command, is left as it is by Step Functions).
  const provided = new Set<string>([...handlers.map((h) => h.substitution), ...customHandlers.flatMap((c) => c.substitutions), ...subWorkflows.map((s) => s.substitution), ...(project ? [project.substitution] : []), ...connections.map((c) => c.substitution), ...parameters, SECRET_PREFIX_KEY]);
  const missing = [...new Set(tasks.flatMap((t) => t.substitutions))].filter((k) => !provided.has(k));
  if (missing.length) problems.push(`the definition uses substitutions this deployment does not provide: ${missing.map((k) => `\${${k}}`).join(', ')}.`);

  const triggers = rulesForTriggers(report.triggers);
  problems.push(...triggers.problems);
  if (type === 'EXPRESS') problems.push(...expressProblems(report));
  const childName = new Map(subWorkflows.map((s) => [s.workflowId, s.stateMachineName]));
  return {
    workflowId: report.workflowId,
    stateMachineName,
    type,
    // Log groups outlive the stack (retained), so the default name also carries the stack's UUID: a stack
    // created again after `cdk destroy` gets a new one. The /aws/vendedlogs/ prefix keeps CloudWatch Logs'
    // resource policy for log delivery from growing with each state machine.
    logGroupName: options.logGroupName ?? `/aws/vendedlogs/states/${stateMachineName}-\${${STACK_UUID_KEY}}`,
    secretPrefix,
    handlers,
    customHandlers,
    subWorkflows,
    serviceIntegrations: report.serviceIntegrations,
    approvals: report.approvals,
    project,
    connections,
    parameters,
    grants: [...stateMachineGrants(tasks, childName, stackName, stateMachineName), ...distributedMapGrants(report.distributedMaps, stateMachineName)],
    ...(report.approvals.length > 0 && {
      approverGrant: { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [`arn:\${Partition}:states:\${Region}:\${Account}:stateMachine:${stateMachineName}`] },
    }),
    rules: triggers.rules,
    problems,
  };
}

/** How long a Task waits for the function it invokes; a callback Task waits for the answer, not the function. */
const functionWait = (t: TaskReport) => ({ state: t.state, timeoutSeconds: t.waitsForCallback ? undefined : t.timeoutSeconds });

/** One plan per shared function the Tasks invoke: its secrets and its timeout (the longest Task that waits for it). */
function planHandlers(tasks: TaskReport[], problems: string[]): HandlerPlan[] {
  const byName = new Map<string, { spec: SharedFunctionSpec; tasks: TaskReport[] }>();
  for (const t of tasks) {
    if (t.function?.kind !== 'shared') continue;
    const entry = byName.get(t.function.name) ?? { spec: t.function, tasks: [] };
    entry.tasks.push(t);
    byName.set(t.function.name, entry);
  }
  return [...byName.values()]
    .sort((x, y) => x.spec.name.localeCompare(y.spec.name))
    .map(({ spec, tasks: ts }) => {
      const secrets = spec.needs === 'secrets' ? [...new Set(ts.flatMap((t) => t.secrets))].sort() : [];
      for (const n of secrets) if (!SECRET_NAME.test(n)) problems.push(`secret name '${n}' may only contain letters, digits and /_+=.@-`);
      return { kind: spec.name, substitution: spec.substitution, timeoutSeconds: sizeTimeout({ label: spec.label, timeoutSeconds: spec.minTimeoutSeconds }, ts.map(functionWait), problems), secrets, spec };
    });
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

function planCustomHandlers(tasks: TaskReport[], problems: string[]): CustomHandlerPlan[] {
  const byPath = new Map<string, { plan: CustomHandlerPlan; waits: { state: string; timeoutSeconds?: number }[] }>();
  for (const t of tasks) {
    if (t.function?.kind !== 'custom') continue;
    const entry = byPath.get(t.function.path) ?? { plan: { path: t.function.path, nodes: [], substitutions: [], timeoutSeconds: 0, secrets: [] }, waits: [] };
    byPath.set(t.function.path, entry);
    entry.plan.nodes.push(t.node);
    entry.plan.substitutions.push(t.function.substitution);
    entry.plan.secrets = [...new Set([...entry.plan.secrets, ...t.secrets])].sort();
    entry.waits.push(functionWait(t));
  }
  for (const { plan } of byPath.values()) for (const n of plan.secrets) if (!SECRET_NAME.test(n)) problems.push(`secret name '${n}' may only contain letters, digits and /_+=.@-`);
  return [...byPath.values()].map(({ plan, waits }) => ({ ...plan, timeoutSeconds: sizeTimeout({ label: `custom handler ${plan.path}`, timeoutSeconds: CUSTOM_HANDLER_DEFAULTS.timeoutSeconds }, waits, problems) }));
}

/**
 * The state machine's statements: what each Task needs (invoking its function,
 * running its child, starting its build, ...), each statement once. The
 * permissions a workflow declares for a service integration are not here:
 * they get a policy of their own. `${ChildName:<id>}` becomes the child's state machine name.
 */
function stateMachineGrants(tasks: TaskReport[], childName: Map<string, string>, stackName: string, stateMachineName: string): Grant[] {
  const seen = new Set<string>();
  const out: Grant[] = [];
  // The shared functions' grants first, by name (as the handlers are listed), then each Task's own in definition order.
  const byFunction = (t: TaskReport) => (t.function?.kind === 'shared' ? t.function.name : '\uffff');
  for (const t of [...tasks].sort((a, b) => (byFunction(a) < byFunction(b) ? -1 : byFunction(a) > byFunction(b) ? 1 : 0))) {
    if (t.declaredPermissions) continue;
    for (const g of t.iam) {
      const resources = g.resources.map((r) => r.replace(/\$\{ChildName:([^}]+)\}/g, (_, id: string) => childName.get(id) ?? stateMachineNameFor(id, stackName)).replace(/\$\{StateMachineName\}/g, stateMachineName));
      const key = JSON.stringify([g.actions, resources, g.conditions]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ actions: g.actions, resources, ...(g.wildcard ? { wildcard: g.wildcard } : {}), ...(g.conditions ? { conditions: g.conditions } : {}) });
    }
  }
  return out;
}

/** One connection per credential shape its native HTTP Tasks use (the substitution names the shape). */
function planConnections(tasks: TaskReport[], problems: string[]): ConnectionPlan[] {
  const bySubstitution = new Map<string, ConnectionPlan>();
  for (const t of tasks) {
    const c = t.connection;
    if (!c) continue;
    const known = bySubstitution.get(c.substitution);
    if (known) known.nodes.push(t.node);
    else bySubstitution.set(c.substitution, { substitution: c.substitution, secret: c.secret, header: c.header, value: c.value, nodes: [t.node] });
  }
  for (const c of bySubstitution.values()) if (!SECRET_NAME.test(c.secret)) problems.push(`secret name '${c.secret}' may only contain letters, digits and /_+=.@-`);
  return [...bySubstitution.values()];
}

/**
 * A Distributed Map starts its items as child executions of the state machine itself: StartExecution on it,
 * DescribeExecution and StopExecution on its executions (Developer Guide, "IAM policies for using Distributed Map
 * states"). Named by text, not by the state machine's ARN attribute, which its own role's policy cannot reference.
 */
function distributedMapGrants(maps: string[], stateMachineName: string): Grant[] {
  if (!maps.length) return [];
  return [
    { actions: ['states:StartExecution'], resources: [`arn:\${Partition}:states:\${Region}:\${Account}:stateMachine:${stateMachineName}`] },
    {
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [`arn:\${Partition}:states:\${Region}:\${Account}:execution:${stateMachineName}/*`],
      wildcard: `The Distributed Map's child executions, whose names Step Functions makes up (<map run label>:<id>) under this state machine's own name; the wildcard reaches only those.`,
    },
  ];
}

/** Why an EXPRESS state machine could not run this workflow. */
export function expressProblems(report: Pick<CompileReport, 'waitsForCallback' | 'timeoutSeconds' | 'tasks'>): string[] {
  const out: string[] = [];
  if (report.waitsForCallback) {
    out.push('it cannot be deployed as EXPRESS: it waits for a callback (.waitForTaskToken), which EXPRESS state machines do not support; deploy it as STANDARD.');
  }
  const waiting = report.tasks.filter((t) => t.waitsForJob).map((t) => ({ node: t.node, what: t.subWorkflow ? `runs workflow ${t.subWorkflow} and waits for it (startExecution.sync:2)` : `calls ${t.resource}` }));
  for (const w of waiting) {
    out.push(`it cannot be deployed as EXPRESS: node '${w.node}' ${w.what}, and EXPRESS state machines support neither .sync nor .waitForTaskToken Tasks; deploy it as STANDARD.`);
  }
  if (report.timeoutSeconds === undefined || report.timeoutSeconds > EXPRESS_MAX_SECONDS) {
    const why = report.timeoutSeconds === undefined ? 'it declares no timeout, so it can run over 5 minutes' : `its timeout (${report.timeoutSeconds} s) is over 5 minutes`;
    out.push(`it cannot be deployed as EXPRESS: ${why}, the longest an EXPRESS execution may run; declare timeout_sec ≤ ${EXPRESS_MAX_SECONDS} in the workflow to deploy it as EXPRESS.`);
  }
  return out;
}

/**
 * The default state machine name, `<stack name>-<workflow id>`: unique per stack, so a second stack (staging next to
 * production) does not collide, yet known at synth time, so the plan's IAM and the parent's sub-workflow grants
 * name it as text. Step Functions allows letters, digits, '-' and '_' (80 at most).
 */
export function stateMachineNameFor(workflowId: string, stackName: string = DEPLOY_DEFAULTS.stackName): string {
  return stackQualified(stackName, workflowId, 80);
}

/** The default name of the event bus a stack creates for approval requests. */
export function approvalEventBusNameFor(stackName: string = DEPLOY_DEFAULTS.stackName): string {
  return stackQualified(stackName, 'osop-approvals', 256);
}

/** `<stack>-<name>` with other characters than letters, digits, '-' and '_' as '-'; one too long keeps a hash of the whole, so it stays unique. */
function stackQualified(stackName: string, name: string, max: number): string {
  const full = `${stackName}-${name}`.replace(/[^A-Za-z0-9_-]/g, '-');
  return full.length <= max ? full : `${full.slice(0, max - 9)}-${createHash('sha256').update(full).digest('hex').slice(0, 8)}`;
}

/** The ARN pattern IAM grants for one secret: Secrets Manager appends 6 random characters to every secret ARN. */
export function secretArnPattern(prefix: string, name: string): string {
  return `arn:\${Partition}:secretsmanager:\${Region}:\${Account}:secret:${prefix}${name}-??????`;
}


const conditionText = (c: NonNullable<Grant['conditions']>) =>
  Object.entries(c).flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${Array.isArray(v) ? v.join(' | ') : v}`)).join(', ');
const grantText = (g: Grant) => `${g.actions.join(', ')} on ${g.resources.join(', ')}${g.conditions ? ` when ${conditionText(g.conditions)}` : ''}`;
const functionSpec = (memoryMiB: number, timeoutSeconds: number) => `Node.js 22, arm64, ${memoryMiB} MB, timeout ${timeoutSeconds} s`;

export function describeDeployment(report: CompileReport, options: PlanOptions = {}): string[] {
  const plan = planDeployment(report, options);
  const uuid = plan.logGroupName.includes(`\${${STACK_UUID_KEY}}`) ? ` (\${${STACK_UUID_KEY}}: the UUID of the stack's id, new each time the stack is created, as the log group outlives it)` : '';
  const lines = [
    `state machine ${plan.stateMachineName} (${plan.type}), X-Ray tracing on`,
    `  log group ${plan.logGroupName}${uuid}: level ${DEPLOY_DEFAULTS.logLevel}, execution data not logged, kept ${DEPLOY_DEFAULTS.logRetentionDays} days`,
  ];
  for (const h of plan.handlers) {
    const d = h.spec;
    lines.push(`  ${d.label} function (${d.entry}; ${functionSpec(d.memoryMiB, h.timeoutSeconds)}; shared by the stack's workflows) as \${${h.substitution}}`);
    for (const s of h.secrets) lines.push(`    IAM: it may secretsmanager:GetSecretValue ${secretArnPattern(plan.secretPrefix, s)}`);
    if (d.needs === 'approvals') {
      lines.push(`    IAM: it may events:PutEvents on the stack's approval event bus (${approvalEventBusNameFor(options.stackName)} unless it is given another), with source ${APPROVAL_EVENTS.source} only`);
    }
  }
  for (const c of plan.customHandlers) {
    lines.push(`  custom handler function ${c.path} (relative to the workflow file; ${functionSpec(CUSTOM_HANDLER_DEFAULTS.memoryMiB, c.timeoutSeconds)}) for ${c.nodes.join(', ')} as ${c.substitutions.map((k) => `\${${k}}`).join(', ')}`);
    for (const s of c.secrets) lines.push(`    IAM: it may secretsmanager:GetSecretValue ${secretArnPattern(plan.secretPrefix, s)}`);
  }
  if (plan.project) {
    lines.push(`  CodeBuild project (shared by the stack's workflows; each build's commands, image and timeout come from its Task) as \${${plan.project.substitution}}`);
    for (const s of plan.project.secrets) lines.push(`    IAM: its builds may secretsmanager:GetSecretValue ${secretArnPattern(plan.secretPrefix, s)}`);
  }
  for (const c of plan.connections) {
    lines.push(`  EventBridge connection for ${c.nodes.join(', ')} (native HTTP Tasks) as \${${c.substitution}}: API key authorization, header ${c.header} from secret ${plan.secretPrefix}${c.secret} (read at deploy; EventBridge keeps it in a secret of its own; one per credential shape, shared by the stack's workflows)`);
  }
  if (plan.parameters.length) lines.push(`  given by the deployment: ${plan.parameters.map((k) => `\${${k}}`).join(', ')} (the database of the workflow's db nodes)`);
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
  for (const p of plan.problems) lines.push(`  error: ${p}`);
  return lines;
}
