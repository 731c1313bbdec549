/**
 * The task payload contract: the one shape that the compiler writes into each
 * Task state's `Parameters` and that the Lambda handlers (`lambdas/`) read.
 *
 * Both sides import this module, so a change here is a change to both. The
 * compiler fills the fields with literals or JSONPath references; at run time
 * Step Functions resolves them and the handler receives plain values.
 *
 * Secrets never travel in the payload: a string may contain the placeholder
 * `${secrets.NAME}`, and only the fields listed in `secretFields` may have it
 * substituted, by the handler, with the secret's value.
 */

import { createHash } from 'node:crypto';

export const CONTRACT_VERSION = 1 as const;

/** Error names that handlers throw and that the compiler's Retry/Catch rules match. */
export const ErrorNames = {
  /** Network failure, request timeout, HTTP 429 or 5xx: safe to retry with the same idempotency key. */
  HttpTransient: 'OSOP.Http.Transient',
  /** The node's own deadline passed before the response came: retried like a transient error; a timeout edge takes it. */
  HttpTimeout: 'OSOP.Http.Timeout',
  /** Any other unexpected HTTP status (4xx): retrying will not help. */
  HttpRejected: 'OSOP.Http.Rejected',
  /** LLM provider overloaded (429, 529) or failing (5xx): retryable. */
  LlmTransient: 'OSOP.Llm.Transient',
  /** LLM provider rejected the request (4xx other than 429): not retryable. */
  LlmRejected: 'OSOP.Llm.Rejected',
  /** The payload cannot be executed: a missing secret, a host outside the allowed origin, a malformed field. Not retryable. */
  Config: 'OSOP.Config',
  /** The response lacks a declared output, or is too large to return. Not retryable. */
  Output: 'OSOP.Output',
  /** Raised by the state machine when a bounded fallback or loop edge has been taken too often. */
  FallbackExhausted: 'OSOP.FallbackExhausted',
  LoopExhausted: 'OSOP.LoopExhausted',
  /** A for-each whose failed items are more than it tolerates (x-sfn: { tolerated_failure_percentage | tolerated_failure_count }). */
  ForEachTooManyFailures: 'OSOP.ForEach.TooManyFailures',
  /** Sent with SendTaskFailure when an approver rejects (`osop-sfn reject`). */
  ApprovalRejected: 'OSOP.Approval.Rejected',
  /** Internal to wait_any joins: the first branch to finish ends the Parallel state with it. */
  JoinWon: 'OSOP.Join.Won',
  /** A wait_any join where every branch failed. */
  NoBranchSucceeded: 'OSOP.Join.NoBranchSucceeded',
  /** The execution was started without a required input. */
  Input: 'OSOP.Input',
  /** A wait_n join where fewer than N branches succeeded. */
  NotEnoughBranches: 'OSOP.Join.NotEnoughBranches',
  /** The model's structured answer did not match the node's output schema, even after one retry with the validation error. */
  LlmOutput: 'OSOP.Llm.Output',
  /** The MCP server could not be reached, or answered 429/5xx: retryable. */
  McpTransient: 'OSOP.Mcp.Transient',
  /** The MCP tool ran and reported an error (`isError: true`), or the server refused the call. */
  McpToolError: 'OSOP.Mcp.ToolError',
  /** A manual step that the person doing it reported as failed (`osop-sfn complete --failed`). */
  ManualStepFailed: 'OSOP.Manual.Failed',
} as const;

/** A handler error name as a native HTTP Task meets the same failure (a mock written for the handler keeps its meaning). */
export function httpTaskError(error: string): string {
  return ({ [ErrorNames.HttpTransient]: 'States.Http.StatusCode.503', [ErrorNames.HttpRejected]: 'States.Http.StatusCode.400', [ErrorNames.HttpTimeout]: 'States.Timeout' } as Record<string, string>)[error] ?? error;
}

/** Error names a Task retries by default: transient handler failures. */
export const RETRYABLE_HANDLER_ERRORS: readonly string[] = [ErrorNames.HttpTransient, ErrorNames.HttpTimeout, ErrorNames.LlmTransient, ErrorNames.McpTransient];
/** What a node's `timeout` edge catches: Step Functions' own Task timeout, and a handler's own deadline. */
export const TIMEOUT_ERRORS: readonly string[] = ['States.Timeout', ErrorNames.HttpTimeout];

/**
 * What a native HTTP Task (http:invoke) retries, as the REST handler retries OSOP.Http.Transient: 429 and the 5xx
 * statuses, each its own `States.Http.StatusCode.<code>` error, and `States.Http.Socket` (no response within the
 * HTTP Task's 60 seconds). Developer Guide, "Call HTTPS APIs": its example retries States.Http.StatusCode.429/502/503/504.
 */
export const HTTP_TASK_TRANSIENT_ERRORS: readonly string[] = [
  'States.Http.StatusCode.429',
  ...[500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511].map((c) => `States.Http.StatusCode.${c}`),
  'States.Http.Socket',
];

