/**
 * Public types of osop-sfn: what `compile()` takes and returns. The CLI, the
 * CDK construct and the local runner use only these.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Stable code, `OSOP1203`; listed in `lib/diagnostics/codes.ts`. */
  code: string;
  message: string;
  /** What to do about it. */
  hint?: string;
  file: string;
  /** 1-based; 0 when the diagnostic has no position (a missing file). */
  line: number;
  column: number;
  /** The source line the position is on, for carets (long lines clipped around the column). */
  sourceLine?: string;
  /** The caret's column in `sourceLine` (differs from `column` when the line was clipped). */
  sourceColumn?: number;
}

/** A secret that a workflow's handlers will read at run time (never its value). */
export interface SecretReference {
  name: string;
  /** Node ids that use it. */
  nodes: string[];
}

/** A shared handler function by its name (`rest`, `agent`, `agent-openai`, `approval`, `mcp`): one per stack. */
export type HandlerKind = string;

/**
 * One IAM statement. Resources are written as the plan prints them:
 * `arn:${Partition}:states:${Region}:${Account}:...` for the stack's partition,
 * region and account, `${Key}` for the ARN (or name) the definition substitution `Key` stands for.
 */
export interface Grant {
  actions: string[];
  resources: string[];
  /** Why a resource ends in `*` (the reason its cdk-nag finding is acknowledged with); absent when none does. */
  wildcard?: string;
  /** IAM conditions (`{ StringLike: { 'states:HTTPEndpoint': ... } }`); absent when the statement has none. */
  conditions?: Record<string, Record<string, string | string[]>>;
}

/**
 * The EventBridge connection a native HTTP Task authenticates with: the stack creates it from the secret
 * `<prefix><secret>` (API key authorization: header `header`, value `value` with `${secrets.<secret>}` filled in);
 * its ARN goes into the definition as `${<substitution>}`. Locally the secret comes from the local secret store.
 */
export interface ConnectionSpec {
  substitution: string;
  secret: string;
  header: string;
  value: string;
}

/** The Lambda function a Task invokes. */
export type FunctionSpec =
  | {
      kind: 'shared';
      /** One function of this name per stack, shared by its workflows. */
      name: HandlerKind;
      label: string;
      /** The handler module, relative to the package root. */
      entry: string;
      substitution: string;
      /** The function's timeout is at least this, or the longest Task that waits for it. */
      minTimeoutSeconds: number;
      memoryMiB: number;
      /** `secrets`: reads the workflow's secrets from Secrets Manager; `approvals`: publishes requests on the approval bus. */
      needs: 'secrets' | 'approvals';
    }
  | { kind: 'custom'; /** relative to the workflow file's folder */ path: string; substitution: string };

/** The CodeBuild project a Task starts (one per stack, shared; the Task overrides image, commands, timeout). */
export interface ProjectSpec {
  substitution: string;
  /** Secrets the build reads as Secrets Manager environment variables. */
  secrets: string[];
}

/** How a Task runs in `osop-sfn run` / `test` (lib/local has one runner per kind). */
export type LocalRunner =
  /** A handler module of `lambdas/` in-process, called as Lambda calls it. */
  | { kind: 'lambda'; handler: HandlerKind }
  /** Waits for an answer: an approval (`--approve`) or a manual step (`--complete`). */
  | { kind: 'callback'; answer: 'approval' | 'manual' }
  /** The user's handler module (`x-sfn: { handler }`), relative to the workflow file's folder. */
  | { kind: 'custom'; path: string }
  /** Another workflow, compiled and run on the same engine. */
  | { kind: 'subworkflow'; workflowId: string; file?: string }
  /** CodeBuild's startBuild.sync: the buildspec's commands in a child process (with --allow-commands). */
  | { kind: 'codebuild' }
  /** The RDS Data API: an embedded Postgres. */
  | { kind: 'rds-data' }
  /** EventBridge PutEvents: recorded and shown. */
  | { kind: 'eventbridge' }
  /** A native HTTP Task (http:invoke): the REST handler's request logic in-process, answering and failing as Step Functions does. */
  | { kind: 'http' }
  /** Nothing local stands in for it (a service integration): `osop-sfn test` mocks it. */
  | { kind: 'none' };

