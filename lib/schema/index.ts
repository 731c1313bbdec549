/**
 * The JSON Schema of the workflow files osop-sfn accepts (`osop-sfn schema`,
 * shipped as schema/osop-sfn.schema.json), for editors: the YAML language
 * server validates and completes workflow files with it.
 *
 * Derived from the compiler's own zod schemas (lib/normalise/schema.ts, each
 * binding's `x-sfn` keys), so it accepts what the compiler reads: the OSOP
 * dialects of real files, unknown keys allowed (the compiler only warns about
 * them), node types and edge modes the compiler knows, and `x-sfn` exactly
 * (an unknown key there is an error). The checks that need the whole graph
 * (references, reachability, ...) are the compiler's: `osop-sfn check`.
 */
import { z } from 'zod';
import { bindingSfnOptions } from '../bindings/registry';
import { EDGE_MODES, EXTRA_EDGE_MODES, EXTRA_NODE_TYPES, EdgeSfn, KNOWN_NODE_KEYS, KNOWN_WORKFLOW_KEYS, NODE_TYPES, RawEdge, RawNode, RawWorkflow } from '../normalise/schema';

type Json = Record<string, unknown>;

/**
 * The `x-sfn` keys every node may carry besides the bindings' own; the normaliser reads them with the
 * same rules (test/schema checks that the two key sets are the same).
 */
const NODE_SFN_COMMON = {
  max_fallbacks: z.number().int().min(0).max(1000).optional(),
  handler: z.string().min(1).optional(),
  resource: z.string().regex(/^arn:aws:states:::[a-z0-9-]+:[A-Za-z0-9.:-]+$/).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  permissions: z.array(z.strictObject({ actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/)).min(1), resources: z.array(z.string().min(1)).min(1) })).optional(),
};

/** What each `x-sfn` key means; every key the compiler accepts has one (checked by test/schema). */
export const NODE_SFN_DOCS: Record<string, string> = {
  handler: 'Run the node with your own Lambda handler: a .ts/.js module (exporting `handler`) relative to the workflow file\'s folder, and inside it. Gets the node\'s runtime, the input and earlier outputs. Not with `resource`.',
  resource: 'Run the node as this Step Functions service integration, e.g. arn:aws:states:::sns:publish or arn:aws:states:::aws-sdk:dynamodb:getItem. Needs `permissions`; not with `handler`.',
  parameters: 'The Parameters of the `resource` integration; ${...} references to inputs and earlier outputs are filled in.',
  permissions: 'The IAM statements the state machine needs for `resource`: exact actions and resources (a wildcard fails cdk-nag at synth).',
  max_fallbacks: 'How many times a failure edge back to an earlier node may be taken before OSOP.FallbackExhausted (default 3).',
  context: 'Agent nodes: the earlier nodes (id) or outputs (node.output) the model may see besides those its prompt references.',
  image: 'Command nodes (cli, cicd, infra, git, docker): the container image the CodeBuild build runs in.',
  compute_type: 'Command nodes: the CodeBuild compute type of the build.',
  cluster_arn: 'db nodes: the ARN of the Aurora cluster (Data API) the SQL runs on.',
  secret_arn: 'db nodes: the ARN of the Secrets Manager secret with the database credentials.',
  database: 'db nodes: the database name.',
  mcp_server: 'mcp nodes: the MCP server\'s Streamable HTTP URL (else runtime.server).',
  mcp_tool: 'mcp nodes: the tool to call (else runtime.tool).',
  http: "api nodes: `native` runs the call as a Step Functions HTTP Task (http:invoke, no Lambda; the credential from an EventBridge connection) where the node fits one, `lambda` on the REST handler; also settable for the whole workflow as top-level x-sfn: { http: native }.",
};

export const EDGE_SFN_DOCS: Record<string, string> = {
  max_iterations: 'A loop or conditional edge back to an earlier node: at most this many rounds (default 10), then OSOP.LoopExhausted.',
  max_concurrency: 'A for-each loop edge: how many items run at once (default 10; 0 is no limit).',
  map: 'A for-each loop edge: an inline Map (default) or a distributed Map (child executions).',
  max_items: 'A for-each loop edge: at most this many items.',
  tolerated_failure_percentage: 'A for-each loop edge: the percentage of items that may fail without failing the loop.',
  tolerated_failure_count: 'A for-each loop edge: the number of items that may fail without failing the loop.',
  on_item_error: 'A for-each loop edge: `fail` (default) fails the loop at the first failed item; `continue` lets every item fail.',
};

const WORKFLOW_DOCS: Record<string, string> = {
  osop_version: 'The OSOP version of the file (`osop` is accepted too).',
  osop: 'The OSOP version of the file (older spelling of `osop_version`).',
  id: 'The workflow id: the state machine name on AWS (`<stack name>-<id>`) and what `workflow_ref` names.',
  name: 'A human-readable name.',
  nodes: 'The steps of the workflow.',
  edges: 'How the nodes are joined.',
  inputs: 'The execution input the workflow reads as ${inputs.x}.',
  tests: 'Tests `osop-sfn test` runs on the local engine, each node answered by its mock.',
  retry: 'Every node\'s default retry policy.',
  timeout: 'The workflow\'s timeout (a duration such as "1h30m").',
  imports: 'Other workflow files the workflow_ref nodes name.',
};