/** The Lambda service's own transient errors (as AWS documents for lambda:invoke). */
export const LAMBDA_SERVICE_ERRORS: readonly string[] = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  // CDK's LambdaInvoke retries this too: the invoke itself timed out on the client side.
  'Lambda.ClientExecutionTimeoutException',
];

/** One declared output of a node: `name` taken from the response body at `path`. */
export interface OutputMapping {
  name: string;
  /**
   * JSONPath into the response body, always starting with `$`:
   * `$.id`, `$.charges.data[0].id`. The compiler turns the seed's `data.id`
   * (where `data` is the body) into `$.id`.
   */
  path: string;
  /** A required output missing from the response is an `OSOP.Output` error; an optional one is returned as null. */
  required: boolean;
}

export type ContentType = 'application/json' | 'application/x-www-form-urlencoded';

/** Common header of every payload. */
export interface TaskPayloadBase {
  /** Absent means 1: the compiler writes it only for later versions. */
  contractVersion?: typeof CONTRACT_VERSION;
  /** Absent in REST and agent payloads: the execution ARN names the state machine (see `workflowOfExecution`). */
  workflowId?: string;
  nodeId: string;
  /** `$$.Execution.Id` at run time. */
  executionId: string;
  /**
   * Which round of the enclosing fallback/loop edges this entry is ("0" when
   * the node is in no cycle). Retries of one Task state keep it; a fallback
   * round changes it. Part of the idempotency key. A number when the node is
   * in exactly one cycle (the round count itself); compare as a string.
   */
  attempt: string | number;
  /**
   * JSON pointers (RFC 6901) into this payload of the string fields where
   * `${secrets.NAME}` placeholders may be replaced, with the names allowed in
   * each. Nothing else is ever substituted: upstream data that happens to
   * contain `${secrets.X}` stays as it is.
   */
  secretFields?: Record<string, string[]>;
}

/** Payload of the REST handler (`api` nodes). */
export interface RestTaskPayload extends TaskPayloadBase {
  kind: 'rest';
  request: {
    method: string;
    /**
     * Absolute URL (base `url` + `endpoint`). With `urlValues`, each `{}` in it
     * is one value, which the handler percent-encodes as one path segment (or
     * one query component after the `?`): data can never change the path.
     */
    url: string;
    urlValues?: (string | number | boolean | null)[];
    headers: Record<string, string>;
    /** Absent: no query parameters. */
    query?: Record<string, string | number | boolean>;
    /** JSON value; encoded according to `contentType`. Absent for GET/HEAD. */
    body?: unknown;
    contentType: ContentType;
  };
  /** The only origin (`https://api.stripe.com`) the handler may call; anything else is refused. */
  allowedOrigin: string;
  /** Accepted statuses; absent or empty means any 2xx. */
  expectedStatus?: number[];
  /** Abort the request after this many milliseconds. */
  timeoutMs: number;
  /** Absent: an Idempotency-Key on every request that is not GET or HEAD. */
  idempotency?: {
    /** Send an `Idempotency-Key` header (always true for non-GET unless the node disables it). */
    enabled: boolean;
    /** A key given by the node (after interpolation); otherwise derived from executionId, nodeId and attempt. */
    key?: string;
  };
  /** Declared outputs; an empty list returns `{}`. */
  outputs: OutputMapping[];
}

/** LLM providers: `anthropic` runs on the agent handler, the others on the OpenAI-compatible handler. */
export type LlmProvider = 'anthropic' | 'openai' | 'google';

/**
 * Payload of the agent handlers (`agent` nodes): `lambdas/agent` for
 * `anthropic`, `lambdas/agent-openai` for `openai` and `google` (Gemini
 * through its OpenAI-compatible endpoint).
 */
export interface AgentTaskPayload extends TaskPayloadBase {
  kind: 'agent';
  provider: LlmProvider;
  model: string;
  systemPrompt?: string;
  /** The node's purpose/description: what the model is asked to do. */
  instruction: string;
  maxTokens: number;
  temperature?: number;
  /** Name of the secret holding the API key; absent: `ANTHROPIC_API_KEY`. */
  apiKeySecret?: string;
  /** Outputs of the nodes that have run, as `{ nodeId: { output: value } }`. */
  context: Record<string, unknown>;
  timeoutMs: number;
  /**
   * When present, the model must answer with a JSON object matching this
   * JSON Schema (an object schema with `properties` and `required`): Anthropic
   * tool use with a forced tool, OpenAI's `json_schema` response format. The
   * handler validates the answer (ajv), asks once more with the validation
   * error, then fails with `OSOP.Llm.Output`. The answer's fields are
   * returned at the top level of the result, next to `text`, `model`, ...
   */
  outputSchema?: Record<string, unknown>;
}

/**
 * Payload of the MCP handler (`mcp` nodes): calls one tool of an MCP server
 * over Streamable HTTP with the official SDK client.
 */