/** One Task state of the definition, as the compiler knows it: what lib/cdk deploys and lib/local runs. */
export interface TaskReport {
  state: string;
  node: string;
  nodeType: string;
  /** The binding that lowered it (`rest`, `agent`, `command`, ...). */
  binding: string;
  resource: string;
  /** Definition substitutions the state uses (`RestHandlerArn`, ...). */
  substitutions: string[];
  /** How long Step Functions waits for the work itself (a callback's wait for the answer is not this). */
  timeoutSeconds?: number;
  /** `.waitForTaskToken`: waits for an answer (approval, manual step). */
  waitsForCallback: boolean;
  /** `.sync`: waits for a job (CodeBuild, a sub-workflow). */
  waitsForJob: boolean;
  /** Secret names the work reads (never their values). */
  secrets: string[];
  /** Statements the state machine's role needs for this Task, besides invoking `function`. */
  iam: Grant[];
  function?: FunctionSpec;
  project?: ProjectSpec;
  local: LocalRunner;
  /** The model an agent Task asks. */
  model?: { provider: string; model: string };
  /** The only origin a REST Task calls. */
  origin?: string;
  /** The EventBridge connection of a native HTTP Task (http:invoke). */
  connection?: ConnectionSpec;
  /** A native HTTP Task's outputs: name → JSONPath into the response body (`$.id`), what its ResultSelector reads under `$.ResponseBody`. */
  responsePaths?: Record<string, string>;
  /** The `iam` statements are the workflow's own declaration (x-sfn.permissions): deployed as written, in a policy of their own. */
  declaredPermissions?: boolean;
  /** The workflow id of the sub-workflow it starts; `${ChildName:<id>}` in `iam` stands for its state machine name. */
  subWorkflow?: string;
}

export interface TriggerSpec {
  type: string;
  config: Record<string, unknown>;
}

/** The compile report: everything a deployment or a runner needs besides the ASL. */
export interface CompileReport {
  workflowId: string;
  workflowName: string;
  /** ASL state names, in definition order. */
  states: string[];
  /** Every Task state: what it runs, what it needs deployed, how it runs locally. */
  tasks: TaskReport[];
  /** JSON Schema of the execution input, from the declared `inputs:` (absent when the workflow declares none). */
  inputSchema?: Record<string, unknown>;
  /** Every node, with the state that does its work (its id) and the binding that lowered it. */
  nodes: { id: string; type: string; binding: string }[];
  /** Handler functions the definition invokes (by definition substitution). */
  handlers: HandlerKind[];
  /** The definition substitution key of each handler: `{ rest: 'RestHandlerArn' }`. */
  substitutions: Partial<Record<HandlerKind, string>>;
  secrets: SecretReference[];
  triggers: TriggerSpec[];
  /** True when some state waits for a callback (`.waitForTaskToken`). */
  waitsForCallback: boolean;
  /** The state machine type the workflow asks for (`x-sfn: { type }`); the construct's `type` prop overrides it. */
  stateMachineType?: 'STANDARD' | 'EXPRESS';
  /** Upper bound of the execution's duration in seconds when one is known (workflow `timeout_sec`). */
  timeoutSeconds?: number;
  /** The origins that REST nodes call. */
  origins: string[];
  /** Agent nodes and their models. */
  models: { node: string; provider: string; model: string }[];
  /** Secrets holding LLM API keys (read by the agent handler). */
  agentSecrets: string[];
  /** User Lambda handlers bound with `x-sfn: { handler }`: module path (relative to the workflow file's folder) and substitution key. */
  customHandlers: { node: string; path: string; substitution: string }[];
  /** Service integrations bound with `x-sfn: { resource }`. */
  serviceIntegrations: { node: string; resource: string; permissions: { actions: string[]; resources: string[] }[] }[];
  /** Sub-workflows started by `workflow_ref` nodes, with the substitution key of their state machine ARN. */
  subWorkflows: { node: string; workflowId: string; substitution: string; file?: string }[];
  /** Nodes that wait for a human approval. */
  approvals: { node: string; approvers: string[]; timeoutSeconds: number }[];
  /** Map states that run each item as a child execution of this state machine (Distributed Map): it must be allowed to start, watch and stop them. */
  distributedMaps: string[];
}

export interface CompileOptions {
  /** Source text; when absent the file is read from disk. */
  source?: string;
  /** Default bound of a fallback edge that loops back (default 3). */
  defaultFallbackBound?: number;
  /** Loose forms read one documented way (and manual steps) are errors instead of warnings. */
  strict?: boolean;
}

export interface CompileResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The ASL definition (JSONPath query language), present when ok. */
  definition?: AslDefinition;
  report?: CompileReport;
  /** True when compilation stopped on a bug in the compiler (diagnostic OSOP9000), not on the input. */
  internalError?: boolean;
}

/** An ASL state machine definition as plain JSON. */
export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  TimeoutSeconds?: number;
  QueryLanguage?: 'JSONPath';
}
