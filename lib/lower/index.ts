/**
 * Lower: the analysed workflow → a graph of ASL states (JSONPath).
 *
 *   node (api | agent)          → Task (lambda:invoke of the REST / agent handler)
 *   node (subtype router|join)  → Pass
 *   sequential edge             → Next
 *   conditional edges           → a Choice after the node; first match in file order
 *   fallback edge               → Catch States.ALL (+ a counter when it loops back)
 *   conditional/loop back-edge  → a Choice branch through a counter guard
 *
 * Constructs of the full graph model (parallel, for-each, switch, human,
 * sub-workflows, other node types) are reported as not supported yet.
 */
import { ErrorNames } from '../contract/task-payload';
import { Codes, DiagnosticSink } from '../diagnostics';
import { lowerCondition, type ChoiceRule as ExprChoiceRule } from '../expressions';
import type { AnalysedWorkflow } from '../analyse';
import type { WorkflowEdge, WorkflowNode } from '../model';
import type { HandlerKind } from '../types';
import { lowerAgentNode } from './agent-task';
import {
  DEFAULT_MAX_FALLBACKS,
  DEFAULT_MAX_LOOP_ITERATIONS,
  DONE_STATE,
  INIT_STATE,
  MAX_STATE_NAME,
  counterKey,
  counterPath,
  counterValuePath,
  errorPath,
  fallbackCountState,
  fallbackExhaustedState,
  fallbackGuardState,
  loopCountState,
  loopExhaustedState,
  loopGuardState,
  routeState,
} from './layout';
import type { PayloadContext } from './payload';
import { lowerRestNode, type TaskCommon } from './rest-task';
import type { ChoiceRule, ChoiceState, PassState, State, StateGraph, TaskState } from './states';

export type { StateGraph, State } from './states';

export interface LowerOptions {
  defaultFallbackBound: number;
}

export interface LoweredWorkflow {
  graph: StateGraph;
  handlers: HandlerKind[];
  origins: string[];
  models: { node: string; provider: string; model: string }[];
}

/** Modes whose lowering belongs to the full graph model (issue: parallel, loops, switch, ...). */
const LATER_MODES: Record<string, string> = {
  parallel: 'parallel branches',
  event: 'event edges',
  spawn: 'spawn edges',
  switch: 'switch edges',
  error: 'error edges',
  timeout: 'timeout edges',
  dataflow: "'dataflow' edges (joins)",
  message: "'message' edges",
};

const ROUTING_SUBTYPES = new Set(['router', 'join', 'parallel', 'merge', 'gateway']);

export function lowerWorkflow(a: AnalysedWorkflow, sink: DiagnosticSink, options: LowerOptions = { defaultFallbackBound: DEFAULT_MAX_FALLBACKS }): LoweredWorkflow | undefined {
  return new Lowerer(a, sink, options).run();
}

class Lowerer {
  private readonly states = new Map<string, State>();
  private readonly counters: string[] = [];
  private readonly handlers = new Set<HandlerKind>();
  private readonly origins = new Set<string>();
  private readonly models: LoweredWorkflow['models'] = [];
  private doneUsed = false;
  private readonly ctx: PayloadContext;

  constructor(private readonly a: AnalysedWorkflow, private readonly sink: DiagnosticSink, private readonly options: LowerOptions) {
    this.ctx = { templates: a.templates, resolved: a.resolved, sink, secretFields: {} };
  }