const NODE_DOCS: Record<string, string> = {
  id: 'The node id: its state name, and how references name its outputs (${id.output}).',
  type: 'What the node does; the compiler binds it (docs/bindings.md).',
  runtime: 'What the node runs: method and url (api), provider, model and prompt (agent), commands (cli, ...), sql (db), server and tool (mcp). `config` is accepted too.',
  outputs: 'The outputs later nodes read (names, {name, ...}, a map of schemas, or one-key maps with a path).',
  retry_policy: 'Retries: {max_retries, strategy, backoff_sec}.',
  retry: 'Retries: {max_attempts, backoff{...}} (max_attempts counts the first try).',
  timeout_sec: 'The node\'s deadline in seconds (TimeoutSeconds).',
  timeout: 'The node\'s deadline as a duration ("10m", "24h").',
  approval_gate: 'Wait for an approval (osop-sfn approve|reject) before the node runs.',
  workflow_ref: 'Start another workflow (its id) and wait for it.',
  'x-sfn': 'osop-sfn options of this node.',
};

const EDGE_DOCS: Record<string, string> = {
  from: 'The node the edge leaves.',
  to: 'The node the edge enters.',
  mode: 'How the edge is taken (default sequential).',
  when: 'A CEL condition: the edge is taken when it holds (`condition` is accepted too).',
  condition: 'A CEL condition (older spelling of `when`).',
  for_each: 'A loop edge: the list to run the loop body for, one item at a time (a Map).',
  iterator_var: 'A loop edge: the name of the item (${loop.<name>}).',
  join_mode: 'A fork: wait_all (default), wait_any or wait_n.',
  join_count: 'A wait_n fork: how many branches must succeed.',
  'x-sfn': 'osop-sfn options of this edge.',
};

const toJson = (schema: z.ZodType): Json => {
  const out = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return stripNonStandardFormats(out) as Json;
};

/** zod writes `format: "starts_with"` beside the pattern it means; editors and validators know no such format. */
function stripNonStandardFormats(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNonStandardFormats);
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'format' && (v === 'starts_with' || v === 'ends_with' || v === 'includes')) continue;
    out[k] = stripNonStandardFormats(v);
  }
  return out;
}

function describe(properties: Json, docs: Record<string, string>): void {
  for (const [key, text] of Object.entries(docs)) {
    const p = properties[key];
    if (p && typeof p === 'object') (p as Json).description = text;
  }
}

/** Keys the compiler knows but types no further (descriptive OSOP fields): offered by completion, any value. */
function addKnown(properties: Json, keys: Iterable<string>): void {
  for (const k of keys) if (!(k in properties)) properties[k] = {};
}

function sfnSchema(shape: z.ZodRawShape, docs: Record<string, string>, what: string): Json {
  const schema = toJson(z.strictObject(shape));
  describe(schema.properties as Json, docs);
  schema.description = `osop-sfn options of ${what}; an unknown key is an error (OSOP2009).`;
  return schema;
}

/** The node `x-sfn` keys: the bindings' own and the common ones. */
export function nodeSfnShape(): z.ZodRawShape {
  return { ...bindingSfnOptions(), ...NODE_SFN_COMMON };
}

export function workflowJsonSchema(): Json {
  const workflow = toJson(RawWorkflow);
  const node = toJson(RawNode);
  const edge = toJson(RawEdge);
  const wp = workflow.properties as Json;
  const np = node.properties as Json;
  const ep = edge.properties as Json;
  addKnown(wp, KNOWN_WORKFLOW_KEYS);
  addKnown(np, KNOWN_NODE_KEYS);
  np.type = { type: 'string', enum: [...NODE_TYPES, ...EXTRA_NODE_TYPES] };
  ep.mode = { type: 'string', enum: [...EDGE_MODES, ...EXTRA_EDGE_MODES] };
  np['x-sfn'] = { $ref: '#/definitions/nodeSfn' };
  ep['x-sfn'] = { $ref: '#/definitions/edgeSfn' };
  // The workflow's own x-sfn (read by the normaliser): native HTTP Tasks for every api node.
  wp['x-sfn'] = {
    type: 'object',
    additionalProperties: false,
    properties: {
      http: { type: 'string', enum: ['native', 'lambda'], description: 'native: every api node that fits one runs as a Step Functions HTTP Task (no Lambda); a node may say x-sfn: { http: lambda } to stay on the REST handler.' },
      type: { type: 'string', enum: ['standard', 'express'], description: 'The state machine type: express (billed per request and duration, at most 5 minutes, at-least-once, no execution history: logs at level ALL) where `osop-sfn cost` says the workflow may run as Express; the construct\'s type prop overrides it.' },
    },
    description: 'osop-sfn options of the whole workflow.',
  };
  wp.nodes = { type: 'array', items: { $ref: '#/definitions/node' } };
  wp.edges = { type: 'array', items: { $ref: '#/definitions/edge' } };
  describe(wp, WORKFLOW_DOCS);
  describe(np, NODE_DOCS);
  describe(ep, EDGE_DOCS);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'OSOP workflow (osop-sfn)',
    description: 'An OSOP workflow file as osop-sfn compiles it to AWS Step Functions: the OSOP dialects of real files and the x-sfn extension. `osop-sfn check` reports what a schema cannot (references, reachability, ...).',
    ...workflow,
    definitions: {
      node: { ...node, description: 'A step of the workflow.' },
      edge: { ...edge, description: 'An edge between two nodes.' },
      nodeSfn: sfnSchema(nodeSfnShape(), NODE_SFN_DOCS, 'a node'),
      edgeSfn: sfnSchema(EdgeSfn.shape, EDGE_SFN_DOCS, 'an edge'),
    },
  };
}

/** The schema as shipped: stable JSON text. */
export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}
