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
  /** The source line the position is on, for carets. */
  sourceLine?: string;
}

/** A secret that a workflow's handlers will read at run time (never its value). */
export interface SecretReference {
  name: string;
  /** Node ids that use it. */
  nodes: string[];
}

export type HandlerKind = 'rest' | 'agent' | 'approval';

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
  /** Handler functions the definition invokes (by definition substitution). */
  handlers: HandlerKind[];
  /** The definition substitution key of each handler: `{ rest: 'RestHandlerArn' }`. */
  substitutions: Partial<Record<HandlerKind, string>>;
  secrets: SecretReference[];
  triggers: TriggerSpec[];
  /** True when some state waits for a callback (`.waitForTaskToken`). */
  waitsForCallback: boolean;
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
}

export interface CompileOptions {
  /** Source text; when absent the file is read from disk. */
  source?: string;
  /** Default bound of a fallback edge that loops back (default 3). */
  defaultFallbackBound?: number;
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