  run(): LoweredWorkflow | undefined {
    const wf = this.a.workflow;
    const init: PassState = { Type: 'Pass', Comment: 'Lay out the execution data: input, outputs, errors, counters.', Parameters: {}, Next: this.a.entry.id };
    this.states.set(INIT_STATE, init);
    const siblingContentTypes = new Map<string, string>();
    for (const n of wf.nodes) {
      if (n.binding?.kind === 'rest' && n.binding.declaredContentType && n.binding.url) {
        const m = /^(https?:\/\/[^/?#@\s$]+)/i.exec(n.binding.url.text);
        if (m) siblingContentTypes.set(new URL(m[1]).origin, n.binding.declaredContentType);
      }
    }
    for (const node of wf.nodes) {
      if (this.a.nodeById.get(node.id) !== node) continue; // a duplicate id, already reported
      this.lowerNode(node, siblingContentTypes);
    }
    if (this.doneUsed) this.states.set(DONE_STATE, { Type: 'Succeed', Comment: 'No condition matched and nothing follows: the workflow ends.', OutputPath: '$.outputs' });
    const counters: Record<string, unknown> = {};
    for (const key of this.counters) counters[key] = { count: 0 };
    init.Parameters = { 'input.$': '$', outputs: {}, errors: {}, ...(this.counters.length ? { counters } : {}) };
    for (const name of this.states.keys()) {
      if (name.length > MAX_STATE_NAME) {
        this.sink.error(Codes.StateNameTooLong, `State name '${name}' is longer than Step Functions' limit of ${MAX_STATE_NAME} characters.`, null, 'Shorten the node id.');
      }
    }
    if (this.sink.hasErrors) return undefined;
    return {
      graph: { startAt: INIT_STATE, states: this.states, comment: wf.name, timeoutSeconds: wf.timeoutSeconds },
      handlers: [...this.handlers].sort(),
      origins: [...this.origins].sort(),
      models: this.models,
    };
  }

  private lowerNode(node: WorkflowNode, siblingContentTypes: Map<string, string>): void {
    const main = this.mainState(node, siblingContentTypes);
    if (!main) return;
    this.claim(node.id, main, node);
    this.lowerOutEdges(node, main);
  }

  /** The state that does the node's work. */
  private mainState(node: WorkflowNode, siblingContentTypes: Map<string, string>): TaskState | PassState | undefined {
    if (node.workflowRef) return void this.later(node, `Sub-workflows (workflow_ref '${node.workflowRef}')`);
    if (node.hasApprovalGate || node.type === 'human') return void this.later(node, node.type === 'human' ? 'human nodes (approvals)' : 'approval gates');
    if (node.subtype && ROUTING_SUBTYPES.has(node.subtype) && !node.binding) {
      return { Type: 'Pass', Comment: node.name ?? `${node.subtype} ${node.id}`, ResultPath: null };
    }
    const common: TaskCommon = { workflowId: this.a.workflow.id, attempt: this.attemptOf(node), siblingContentTypes };
    const b = node.binding;
    if (b?.kind === 'rest') {
      const r = lowerRestNode(node, b, this.ctx, common);
      if (!r) return undefined;
      this.handlers.add('rest');
      this.origins.add(r.origin);
      return r.state;
    }
    if (b?.kind === 'agent') {
      const t = lowerAgentNode(node, b, this.ctx, common);
      if (!t) return undefined;
      this.handlers.add('agent');
      this.models.push({ node: node.id, provider: b.provider, model: b.model });
      return t;
    }
    this.sink.error(Codes.UnboundNodeType, `Node '${node.id}' has type '${node.type}', which has no Step Functions binding yet.`, node.typeRange,
      "Nodes of type api (REST calls) and agent (LLM calls) compile today; routing nodes (subtype router or join) become Pass states. Binding other types ('x-sfn: { handler }' or a service integration) is planned.");
    return undefined;
  }

  /** `attempt` of a node: which round of its enclosing fallback/loop cycles this is. */
  private attemptOf(node: WorkflowNode): TaskCommon['attempt'] {
    const cycles = this.a.enclosingCycles.get(node.id) ?? [];
    if (cycles.length === 0) return { literal: '0' };
    const paths = cycles.map((e) => counterValuePath(counterKey(e.mode === 'fallback' ? 'fallback' : 'loop', e.from, e.to)));
    return { expression: `States.Format('${paths.map(() => '{}').join('.')}', ${paths.join(', ')})` };
  }

  private lowerOutEdges(node: WorkflowNode, main: TaskState | PassState): void {
    const out = this.a.outEdges.get(node.id) ?? [];
    const sequential: WorkflowEdge[] = [];
    const branches: WorkflowEdge[] = [];
    let fallback: WorkflowEdge | undefined;
    for (const e of out) {
      if (e.mode === 'sequential') sequential.push(e);
      else if (e.mode === 'conditional') branches.push(e);
      else if (e.mode === 'loop') {
        if (e.forEach) this.laterEdge(e, 'for-each loops');
        else if (!e.condition) this.sink.error(Codes.MissingCondition, `The loop edge ${e.from} → ${e.to} has neither 'when' nor 'for_each', so it would never stop.`, e.range, "Add when: \"<condition to repeat>\".");
        else if (!this.a.backEdges.has(e)) this.laterEdge(e, 'loop edges that go forward');
        else branches.push(e);
      } else if (e.mode === 'fallback') {
        if (e.condition) this.laterEdge(e, 'fallback edges with a condition (error routing)');
        else if (fallback) this.sink.error(Codes.NotSupportedYet, `Node '${node.id}' has a second fallback edge (to '${e.to}'); one failure can only go one way.`, e.range, `Keep one fallback edge; the first goes to '${fallback.to}'.`);
        else fallback = e;
      } else {
        this.laterEdge(e, LATER_MODES[e.mode] ?? `${e.mode} edges`);
      }
    }
    if (sequential.length > 1) {
      this.sink.error(Codes.NotSupportedYet, `Node '${node.id}' has ${sequential.length} sequential out-edges (to ${sequential.map((e) => `'${e.to}'`).join(', ')}): an implicit fork into parallel branches, which this compiler does not support yet.`, sequential[1].range, 'Chain the nodes one after another, or make the choice explicit with conditional edges.');
    }

    if (fallback) {
      if (main.Type !== 'Task') {
        this.sink.error(Codes.NotSupportedYet, `The routing node '${node.id}' cannot fail, so its fallback edge would never be taken.`, fallback.range);
      } else {
        main.Catch = [{ ErrorEquals: ['States.ALL'], ResultPath: errorPath(node.id), Next: this.fallbackTarget(node, fallback) }];
      }
    }

    if (branches.length > 0) {
      const route = this.routeChoice(node, branches, sequential[0]);
      main.Next = this.claim(routeState(node.id), route, node);
    } else if (sequential.length >= 1) {
      main.Next = sequential[0].to;
    } else {
      main.End = true;
      main.OutputPath = '$.outputs';
    }
  }

  /** The Choice after a node with conditional (or loop) out-edges. */
  private routeChoice(node: WorkflowNode, branches: WorkflowEdge[], unconditional: WorkflowEdge | undefined): ChoiceState {
    const choices: ChoiceRule[] = [];
    let defaultTarget: string | undefined = unconditional?.to;
    const simple: ExprChoiceRule[] = [];
    for (const e of branches) {
      const parsed = this.a.conditions.get(e);
      if (!parsed) continue;
      const lowered = lowerCondition(parsed, (ref) => this.a.resolved.get(ref) ?? { message: 'unresolved', span: ref.span });
      if ('message' in lowered) continue; // reported by the analysis
      const target = this.a.backEdges.has(e) ? this.loopTarget(e) : e.to;
      if (lowered.kind === 'constant') {
        if (!lowered.value) {
          this.sink.warn(Codes.OverlappingConditions, `The condition of edge ${e.from} → ${e.to} is always false; the edge is never taken.`, e.condition?.range);
          continue;
        }
        if (defaultTarget === undefined) {
          defaultTarget = target;
          if (e !== branches[branches.length - 1]) this.sink.warn(Codes.OverlappingConditions, `The condition of edge ${e.from} → ${e.to} is always true, so the conditional edges after it are never taken.`, e.condition?.range);
          break;
        }
        this.sink.warn(Codes.OverlappingConditions, `The condition of edge ${e.from} → ${e.to} is always true, but '${e.from}' also has an unconditional edge to '${defaultTarget}', which is taken when no other condition holds.`, e.condition?.range);
        continue;
      }
      simple.push(lowered.rule);
      choices.push({ ...lowered.rule, Next: target });
    }
    if (choices.length > 1 && !obviouslyExclusive(simple)) {
      const first = branches[0];
      this.sink.warn(Codes.OverlappingConditions, `The conditions on the edges out of '${node.id}' may hold at the same time; the first one in file order wins (OSOP would take every true edge).`, first.condition?.range ?? first.range, 'Make the conditions exclusive, or order the edges by priority.');
    }
    if (defaultTarget === undefined) {
      const cont = this.a.continuation.get(node.id);
      if (cont) {
        defaultTarget = cont;
        this.sink.warn(Codes.NoElseBranch, `When none of the conditions out of '${node.id}' holds, the workflow skips to '${cont}', where its branches meet.`, branches[0].condition?.range ?? branches[0].range, `Add an edge for the other case to make this explicit.`);
      } else {
        defaultTarget = DONE_STATE;
        this.doneUsed = true;
        this.sink.warn(Codes.NoElseBranch, `When none of the conditions out of '${node.id}' holds, the workflow ends successfully.`, branches[0].condition?.range ?? branches[0].range, `Add an edge for the other case (e.g. to a node that reports it) to make this explicit.`);
      }
    }
    if (choices.length === 0) {
      // Nothing left to choose: a Choice needs at least one rule, so test for the input that always exists.
      choices.push({ Variable: '$.outputs', IsPresent: true, Next: defaultTarget });
    }
    return { Type: 'Choice', Comment: `Route after ${node.id}: first matching condition in file order.`, Choices: choices, Default: defaultTarget };
  }

  /** Catch target of a fallback edge: the target itself, or a counter guard when the edge loops back. */
  private fallbackTarget(node: WorkflowNode, e: WorkflowEdge): string {
    if (!this.a.backEdges.has(e)) return e.to;
    const bound = node.sfn.maxFallbacks ?? this.options.defaultFallbackBound;
    const key = counterKey('fallback', e.from, e.to);
    return this.boundedBackEdge(node, e, key, bound, fallbackGuardState(node.id), fallbackCountState(node.id), fallbackExhaustedState(node.id), {
      Error: ErrorNames.FallbackExhausted,
      // The last error's cause, as the execution's cause. A plain path: the local engine and
      // Step Functions Local do not evaluate intrinsics in CausePath.
      CausePath: `${errorPath(node.id)}.Cause`,
      what: `fallback rounds of ${node.id}`,
    });
  }

  private loopTarget(e: WorkflowEdge): string {
    const node = this.a.nodeById.get(e.from)!;
    const bound = e.sfn.maxIterations ?? DEFAULT_MAX_LOOP_ITERATIONS;
    const key = counterKey('loop', e.from, e.to);
    return this.boundedBackEdge(node, e, key, bound, loopGuardState(e.from, e.to), loopCountState(e.from, e.to), loopExhaustedState(e.from, e.to), {
      Error: ErrorNames.LoopExhausted,
      Cause: `Loop edge ${e.from} → ${e.to} repeated ${bound} times, its bound (x-sfn: { max_iterations } on the edge).`,
      what: `rounds of the loop ${e.from} → ${e.to}`,
    });
  }

  /** guard Choice (count < bound) → count Pass (+1) → target; otherwise a Fail with a named error. */
  private boundedBackEdge(node: WorkflowNode, e: WorkflowEdge, key: string, bound: number, guard: string, count: string, exhausted: string, fail: { Error: string; Cause?: string; CausePath?: string; what: string }): string {
    this.counters.push(key);
    this.claim(guard, { Type: 'Choice', Comment: `Bound the ${fail.what} to ${bound}.`, Choices: [{ Variable: counterValuePath(key), NumericLessThan: bound, Next: count }], Default: exhausted }, node);
    this.claim(count, { Type: 'Pass', Comment: `Count one more of the ${fail.what}.`, Parameters: { 'count.$': `States.MathAdd(${counterValuePath(key)}, 1)` }, ResultPath: counterPath(key), Next: e.to }, node);
    this.claim(exhausted, { Type: 'Fail', Comment: `The ${fail.what} reached the bound of ${bound}.`, Error: fail.Error, ...(fail.CausePath ? { CausePath: fail.CausePath } : { Cause: fail.Cause }) }, node);
    return guard;
  }

  private claim(name: string, state: State, node: WorkflowNode): string {
    if (this.states.has(name)) {
      this.sink.error(Codes.StateNameTooLong, `Two states would be named '${name}' (node '${node.id}').`, node.idRange, "Rename the node: ':' is reserved for the states the compiler adds.");
      return name;
    }
    this.states.set(name, state);
    return name;
  }

  private later(node: WorkflowNode, what: string): void {
    this.sink.error(Codes.NotSupportedYet, `${what[0].toUpperCase()}${what.slice(1)} are not supported by this compiler yet (node '${node.id}').`, node.typeRange, 'Today api and agent nodes with sequential, conditional and fallback edges compile.');
  }

  private laterEdge(e: WorkflowEdge, what: string): void {
    this.sink.error(Codes.NotSupportedYet, `${what[0].toUpperCase()}${what.slice(1)} are not supported by this compiler yet (edge ${e.from} → ${e.to}).`, e.modeRange, 'Today sequential, conditional, fallback and bounded loop edges compile.');
  }
}

/** Conditions that compare one variable with distinct literals cannot hold together. */
function obviouslyExclusive(rules: ExprChoiceRule[]): boolean {
  let variable: unknown;
  const seen = new Set<string>();
  for (const r of rules) {
    const ops = Object.keys(r).filter((k) => k !== 'Variable');
    if (ops.length !== 1 || !['StringEquals', 'NumericEquals', 'BooleanEquals'].includes(ops[0])) return false;
    if (variable !== undefined && r.Variable !== variable) return false;
    variable = r.Variable;
    const v = JSON.stringify(r[ops[0]]);
    if (seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}