export interface McpTaskPayload extends TaskPayloadBase {
  kind: 'mcp';
  /** The server's Streamable HTTP endpoint (`https://mcp.example.com/mcp`); may hold `${secrets.X}` only where `secretFields` says. */
  serverUrl: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** Extra request headers (e.g. `Authorization: Bearer ${secrets.MCP_TOKEN}`). */
  headers?: Record<string, string>;
  timeoutMs: number;
}

/**
 * What the MCP handler returns: the tool result's text content joined,
 * its structured content (when the tool gives one), and each field of the
 * structured content at the top level too, so that declared outputs read them.
 */
export interface McpResult {
  text: string;
  structured: Record<string, unknown> | null;
  [field: string]: unknown;
}

/**
 * Payload of the approval handler for a manual step: a node with nothing
 * to run (an `api` node without a URL, a `system` node, ...) is work a person
 * does. The handler publishes "do this step" and the execution waits until
 * someone answers `osop-sfn complete --token T [--output k=v ...]`.
 */
export interface ManualStepPayload extends TaskPayloadBase {
  kind: 'manual';
  workflowId: string;
  taskToken: string;
  /** The node's name. */
  title: string;
  /** What to do: the node's purpose/description. */
  instructions: string;
  /** The outputs the workflow expects back (names), for the person answering. */
  outputs: string[];
  context: Record<string, unknown>;
}

/**
 * Payload of the approval handler (`human` nodes and approval gates), called
 * with `.waitForTaskToken`: it publishes the request; the execution waits
 * until someone answers with the token (`osop-sfn approve|reject`).
 */
export interface ApprovalTaskPayload extends TaskPayloadBase {
  kind: 'approval';
  workflowId: string;
  taskToken: string;
  prompt: string;
  approvers: string[];
  /** Outputs of the nodes that have run, shown to the approver. */
  context: Record<string, unknown>;
}

/** The task output an approval answers with (SendTaskSuccess); it becomes the node's outputs. */
export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  comment: string;
  approver: string;
}

/** Payload of a user handler bound with `x-sfn: { handler }`. */
export interface CustomTaskPayload extends TaskPayloadBase {
  kind: 'custom';
  nodeType: string;
  /**
   * The node's runtime block, its `${...}` templates (inputs, earlier outputs, loop items) filled in by the
   * state machine; a `${secrets.NAME}` stays a placeholder at the pointers `secretFields` lists (only under
   * `/runtime`), resolved by the wrapper the user's handler runs in (`lambdas/custom`), which hands the
   * user's module the runtime with the secret in it and without `secretFields`.
   */
  runtime: Record<string, unknown>;
  input: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type TaskPayload = RestTaskPayload | AgentTaskPayload | ApprovalTaskPayload | CustomTaskPayload | McpTaskPayload | ManualStepPayload;

/** What the agent handler returns (becomes the node's outputs). */
export interface AgentResult {
  text: string;
  model: string;
  stop_reason: string | null;
  usage: { input_tokens: number; output_tokens: number };
}

/** Default secret-id prefix in Secrets Manager: `osop/STRIPE_SECRET_KEY`. */
export const DEFAULT_SECRET_PREFIX = 'osop/';

/** Largest response body the REST handler returns whole (Step Functions' own limit is 256 KiB). */
export const MAX_RETURNED_BODY_BYTES = 200 * 1024;

/** The state machine name in an execution ARN (`arn:aws:states:r:a:execution:<machine>:<name>`), for logs. */
export function workflowOfExecution(executionId: string): string | undefined {
  const parts = executionId.split(':');
  return parts.length >= 8 && parts[5] === 'execution' ? parts[6] : undefined;
}

/**
 * The idempotency key derived when the node does not set one: `osop-` and the SHA-256 (hex) of
 * `<executionId>/<nodeId>/<attempt>`. Hashed because execution ARNs are long and APIs cap key length
 * (Stripe: 255; this is 69). Written so that a state machine computes the same key with intrinsics
 * (`idempotencyKeyExpression`) for native HTTP Tasks: ASL has States.Hash and States.Format but no
 * substring, so the key is the whole digest.
 */
export function deriveIdempotencyKey(executionId: string, nodeId: string, attempt: string): string {
  return `osop-${createHash('sha256').update(`${executionId}/${nodeId}/${attempt}`).digest('hex')}`;
}

/**
 * `deriveIdempotencyKey` as an ASL intrinsic: `attempt` is an intrinsic argument (a quoted literal, a
 * JSONPath or an intrinsic), `nodeId` goes into the format text escaped. States.Hash gives lowercase hex
 * (Developer Guide, "Intrinsic functions": States.Hash), as Node's digest('hex') does; a number formats
 * as its JSON text in States.Format, as String() does for the integers attempts are.
 */
export function idempotencyKeyExpression(nodeId: string, attempt: string): string {
  const node = nodeId.replace(/['{}\\]/g, (c) => `\\${c}`);
  return `States.Format('osop-{}', States.Hash(States.Format('{}/${node}/{}', $$.Execution.Id, ${attempt}), 'SHA-256'))`;
}
