/**
 * The normalised workflow model: the one typed shape that `normalise` makes
 * out of the many dialects real OSOP files use, and that `analyse` and `lower`
 * read. Plain data; every element keeps its source range.
 */
import type { SourceRange } from './diagnostics';

/** A string from the document that may hold `${...}` references, with where it is. */
export class TemplateText {
  constructor(
    readonly text: string,
    /** Range of the scalar in the file. */
    readonly range: SourceRange,
    /** Offset of the string's first character in the file (after an opening quote), when it can be known exactly. */
    readonly contentOffset: number | undefined,
  ) {}
}

/** A JSON value whose strings are TemplateTexts (request bodies, headers, queries). */
export type JsonTemplate = TemplateText | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };

export interface OutputDecl {
  name: string;
  /** JSONPath into the response body (`$.id`); for agent nodes unused. */
  path: string;
  required: boolean;
  type?: 'string' | 'number' | 'boolean';
  /** Marked `sensitive: true` or `secret: true`: never given to a language model. */
  sensitive?: boolean;
  range: SourceRange;
}

export interface RetrySpec {
  maxAttempts: number;
  intervalSeconds: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  range: SourceRange;
}

/** Compiler options on a node, from its `x-sfn` extension. */
export interface NodeSfnOptions {
  /** How many times the node's fallback edge may be taken in one execution when it loops back (default 3). */
  maxFallbacks?: number;
  /** A user Lambda handler (path to a TypeScript/JavaScript module exporting `handler`) that runs the node. */
  handler?: { path: string; range: SourceRange };
  /** Any Step Functions service integration (`arn:aws:states:::...`) with its Parameters. */
  resource?: { arn: string; parameters: JsonTemplate; permissions: { actions: string[]; resources: string[] }[]; range: SourceRange };
  /** The keys bindings add to `x-sfn` (image, compute_type, cluster_arn, ...), as written. */
  options?: Record<string, unknown>;
}

/** A human approval: a `human` node, or `approval_gate` on any node. */
export interface ApprovalSpec {
  approvers: string[];
  /** What the approver is asked; may refer to earlier outputs. */
  prompt: TemplateText;
  timeoutSeconds?: number;
  range: SourceRange;
}

export interface WorkflowNode {
  id: string;
  index: number;
  type: string;
  subtype?: string;
  name?: string;
  /** `purpose` or `description`. */
  purpose?: string;
  outputs: OutputDecl[];
  retry?: RetrySpec;
  timeoutSeconds?: number;
  /** The runtime block as written, for user handlers. */
  runtime: Record<string, unknown>;
  /** The binding that runs the node (lib/bindings) and what it read from the node; absent when the node could not be bound (reported). */
  binding?: { id: string; config: unknown };
  workflowRef?: string;
  workflowRefRange?: SourceRange;
  workflowInputs?: Record<string, JsonTemplate>;
  /** Set for `human` nodes and nodes with an `approval_gate`. */
  approval?: ApprovalSpec;
  /** A node that polls (subtype `polling`, or `interval_sec`/`max_polls`): the wait and the bound of the loop edges back into it. */
  polling?: { intervalSeconds?: number; maxPolls?: number; range: SourceRange };
  sfn: NodeSfnOptions;
  range: SourceRange;
  idRange: SourceRange;
  typeRange: SourceRange;
}

export type EdgeMode = 'sequential' | 'conditional' | 'parallel' | 'loop' | 'event' | 'fallback' | 'error' | 'timeout' | 'spawn' | 'switch' | 'dataflow' | 'message';

export interface WorkflowEdge {
  index: number;
  from: string;
  to: string;
  mode: EdgeMode;
  /** Whether `mode` was written (87 real edges omit it). */
  modeGiven: boolean;
  condition?: TemplateText;
  label?: string;
  forEach?: string;
  iteratorVar?: string;
  joinMode?: string;
  joinCount?: number;
  spawnCount?: number;
  /** Switch edges: the routing table and the default target. */
  cases?: { value: string | number | boolean | null; to: string; range: SourceRange }[];
  defaultTo?: { to: string; range: SourceRange };
  sfn: {
    maxIterations?: number;
    maxConcurrency?: number;
    /** for-each only: how the Map runs, the longest list expected, and the failures it tolerates (`on_item_error: continue` is 100 %). */
    map?: 'inline' | 'distributed';
    maxItems?: number;
    toleratedFailurePercentage?: number;
    toleratedFailureCount?: number;
  };
  /** A loop edge's pause before the next round (`delay` or `interval_sec` on the edge). */
  waitSeconds?: number;
  /** Set by the analysis on the per-target edges it derives from a switch edge with cases. */
  switchEdge?: WorkflowEdge;
  range: SourceRange;
  fromRange: SourceRange;
  toRange: SourceRange;
  modeRange: SourceRange;
}

export interface InputDecl {
  name: string;
  required: boolean;
  type?: 'string' | 'number' | 'boolean';
  /** Its JSON Schema keywords as declared (type, enum, pattern, ...). */
  schema?: Record<string, unknown>;
  /** `default:`, applied when the execution input lacks it. */
  default?: unknown;
  range: SourceRange;
}

export interface Trigger {
  type: string;
  config: Record<string, unknown>;
  range: SourceRange;
}

export interface WorkflowTest {
  id: string;
  raw: Record<string, unknown>;
  range: SourceRange;
}

export interface Workflow {
  id: string;
  name: string;
  description?: string;
  version?: string;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  /** Declared workflow inputs; null when the file declares none. */
  inputs: InputDecl[] | null;
  timeoutSeconds?: number;
  /** `x-sfn: { type: express }`: the state machine type the workflow asks for. */
  stateMachineType?: 'STANDARD' | 'EXPRESS';
  retry?: RetrySpec;
  triggers: Trigger[];
  tests: WorkflowTest[];
  /** `imports`: paths of other workflow files, relative to this one. */
  imports: { path: string; range: SourceRange }[];
  range: SourceRange;
  idRange: SourceRange;
}

/** Visit every template text of a JSON template. */
export function walkTemplates(v: JsonTemplate, visit: (t: TemplateText) => void): void {
  if (v instanceof TemplateText) visit(v);
  else if (Array.isArray(v)) v.forEach((x) => walkTemplates(x, visit));
  else if (v && typeof v === 'object') for (const x of Object.values(v)) walkTemplates(x, visit);
}
