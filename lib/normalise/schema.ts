/**
 * zod schemas of the raw document: the field types that every dialect agrees
 * on. Dialect choices (outputs shapes, retry forms, durations) are resolved by
 * hand in `normalise/index.ts`, where the alternatives are explicit.
 *
 * Objects are loose: unknown keys pass here and are reported as warnings by
 * the normaliser (OSOP files carry many descriptive fields a compiler ignores).
 */
import { z } from 'zod';

const idLike = z.union([z.string().min(1), z.number()]).transform(String);
const text = z.string();
const durationLike = z.union([z.string(), z.number()]);

/**
 * `x-sfn` on an edge. The for-each keys: how the Map runs (`map`: inline in the execution, or distributed as child
 * executions with their own histories), the longest list expected (`max_items`, which picks distributed when inline
 * would not fit the execution's history), and how many items may fail before the loop does.
 */
export const EdgeSfn = z.strictObject({
  max_iterations: z.number().int().min(1).max(10000).optional(),
  max_concurrency: z.number().int().min(0).max(10000).optional(),
  map: z.enum(['inline', 'distributed']).optional(),
  max_items: z.number().int().min(1).max(100_000_000).optional(),
  tolerated_failure_percentage: z.number().int().min(0).max(100).optional(),
  tolerated_failure_count: z.number().int().min(0).max(100_000_000).optional(),
  on_item_error: z.enum(['fail', 'continue']).optional(),
});

export const RawEdge = z.looseObject({
  from: idLike,
  to: idLike,
  mode: z.string().optional(),
  when: text.optional(),
  condition: z.union([text, z.boolean()]).optional(),
  label: text.optional(),
  for_each: text.optional(),
  iterator_var: text.optional(),
  join_mode: text.optional(),
  join_count: z.number().optional(),
  cases: z.array(z.unknown()).optional(),
  default_to: text.optional(),
  spawn_count: z.number().optional(),
  delay: durationLike.optional(),
  interval_sec: z.number().optional(),
  explain: z.unknown().optional(),
  description: text.optional(),
  metadata: z.unknown().optional(),
  contract: z.unknown().optional(),
  transform: z.unknown().optional(),
});

export const RawNode = z.looseObject({
  id: idLike,
  type: z.string().min(1),
  subtype: text.optional(),
  name: text.optional(),
  purpose: text.optional(),
  description: text.optional(),
  role: text.optional(),
  owner: text.optional(),
  runtime: z.record(z.string(), z.unknown()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  inputs: z.unknown().optional(),
  outputs: z.unknown().optional(),
  retry_policy: z.record(z.string(), z.unknown()).optional(),
  retry: z.record(z.string(), z.unknown()).optional(),
  timeout_sec: z.number().optional(),
  timeout: durationLike.optional(),
  idempotency: z.record(z.string(), z.unknown()).optional(),
  approval_gate: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
  workflow_ref: text.optional(),
  workflow_inputs: z.record(z.string(), z.unknown()).optional(),
  interval_sec: durationLike.optional(),
  max_polls: z.number().optional(),
});

export const RawWorkflow = z.looseObject({
  osop_version: z.union([z.string(), z.number()]).optional(),
  osop: z.union([z.string(), z.number()]).optional(),
  id: idLike.optional(),
  name: text.optional(),
  description: text.optional(),
  version: z.union([z.string(), z.number()]).optional(),
  nodes: z.array(z.unknown()),
  edges: z.array(z.unknown()).optional(),
  inputs: z.unknown().optional(),
  triggers: z.array(z.unknown()).optional(),
  tests: z.array(z.unknown()).optional(),
  timeout_sec: z.number().optional(),
  timeout: durationLike.optional(),
  retry: z.record(z.string(), z.unknown()).optional(),
});

/** Every key a node may carry per the spec and schema; anything else (but `x-*`) is warned about. */
export const KNOWN_NODE_KEYS = new Set([
  ...Object.keys(RawNode.shape),
  'cost', 'message_contract', 'success_criteria', 'failure_modes', 'handoff', 'explain', 'observability', 'security',
  'parent', 'spawn_policy', 'metadata', 'tags', 'label', 'notes', 'version',
]);

export const KNOWN_EDGE_KEYS = new Set(Object.keys(RawEdge.shape));

export const KNOWN_WORKFLOW_KEYS = new Set([
  ...Object.keys(RawWorkflow.shape),
  'owner', 'visibility', 'tags', 'status', 'usage', 'workflow_type', 'extends', 'metadata', 'schemas', 'roles', 'variables',
  'imports', 'env', 'platforms', 'conformance_level', 'message_contracts', 'contracts', 'views', 'security', 'observability',
  'evolution', 'ledger', 'outputs', 'extensions', 'author', 'license', 'created', 'updated',
]);

export const NODE_TYPES = ['human', 'agent', 'api', 'cli', 'db', 'git', 'docker', 'cicd', 'mcp', 'system', 'infra', 'data'] as const;
/** Types outside the schema that real files use; accepted here, bound or refused by the lowering. */
export const EXTRA_NODE_TYPES = ['event', 'company', 'gateway'] as const;

export const EDGE_MODES = ['sequential', 'conditional', 'parallel', 'loop', 'event', 'fallback', 'error', 'timeout', 'spawn', 'switch'] as const;
/** Modes outside the schema that real files use. */
export const EXTRA_EDGE_MODES = ['dataflow', 'message'] as const;
