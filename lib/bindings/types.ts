/**
 * A node binding: how one kind of OSOP node becomes a Step Functions Task (or
 * Pass), in one module, like CDK's task classes. Each binding says
 *   - which nodes it binds (`matches`), and reads their `runtime` (`read`, zod);
 *   - which of its fields are `${...}` templates and where secrets may appear (`templates`);
 *   - its fixed outputs (`outputs`);
 *   - its lowering to a state, with the Task's description for the compile
 *     report (`lower`): resource, substitutions, timeout, secrets, the IAM the
 *     state machine needs, the function or project it uses, how it runs locally.
 * `lib/cdk` and `lib/local` read only that description (`TaskReport`).
 * Adding a binding is one file here and one line in `registry.ts`.
 */
import type { z } from 'zod';
import type { DiagnosticSink, SourceRange } from '../diagnostics';
import type { ParsedTemplate, Reference, ResolvedRef } from '../expressions';
import type { JsonTemplate, TemplateText, WorkflowNode } from '../model';
import type { PassState, TaskState } from '../lower/states';
import type { LocalRunner, TaskReport, TriggerSpec } from '../types';

export type { FunctionSpec, Grant, LocalRunner, ProjectSpec, TaskReport } from '../types';

/** What a binding's `read` gets: the node's runtime block and the normaliser's tools. */
export interface ReadContext {
  node: WorkflowNode;
  /** The raw node mapping (for keys outside `runtime`, e.g. `idempotency`, `command`). */
  raw: Record<string, unknown>;
  runtime: Record<string, unknown>;
  runtimeRange: SourceRange;
  sink: DiagnosticSink;
  /** A template text for `holder[key]` with its source position. */
  template(text: string, holder: unknown, key: string | number): TemplateText;
  jsonTemplate(value: unknown, holder: unknown, key: string | number): JsonTemplate;
  valueRange(holder: unknown, key: string | number): SourceRange;
  /** The workflow's own `x-sfn` mapping (`{ http: native }`), as written; empty when it has none. */
  workflowSfn: Record<string, unknown>;
  /** Reports every zod issue of `holder` with its position, as OSOP2011 (a bad runtime field). */
  reportZod(error: z.ZodError, holder: unknown, what: string): void;
}

/** What a binding's `lower` gets. */
export interface LowerContext {
  workflowId: string;
  templates: Map<TemplateText, ParsedTemplate>;
  resolved: Map<Reference, ResolvedRef>;
  sink: DiagnosticSink;
  /** `attempt` of the payload: a literal, or an intrinsic over the enclosing fallback/loop counters. */
  attempt: { literal: number } | { expression: string };
  /** Content types declared by other nodes for each origin (a workflow talks to one API one way). */
  siblingContentTypes: Map<string, string>;
  /** The node is the workflow's entry (an `event` node there is its trigger). */
  isEntry: boolean;
  /** Outputs of this node that other nodes read, with how they are used (typed agent outputs). */
  usedOutputs: Map<string, OutputUse>;
  /** The outputs a node has, each with whether it is sensitive (never given to a model). */
  outputsOf(node: string): { name: string; sensitive: boolean }[];
  /** The node whose outputs are kept under `$.outputs.<key>`. */
  nodeOfKey(key: string): string | undefined;
}

/** How the workflow uses one output of a node: the JSON Schema type it is compared as, the values a switch routes on. */
export interface OutputUse {
  type?: 'string' | 'number' | 'boolean';
  values?: (string | number | boolean | null)[];
}

export interface Lowering {
  state: TaskState | PassState;
  /** The Task's description for the report; absent for a Pass. `state`, `node`, `nodeType`, `binding` are filled in by the lowering. */
  task?: Omit<TaskReport, 'state' | 'node' | 'nodeType' | 'binding'>;
  /** A trigger the node stands for (an entry `event` node): deployed as an EventBridge rule. */
  trigger?: TriggerSpec;
}

export interface Binding<C = unknown> {
  /** The binding's name in the report (`rest`, `command`, ...). */
  readonly id: string;
  /** Whether this binding runs `node` (the registry asks in its order; the first that says yes binds it). */
  matches(node: WorkflowNode, raw: Record<string, unknown>): boolean;
  /** Reads the node's runtime; reports problems with positions and returns undefined when it cannot be bound. */
  read(ctx: ReadContext): C | undefined;
  /** Nodes the binding reads whole (an agent's `context:`): the analysis checks that each exists and has run. */
  nodeRefs?(config: C): { id: string; range: SourceRange }[];
  /** Every template the binding will lower; `secrets` says whether `${secrets.X}` may appear there. */
  templates?(config: C, visit: (t: TemplateText, secrets: boolean) => void): void;
  /** Output names the node has whatever it declares. */
  outputs?(node: WorkflowNode, config: C): readonly string[];
  /** The type of one of its outputs, when the binding knows it (`json`: an object or a list). */
  outputType?(node: WorkflowNode, config: C, name: string): OutputType | undefined;
  /** Whether the state it lowers to can fail (so fallback/error edges out of it make sense). */
  readonly canFail: boolean;
  /** Keys this binding adds to a node's `x-sfn` extension (zod), read from `node.sfn.options`. */
  readonly sfnOptions?: z.ZodRawShape;
  lower(node: WorkflowNode, config: C, ctx: LowerContext): Lowering | undefined;
}

/** The binding of a node as the normaliser left it. */
export type OutputType = 'string' | 'number' | 'boolean' | 'json';

export interface BoundNode {
  id: string;
  config: unknown;
}

export const localRunner = <R extends LocalRunner>(r: R): R => r;
