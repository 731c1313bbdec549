/**
 * Lower: the analysed workflow → a graph of ASL states (JSONPath).
 *
 *   node (api | agent)              → Task (lambda:invoke of the REST / agent handler)
 *   node (human) / approval_gate    → Task (lambda:invoke.waitForTaskToken of the approval handler)
 *   node with x-sfn handler/resource→ Task (the user's Lambda / a service integration)
 *   node with workflow_ref          → Task (states:startExecution.sync:2)
 *   node (subtype router | join)    → Pass
 *   sequential edge                 → Next
 *   several flow edges (a fork)     → Parallel up to the join (lower/parallel.ts)
 *   conditional / switch edges      → one Choice after the node; first match in file order
 *   loop edge with for_each         → Map over the list (lower/map.ts)
 *   fallback / error / timeout edge → Catch (+ a Choice on the error, + a counter when it goes back)
 *   conditional / loop back-edge    → a Choice branch through a counter guard
 *
 * A region is a state list with an exit: the top level, a branch of a
 * Parallel (exit: the join) or a loop body (exit: the node after the loop).
 * Edges to a region's exit end the region.
 */
import { ErrorNames, TIMEOUT_ERRORS } from '../contract/task-payload';
import { HISTORY_EVENT_LIMIT } from '../contract/aws-quotas';
import { dataKey, itemIndexKey } from '../data-layout';
import { Codes, DiagnosticSink } from '../diagnostics';
import { jsonPathOf, lowerCondition, lowerSwitchCase, type ChoiceRule as ExprChoiceRule, type Resolver } from '../expressions';
import { outputNamesOf, resolverOf, type AnalysedWorkflow, type Scope } from '../analyse';
import { scopeChain } from '../analyse/structure';
import type { WorkflowEdge, WorkflowNode } from '../model';
import type { TaskReport, TriggerSpec } from '../types';
import { bindingOf } from '../bindings/registry';
import { APPROVAL_OUTPUTS, lowerApproval } from '../bindings/approval';
import { originOf, type RestConfig } from '../bindings/rest';
import type { LowerContext, Lowering, OutputUse } from '../bindings/types';
import {
  DEFAULT_MAX_FALLBACKS,
  DEFAULT_MAX_LOOP_ITERATIONS,
  DONE_STATE,
  INIT_STATE,
  INPUTS_STATE,
  MAX_STATE_NAME,
  approvalGateState,
  inputsCheckState,
  counterKey,
  counterPath,
  counterValuePath,
  errorPath,
  fallbackCountState,
  fallbackExhaustedState,
  fallbackGuardState,
  loopCountState,
  loopExhaustedState,
  loopWaitState,
  loopGuardState,
  onErrorState,
  outputsPath,
  regionEndState,
  rejectedState,
  answerState,
  reraiseState,
  routeState,
} from './layout';
import { lowerForEach } from './map';
import { lowerFork } from './parallel';
import type { Region, RegionLowering } from './region';
import type { ChoiceRule, ChoiceState, PassState, State, StateGraph, TaskState } from './states';

export type { StateGraph, State } from './states';

export interface LowerOptions {
  defaultFallbackBound: number;
}

export interface LoweredWorkflow {
  graph: StateGraph;
  /** Every Task state, in definition order of the nodes. */
  tasks: TaskReport[];
  /** Triggers that nodes stand for (an entry `event` node). */
  triggers: TriggerSpec[];
  /** Map states that run their items as child executions. */
  distributedMaps: string[];
}


const NOT_YET: Record<string, string> = {
  event: 'event edges (waiting for an external event)',
  message: "'message' edges",
};

const FLOW = new Set(['sequential', 'parallel', 'spawn', 'dataflow']);
const FAILURE = new Set(['fallback', 'error', 'timeout']);

export function lowerWorkflow(a: AnalysedWorkflow, sink: DiagnosticSink, options: LowerOptions = { defaultFallbackBound: DEFAULT_MAX_FALLBACKS }): LoweredWorkflow | undefined {
  return new Lowerer(a, sink, options).run();
}

class Lowerer implements RegionLowering {
  private readonly names = new Set<string>();
  private readonly counters: string[] = [];
  private readonly distributedMaps: string[] = [];
  private readonly tasks: TaskReport[] = [];
  private readonly triggers: TriggerSpec[] = [];
  private readonly siblingContentTypes = new Map<string, string>();
  private byScope: Map<Scope | undefined, WorkflowNode[]> | undefined;
  private readonly resolve: Resolver;
  private readonly top: Region = { states: new Map(), exit: null, stem: 'osop', loopVars: [], nested: false };

  constructor(readonly a: AnalysedWorkflow, readonly sink: DiagnosticSink, private readonly options: LowerOptions) {
    this.resolve = resolverOf(a.resolved);
  }

  run(): LoweredWorkflow | undefined {
    const wf = this.a.workflow;
    const init: PassState = { Type: 'Pass', Parameters: {}, Next: this.entryState(this.a.entry.id) };
    this.claim(INIT_STATE, init, this.top);
    for (const n of wf.nodes) {
      const rest = n.binding?.id === 'rest' ? (n.binding.config as RestConfig) : undefined;
      if (rest?.declaredContentType && rest.url) {
        const origin = originOf(rest.url.text);
        if (origin) this.siblingContentTypes.set(origin, rest.declaredContentType);
      }
    }
    this.lowerRegion(undefined, this.top);
    const counters: Record<string, unknown> = {};
    for (const key of this.counters) counters[key] = { count: 0 };
    // Catches create `$.errors.<node>` themselves (ResultPath builds missing fields); parallel merges read `errors`.
    init.Parameters = { 'input.$': this.inputWithDefaults(), outputs: {}, ...(this.a.forks.size ? { errors: {} } : {}), counters };
    this.checkRequiredInputs(init);
    const startAt = this.fuseSetUpIntoEntry(init) ?? INIT_STATE;
    for (const name of this.names) {
      if (name.length > MAX_STATE_NAME) {
        const node = this.nodeNamed(name);
        this.sink.report(Codes.StateNameTooLong, { name, max: MAX_STATE_NAME, node: node?.id }, node?.idRange ?? null);
      }
    }
    if (this.sink.hasErrors) return undefined;
    return {
      graph: { startAt, states: this.top.states, comment: wf.name, timeoutSeconds: wf.timeoutSeconds },
      tasks: this.tasks,
      triggers: this.triggers,
      distributedMaps: this.distributedMaps,
    };
  }

  /**
   * No set-up state on the happy path: when the workflow starts with a Task that nothing can enter twice, that Task
   * builds the state data itself. It reads the execution input from the context object (`$$.Execution.Input`),
   * and its ResultSelector writes the whole layout (the input, its own outputs, the counters at 0) in place of the
   * raw input, so no key of the input is ever read as outputs or counters. The set-up state stays where it does
   * more than that: input defaults, required inputs, an entry that fails over to an edge (its Catch would write
   * into the raw input), an entry inside a cycle (its payload reads a counter), or an entry that is not a Task.
   * (States Language, "Payload Template": a `.$` path that begins with `$$` is applied to the context object.)
   */
  private fuseSetUpIntoEntry(init: PassState): string | undefined {
    const entry = this.a.entry;
    const name = init.Next;
    if (name !== entry.id) return undefined; // an input check or an approval gate first
    const state = this.top.states.get(name);
    if (!state || state.Type !== 'Task' || state.Catch?.length || this.a.enclosingCycles.has(entry.id) || this.a.forks.has(entry.id)) return undefined;
    if (init.Parameters?.['input.$'] !== '$') return undefined; // input defaults are merged by the set-up state
    const key = dataKey(entry.id);
    let outputs: Record<string, unknown>;
    if (state.ResultPath === null) outputs = {};
    else if (state.ResultPath === outputsPath(entry.id)) outputs = state.ResultSelector ? { [key]: state.ResultSelector } : { [`${key}.$`]: '$' };
    else return undefined;
    const parameters = fromContextInput(state.Parameters);
    if (parameters === undefined) return undefined;
    const { 'input.$': _input, ...layout } = init.Parameters as Record<string, unknown>;
    state.Parameters = parameters;
    state.ResultSelector = { 'input.$': '$$.Execution.Input', ...layout, outputs } as unknown as Record<string, string>;
    delete (state as { ResultPath?: unknown }).ResultPath; // the default, '$': the selection is the whole state data
    this.top.states.delete(INIT_STATE);
    this.names.delete(INIT_STATE);
    return name;
  }

  /**
   * The execution input with the declared defaults under it: a shallow merge, the input's own values win.
   * The defaults travel as base64 of ASCII JSON (States.Base64Decode), so no character needs escaping in the intrinsic;
   * other characters are JSON \u escapes, which Step Functions decodes (the local engine drops backslashes from
   * intrinsic results, so a non-ASCII default reads differently in local runs: see README, "Local runs").
   */
  private inputWithDefaults(): string {
    const defaults = Object.fromEntries((this.a.workflow.inputs ?? []).filter((i) => 'default' in i).map((i) => [i.name, i.default]));
    // An optional list a for-each iterates, not given: no items (ItemsPath to nothing would be States.Runtime).
    for (const name of this.a.optionalLists) defaults[name] = [];
    if (!Object.keys(defaults).length) return '$';
    const ascii = JSON.stringify(defaults).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return `States.JsonMerge(States.StringToJson(States.Base64Decode('${Buffer.from(ascii).toString('base64')}')), $, false)`;
  }

  /** Required inputs are checked before anything runs: a missing one fails the execution with OSOP.Input, naming it. */
  private checkRequiredInputs(init: PassState): void {
    const required = (this.a.workflow.inputs ?? []).filter((i) => i.required && !('default' in i));
    if (!required.length) return;
    const choices: ChoiceRule[] = [];
    for (const input of required) {
      const fail = this.claim(`osop:missing-${input.name}`.slice(0, MAX_STATE_NAME), { Type: 'Fail', Error: ErrorNames.Input, Cause: `The execution input has no '${input.name}', a required input of workflow '${this.a.workflow.id}' (see inputs: in the workflow file).` }, this.top);
      choices.push({ Not: { Variable: jsonPathOf(['input', input.name]), IsPresent: true }, Next: fail });
    }
    this.claim(INPUTS_STATE, { Type: 'Choice', Choices: choices, Default: init.Next! }, this.top);
    init.Next = INPUTS_STATE;
  }

  /** Lower every node whose innermost region is `scope` into `region`, in file order. */
  lowerRegion(scope: Scope | undefined, region: Region): void {
    for (const node of this.nodesByScope().get(scope) ?? []) this.lowerNode(node, region);
  }

  private byKey: Map<string, string> | undefined;
  /** Node ids by the key their outputs are kept under (`create-intent` → `create_intent`), built once. */
  private nodeByKey(): Map<string, string> {
    this.byKey ??= new Map([...this.a.nodeById.keys()].map((id) => [dataKey(id), id]));
    return this.byKey;
  }

  /** Nodes grouped by their innermost region, once: scanning all nodes per region would be quadratic. */
  private nodesByScope(): Map<Scope | undefined, WorkflowNode[]> {
    if (!this.byScope) {
      this.byScope = new Map();
      for (const node of this.a.workflow.nodes) {
        if (this.a.nodeById.get(node.id) !== node) continue; // a duplicate id, already reported
        const scope = this.a.scopeOf.get(node.id);
        const list = this.byScope.get(scope);
        if (list) list.push(node);
        else this.byScope.set(scope, [node]);
      }
    }
    return this.byScope;
  }

  /** The state a node starts with: its approval gate, if it has one. */
  entryState(id: string): string {
    if (this.a.optionalInputsUsed.has(id)) return inputsCheckState(id);
    return this.workState(id);
  }

  /** The state a node's work starts with, after its input check: its approval gate, if it has one. */
  private workState(id: string): string {
    const node = this.a.nodeById.get(id)!;
    return node.approval && node.type !== 'human' ? approvalGateState(id) : id;
  }

  /**
   * Before a node whose templates use optional inputs without a default: a Choice that fails the execution with
   * OSOP.Input, naming the input, when one was not given. Without it, the missing path fails the node with
   * States.Runtime, which no Catch takes (Developer Guide, "Error handling": States.Runtime is not retriable and
   * States.ALL does not catch it).
   */
  private lowerInputsCheck(node: WorkflowNode, names: Set<string>, region: Region): void {
    const choices: ChoiceRule[] = [];
    for (const name of names) {
      const fail = this.claim(`${node.id}:no-${name}`.slice(0, MAX_STATE_NAME), { Type: 'Fail', Error: ErrorNames.Input, Cause: `Node '${node.id}' needs the input '${name}', which the execution was started without ('${name}' is optional and has no default in workflow '${this.a.workflow.id}').` }, region, node);
      choices.push({ Not: { Variable: jsonPathOf(['input', name]), IsPresent: true }, Next: fail });
    }
    this.claim(inputsCheckState(node.id), { Type: 'Choice', Choices: choices, Default: this.workState(node.id) }, region, node);
  }

  /** A state name to jump to for node `id` from inside `region` (its end state when `id` is the exit). */
  jumpTarget(id: string, region: Region): string {
    if (id === region.exit) return this.regionEnd(region);
    return this.entryState(id);
  }

  /** Set `Next` to node `id`, or end the region when `id` is its exit (or there is nothing). */
  setNext(state: { Next?: string; End?: true; OutputPath?: string }, id: string | null, region: Region): void {
    if (id === null || id === region.exit) {
      state.End = true;
      if (!region.nested) state.OutputPath = '$.outputs';
      else if (region.endOutputPath) state.OutputPath = region.endOutputPath;
    } else {
      state.Next = this.entryState(id);
    }
  }

  regionEnd(region: Region): string {
    const name = region.nested ? regionEndState(region.stem) : DONE_STATE;
    if (!region.states.has(name)) {
      this.claim(name, { Type: 'Succeed', ...(region.nested ? (region.endOutputPath ? { OutputPath: region.endOutputPath } : {}) : { OutputPath: '$.outputs' }) }, region);
    }
    return name;
  }

  /** The node a state is named after: node ids hold no ':', so the name up to the first ':' (`<node>:route`). */
  private nodeNamed(name: string): WorkflowNode | undefined {
    return this.a.nodeById.get(name.split(':')[0]);
  }

  claim(name: string, state: State, region: Region, node?: WorkflowNode): string {
    if (this.names.has(name)) {
      const at = node ?? this.nodeNamed(name);
      this.sink.report(Codes.StateNameClash, { form: 'state', name, node: at?.id }, at?.idRange ?? null);
      return name;
    }
    this.names.add(name);
    region.states.set(name, state);
    return name;
  }

  /** Reserve a state name that a construct places itself. */
  claimName(name: string): void {
    if (this.names.has(name)) this.sink.report(Codes.StateNameClash, { form: 'reserved', name }, this.nodeNamed(name)?.idRange ?? null);
    this.names.add(name);
  }

  noteDistributedMap(state: string): void {
    this.distributedMaps.push(state);
  }

  addCounter(key: string): void {
    this.counters.push(key);
  }

  private lowerNode(node: WorkflowNode, region: Region): void {
    // A node that cannot be lowered (reported) still has its edges lowered, so that what follows it is checked too.
    const main = this.mainState(node) ?? { Type: 'Pass' as const, ResultPath: null };
    const optionalInputs = this.a.optionalInputsUsed.get(node.id);
    if (optionalInputs) this.lowerInputsCheck(node, optionalInputs, region);
    if (node.approval && node.type !== 'human') {
      const gate = lowerApproval(node, node.approval, this.lowerContext(node), false);
      (gate.state as TaskState).Next = node.id;
      this.claim(approvalGateState(node.id), gate.state, region, node);
      this.noteTask(approvalGateState(node.id), node, 'approval', gate);
    }
    this.claim(node.id, main, region, node);
    this.lowerOutEdges(node, main, region);
  }

  private lowerContext(node: WorkflowNode): LowerContext {
    return {
      workflowId: this.a.workflow.id,
      templates: this.a.templates,
      resolved: this.a.resolved,
      sink: this.sink,
      attempt: this.attemptOf(node),
      siblingContentTypes: this.siblingContentTypes,
      isEntry: node === this.a.entry,
      usedOutputs: this.a.usedOutputs.get(node.id) ?? new Map<string, OutputUse>(),
      nodeOfKey: (key) => this.nodeByKey().get(key),
      outputsOf: (id) => {
        const n = this.a.nodeById.get(id);
        return n ? outputNamesOf(n).map((name) => ({ name, sensitive: n.outputs.some((o) => o.name === name && o.sensitive) })) : [];
      },
    };
  }

  private noteTask(state: string, node: WorkflowNode, binding: string, lowering: Lowering): void {
    if (lowering.trigger) this.triggers.push(lowering.trigger);
    if (lowering.task) this.tasks.push({ state, node: node.id, nodeType: node.type, binding, ...lowering.task });
  }

  /** The state that does the node's work: its binding's lowering. A node without a binding was reported by the normaliser. */
  private mainState(node: WorkflowNode): TaskState | PassState | undefined {
    const binding = bindingOf(node);
    if (!binding) return undefined;
    const lowering = binding.lower(node, node.binding!.config, this.lowerContext(node));
    if (!lowering) return undefined;
    this.noteTask(node.id, node, binding.id, lowering);
    return lowering.state;
  }

  /** `attempt` of a node: which round of its enclosing fallback/loop cycles this is. */
  /**
   * `attempt` of a node's payload (part of its idempotency key): the item of
   * each for-each loop around it (so each item is its own call) and the round
   * of each fallback/loop cycle around it (so a deliberate retry is a new
   * call), the same across Step Functions' retries of one Task.
   */
  private attemptOf(node: WorkflowNode): LowerContext['attempt'] {
    const cycles = this.a.enclosingCycles.get(node.id) ?? [];
    const items = scopeChain(this.a.scopeOf.get(node.id) ?? null).flatMap((sc) => (sc.region.kind === 'for-each' ? [jsonPathOf(['loop', itemIndexKey(sc.region.iteratorVar)])] : [])).reverse();
    const paths = [...items, ...cycles.map((e) => counterValuePath(this.counterKeyOf(e)))];
    if (paths.length === 0) return { literal: 0 };
    if (paths.length === 1) return { expression: paths[0] };
    return { expression: `States.Format('${paths.map(() => '{}').join('.')}', ${paths.join(', ')})` };
  }

  private counterKeyOf(e: WorkflowEdge): string {
    return counterKey(FAILURE.has(e.mode) ? (e.mode as 'fallback' | 'error' | 'timeout') : 'loop', e.from, e.to);
  }

  private lowerOutEdges(node: WorkflowNode, main: TaskState | PassState, region: Region): void {
    const out = this.a.outEdges.get(node.id) ?? [];
    const flow: WorkflowEdge[] = [];
    const routed: WorkflowEdge[] = [];
    const failures: WorkflowEdge[] = [];
    let forEach: WorkflowEdge | undefined;
    for (const e of out) {
      if (FLOW.has(e.mode)) {
        if (this.a.backEdges.has(e)) continue; // reported by the analysis
        flow.push(e);
      } else if (e.mode === 'conditional' || e.mode === 'switch') routed.push(e);
      else if (e.mode === 'loop') {
        if (e.forEach) forEach = e;
        else if (!e.condition) this.sink.report(Codes.MissingCondition, { form: 'loopWithoutCondition', from: e.from, to: e.to }, e.range);
        else if (!this.a.backEdges.has(e)) this.sink.report(Codes.NotSupportedYet, { form: 'forwardLoop', from: e.from, to: e.to }, e.modeRange);
        else routed.push(e);
      } else if (FAILURE.has(e.mode)) failures.push(e);
      else this.sink.report(Codes.NotSupportedYet, { form: 'edgeMode', what: NOT_YET[e.mode] ?? `${e.mode} edges`, from: e.from, to: e.to, hint: e.mode === 'event' ? 'Model the wait as a human node (a callback), or start the workflow from the event with a trigger.' : undefined }, e.modeRange);
    }

    if (failures.length) this.lowerFailureEdges(node, main, failures, region);

    // An approval answered "rejected" continues when the node routes on its decision; otherwise it fails the execution.
    if (node.type === 'human' && main.Type === 'Task' && routed.length) {
      // A rejection sent without a cause (SendTaskFailure by hand) still routes: its comment is then ''.
      const routeName = routeState(node.id);
      const rejected = rejectedState(node.id);
      const cause = `${errorPath(node.id)}.Cause`;
      this.claim(rejected, { Type: 'Choice', Choices: [{ Variable: cause, IsPresent: true, Next: `${rejected}-comment` }], Default: `${rejected}-no-comment` }, region, node);
      this.claim(`${rejected}-comment`, { Type: 'Pass', Comment: `'${node.id}' was rejected.`, Parameters: { decision: 'rejected', 'comment.$': cause, approver: '' }, ResultPath: outputsPath(node.id), Next: routeName }, region, node);
      this.claim(`${rejected}-no-comment`, { Type: 'Pass', Comment: `'${node.id}' was rejected without a comment.`, Parameters: { decision: 'rejected', comment: '', approver: '' }, ResultPath: outputsPath(node.id), Next: routeName }, region, node);
      main.Catch = [{ ErrorEquals: [ErrorNames.ApprovalRejected], ResultPath: errorPath(node.id), Next: rejected }, ...(main.Catch ?? [])];
    }

    // Where the node goes when no conditional/loop edge is taken: a for-each loop, a fork, or the next node.
    const fork = this.a.forks.get(node.id);
    const loop = this.a.forEach.get(node.id);
    let onward: string | undefined;
    if (loop && forEach) onward = lowerForEach(this, node, loop, region);
    else if (fork) onward = lowerFork(this, node, fork, region);
    if (routed.length > 0) {
      if (!onward && flow.length > 1) this.sink.report(Codes.NotSupportedYet, { form: 'mixedOutEdges', node: node.id, flowCount: flow.length }, flow[1].range);
      const unconditional = onward ?? (flow[0] ? this.jumpTarget(flow[0].to, region) : undefined);
      const route = this.routeChoice(node, routed, unconditional, region);
      main.Next = this.claim(routeState(node.id), route, region, node);
    } else if (onward) {
      main.Next = onward;
    } else if (flow.length === 1) {
      this.setNext(main, flow[0].to, region);
    } else {
      this.setNext(main, null, region);
    }
    // The answer is the three outputs every answer has, unless the node reads more of it (then it is kept whole).
    if (node.type === 'human' && main.Type === 'Task' && node.outputs.every((o) => (APPROVAL_OUTPUTS as readonly string[]).includes(o.name))) this.normaliseAnswer(node, main, region);
  }

  /**
   * An answer sent by hand (`aws stepfunctions send-task-success --task-output '{"decision":"approved"}'`) may
   * lack comment or approver, and a ResultSelector path to a missing field is States.Runtime, past every Catch
   * (States Language spec, "Errors"): keep the answer and fill in what it lacks. Success means approved.
   */
  private normaliseAnswer(node: WorkflowNode, main: TaskState, region: Region): void {
    const after = main.End ? this.regionEnd(region) : main.Next!;
    delete main.End;
    delete main.OutputPath;
    const check = answerState(node.id);
    main.Next = check;
    const answer = outputsPath(node.id);
    // One Pass per combination of missing fields, each writing the whole answer with Parameters (a Pass whose
    // Result is '' would do it per field, but aws-local-stepfunctions ignores a falsy Result).
    const choices: ChoiceRule[] = [];
    for (let missing = 1; missing < 1 << APPROVAL_OUTPUTS.length; missing++) {
      const lacks = (i: number) => (missing & (1 << i)) !== 0;
      const name = `${check}-no-${APPROVAL_OUTPUTS.filter((_o, i) => lacks(i)).map((o) => o[0]).join('')}`;
      choices.push({ And: APPROVAL_OUTPUTS.map((o, i) => (lacks(i) ? { Not: { Variable: `${answer}.${o}`, IsPresent: true } } : { Variable: `${answer}.${o}`, IsPresent: true })), Next: name } as ChoiceRule);
      const fields = Object.fromEntries(APPROVAL_OUTPUTS.map((o, i) => (lacks(i) ? [o, o === 'decision' ? 'approved' : ''] : [`${o}.$`, `${answer}.${o}`])));
      this.claim(name, { Type: 'Pass', Parameters: fields, ResultPath: answer, Next: after }, region, node);
    }
    this.claim(check, { Type: 'Choice', Choices: choices, Default: after }, region, node);
  }

  /**
   * Catches for failure edges: timeout edges catch States.Timeout; error
   * edges with a condition choose on the error; an unconditional fallback or
   * error edge takes everything else. No match re-raises the error.
   */
  private lowerFailureEdges(node: WorkflowNode, main: TaskState | PassState, edges: WorkflowEdge[], region: Region): void {
    if (main.Type !== 'Task') {
      this.sink.report(Codes.NotSupportedYet, { form: 'failureEdgeOnRouter', node: node.id, mode: edges[0].mode }, edges[0].range);
      return;
    }
    const timeouts = edges.filter((e) => e.mode === 'timeout');
    const conditional = edges.filter((e) => e.mode !== 'timeout' && this.a.conditions.has(e));
    const unconditional = edges.filter((e) => e.mode !== 'timeout' && !this.a.conditions.has(e));
    const catches: NonNullable<TaskState['Catch']> = [];
    if (timeouts.length > 1) this.sink.report(Codes.NotSupportedYet, { form: 'severalTimeouts', node: node.id, timeoutsCount: timeouts.length }, timeouts[1].range);
    // After its retries, a node that timed out takes its timeout edge: Step Functions' own timeout or the handler's deadline.
    if (timeouts[0]) catches.push({ ErrorEquals: [...TIMEOUT_ERRORS], ResultPath: errorPath(node.id), Next: this.failureTarget(node, timeouts[0], region) });
    if (unconditional.length > 1) {
      this.sink.report(Codes.NotSupportedYet, { form: 'severalFallbacks', node: node.id, unconditionalCount: unconditional.length, targets: unconditional.map((e) => `'${e.to}'`).join(', ') }, unconditional[1].range);
    }
    const fallback = unconditional[0] ? this.failureTarget(node, unconditional[0], region) : undefined;
    if (conditional.length) {
      const choices: ChoiceRule[] = [];
      for (const e of conditional) {
        const lowered = lowerCondition(this.a.conditions.get(e)!, this.resolve);
        if ('message' in lowered) continue;
        const target = this.failureTarget(node, e, region);
        if (lowered.kind === 'constant') {
          if (lowered.value) choices.push({ Variable: errorPath(node.id), IsPresent: true, Next: target });
          continue;
        }
        choices.push({ ...lowered.rule, Next: target });
      }
      let otherwise = fallback;
      if (!otherwise) otherwise = this.failWithCause(node, reraiseState(node.id), { ErrorPath: `${errorPath(node.id)}.Error` }, region);
      const choice = this.claim(onErrorState(node.id), { Type: 'Choice', Comment: `Route the error of ${node.id}: first matching error edge in file order.`, Choices: choices.length ? choices : [{ Variable: errorPath(node.id), IsPresent: true, Next: otherwise }], Default: otherwise }, region, node);
      const first = this.a.errorMessages.has(node.id) ? this.errorMessageStates(node, choice, region) : choice;
      catches.push({ ErrorEquals: ['States.ALL'], ResultPath: errorPath(node.id), Next: first });
    } else if (fallback) {
      catches.push({ ErrorEquals: ['States.ALL'], ResultPath: errorPath(node.id), Next: fallback });
    }
    if (catches.length) main.Catch = [...(main.Catch ?? []), ...catches];
  }

  /**
   * `$.errors.<node>.message`, what error conditions read: the `errorMessage`
   * of the Lambda runtime's JSON envelope when a function threw (Step
   * Functions delivers a function's error so), else the cause as it is (a
   * callback's SendTaskFailure, Step Functions' own errors), or '' when there
   * is no cause (a timeout, a SendTaskFailure without one). Only on the path
   * of a failure, only for nodes whose conditions read the message.
   */
  private errorMessageStates(node: WorkflowNode, next: string, region: Region): string {
    const at = errorPath(node.id);
    const task = this.tasks.find((t) => t.state === node.id);
    const envelope = task?.function !== undefined;
    const names = { check: `${node.id}:error-message`, none: `${node.id}:no-cause`, raw: `${node.id}:raw-cause`, parse: `${node.id}:envelope`, read: `${node.id}:envelope-message` };
    const choices: ChoiceRule[] = [{ Not: { Variable: `${at}.Cause`, IsPresent: true }, Next: names.none }];
    // Errors that are not the function's own carry a plain cause.
    if (envelope) choices.push({ Or: ['States.*', 'Lambda.*', 'Sandbox.*', ErrorNames.ApprovalRejected, ErrorNames.ManualStepFailed].map((p) => ({ Variable: `${at}.Error`, StringMatches: p })), Next: names.raw });
    this.claim(names.check, { Type: 'Choice', Choices: choices, Default: envelope ? names.parse : names.raw }, region, node);
    this.claim(names.none, { Type: 'Pass', Result: '', ResultPath: `${at}.message`, Next: next }, region, node);
    this.claim(names.raw, { Type: 'Pass', InputPath: `${at}.Cause`, ResultPath: `${at}.message`, Next: next }, region, node);
    if (envelope) {
      this.claim(names.parse, { Type: 'Pass', Parameters: { 'envelope.$': `States.StringToJson(${at}.Cause)` }, ResultPath: `${at}.parsed`, Next: names.read }, region, node);
      this.claim(names.read, { Type: 'Pass', InputPath: `${at}.parsed.envelope.errorMessage`, ResultPath: `${at}.message`, Next: next }, region, node);
    }
    return names.check;
  }

  /**
   * A Fail that carries the caught error's cause when there is one: a Catch
   * result may lack `Cause` (a timeout, SendTaskFailure without one), and a
   * CausePath to nothing would fail the execution with States.Runtime instead.
   */
  private failWithCause(node: WorkflowNode, name: string, fail: { Error?: string; ErrorPath?: string }, region: Region): string {
    const cause = `${errorPath(node.id)}.Cause`;
    this.claim(name, { Type: 'Choice', Choices: [{ Variable: cause, IsPresent: true, Next: `${name}-cause` }], Default: `${name}-no-cause` }, region, node);
    this.claim(`${name}-cause`, { Type: 'Fail', ...fail, CausePath: cause } as State, region, node);
    this.claim(`${name}-no-cause`, { Type: 'Fail', ...fail } as State, region, node);
    return name;
  }

  /** Catch target of a failure edge: the target itself, or a counter guard when the edge loops back. */
  private failureTarget(node: WorkflowNode, e: WorkflowEdge, region: Region): string {
    if (!this.a.backEdges.has(e)) return this.jumpTarget(e.to, region);
    const bound = node.sfn.maxFallbacks ?? this.options.defaultFallbackBound;
    this.checkHistory(e, bound, false);
    const mode = e.mode;
    return this.boundedBackEdge(node, e, this.counterKeyOf(e), bound, fallbackGuardState(node.id, mode, e.to), fallbackCountState(node.id, mode, e.to), fallbackExhaustedState(node.id, mode, e.to), region, {
      Error: ErrorNames.FallbackExhausted,
      // The last error's cause, as the execution's cause (when it has one). A plain path: the local engine and
      // Step Functions Local do not evaluate intrinsics in CausePath.
      causeOf: node,
    });
  }

  private loopTarget(e: WorkflowEdge, region: Region): string {
    const node = this.a.nodeById.get(e.from)!;
    // A polling node paces and bounds the loop that re-enters it (or that it closes): max_polls rounds in all.
    const polling = this.a.nodeById.get(e.to)?.polling ?? node.polling;
    const bound = e.sfn.maxIterations ?? (polling?.maxPolls !== undefined ? polling.maxPolls - 1 : DEFAULT_MAX_LOOP_ITERATIONS);
    const wait = e.waitSeconds ?? polling?.intervalSeconds;
    this.checkHistory(e, bound, wait !== undefined);
    return this.boundedBackEdge(node, e, this.counterKeyOf(e), bound, loopGuardState(e.from, e.to), loopCountState(e.from, e.to), loopExhaustedState(e.from, e.to), region, {
      Error: ErrorNames.LoopExhausted,
      Cause: `Loop edge ${e.from} → ${e.to} repeated ${bound} times, its bound (${polling?.maxPolls !== undefined && e.sfn.maxIterations === undefined ? `max_polls: ${polling.maxPolls} on the polling node` : 'x-sfn: { max_iterations } on the edge'}).`,
    }, wait === undefined ? undefined : { state: loopWaitState(e.from, e.to), seconds: wait });
  }

  /** Nodes of each back-edge's cycle, counted once for the workflow. */
  private cycleMembers: Map<WorkflowEdge, WorkflowNode[]> | undefined;

  /**
   * A loop whose bound times the events of one round passes the 25,000 events of an execution's history
   * (Step Functions quotas) would fail there with States.Runtime: say so at compile time. A Task writes about
   * 5 events a round (entered, scheduled, started, succeeded, exited), any other state 2; the guard and the
   * counter 4, a Wait 2.
   */
  private checkHistory(e: WorkflowEdge, bound: number, waits: boolean): void {
    if (!this.cycleMembers) {
      this.cycleMembers = new Map();
      for (const [id, edges] of this.a.enclosingCycles) for (const c of edges) this.cycleMembers.set(c, [...(this.cycleMembers.get(c) ?? []), this.a.nodeById.get(id)!]);
    }
    const members = this.cycleMembers.get(e) ?? [];
    const perRound = members.reduce((n, m) => n + (bindingOf(m)?.id === 'routing' ? 2 : 5), 0) + 4 + (waits ? 2 : 0);
    const total = perRound * bound;
    if (total <= HISTORY_EVENT_LIMIT) return;
    const fits = Math.max(1, Math.floor(HISTORY_EVENT_LIMIT / perRound) - 1);
    const bounding = e.mode === 'loop' || e.mode === 'conditional' ? `x-sfn: { max_iterations: ${fits} } on the edge, or max_polls` : `x-sfn: { max_fallbacks: ${fits} } on node '${e.from}'`;
    this.sink.report(Codes.HistoryLimit, { form: 'loop', mode: e.mode, from: e.from, to: e.to, bound, perRound, total, limit: HISTORY_EVENT_LIMIT, fits, bounding }, e.range);
  }

  /**
   * guard Choice (count < bound) → count Pass (+1) → target; otherwise a Fail with a named error.
   * The states the compiler adds carry no Comment: their names say what they are, and every byte of a
   * definition counts against its size limit.
   */
  private boundedBackEdge(node: WorkflowNode, e: WorkflowEdge, key: string, bound: number, guard: string, count: string, exhausted: string, region: Region, fail: { Error: string; Cause?: string; causeOf?: WorkflowNode }, pause?: { state: string; seconds: number }): string {
    this.addCounter(key);
    const again: ChoiceRule = { Variable: counterValuePath(key), NumericLessThan: bound, Next: count };
    // The pause between rounds (a polling loop): a Wait state costs one transition and no compute.
    if (pause) this.claim(pause.state, { Type: 'Wait', Seconds: pause.seconds, Next: this.entryState(e.to) }, region, node);
    this.claim(count, { Type: 'Pass', Parameters: { 'count.$': `States.MathAdd(${counterValuePath(key)}, 1)` }, ResultPath: counterPath(key), Next: pause?.state ?? this.entryState(e.to) }, region, node);
    if (fail.causeOf) {
      // The cause guard rides on the bound's Choice (no extra transition): a Catch result may lack Cause, and a
      // CausePath to nothing fails the execution with States.Runtime instead of the named error.
      const cause = `${errorPath(fail.causeOf.id)}.Cause`;
      this.claim(guard, { Type: 'Choice', Choices: [again, { Variable: cause, IsPresent: true, Next: exhausted }], Default: `${exhausted}-no-cause` }, region, node);
      this.claim(exhausted, { Type: 'Fail', Error: fail.Error, CausePath: cause } as State, region, node);
      this.claim(`${exhausted}-no-cause`, { Type: 'Fail', Error: fail.Error }, region, node);
    } else {
      this.claim(guard, { Type: 'Choice', Choices: [again], Default: exhausted }, region, node);
      this.claim(exhausted, { Type: 'Fail', Error: fail.Error, Cause: fail.Cause }, region, node);
    }
    return guard;
  }

  /** The Choice after a node with conditional, switch or loop out-edges. */
  private routeChoice(node: WorkflowNode, branches: WorkflowEdge[], unconditional: string | undefined, region: Region): ChoiceState {
    const choices: ChoiceRule[] = [];
    let defaultTarget: string | undefined = unconditional;
    const simple: ExprChoiceRule[] = [];
    const targetOf = (e: WorkflowEdge) => (this.a.backEdges.has(e) ? this.loopTarget(e, region) : this.jumpTarget(e.to, region));
    const doneSwitches = new Set<WorkflowEdge>();
    for (const e of branches) {
      if (e.switchEdge) {
        const sw = e.switchEdge;
        if (doneSwitches.has(sw)) continue;
        doneSwitches.add(sw);
        const subject = this.a.switchSubjects.get(sw);
        if (!subject) continue;
        for (const c of sw.cases ?? []) {
          const lowered = lowerSwitchCase(subject, c.value, this.resolve);
          if ('message' in lowered || lowered.kind === 'constant') continue;
          simple.push(lowered.rule);
          choices.push({ ...lowered.rule, Next: targetOf(branches.find((x) => x.switchEdge === sw && x.to === c.to)!) });
        }
        if (sw.defaultTo && defaultTarget === undefined) defaultTarget = targetOf(branches.find((x) => x.switchEdge === sw && x.to === sw.defaultTo!.to)!);
        continue;
      }
      const parsed = this.a.conditions.get(e);
      if (!parsed) continue;
      const lowered = lowerCondition(parsed, this.resolve);
      if ('message' in lowered) continue; // reported by the analysis
      const target = targetOf(e);
      if (lowered.kind === 'constant') {
        if (!lowered.value) {
          this.sink.report(Codes.OverlappingConditions, { form: 'alwaysFalse', from: e.from, to: e.to }, e.condition?.range);
          continue;
        }
        if (defaultTarget === undefined) {
          defaultTarget = target;
          if (e !== branches[branches.length - 1]) this.sink.report(Codes.OverlappingConditions, { form: 'alwaysTrue', from: e.from, to: e.to }, e.condition?.range);
          break;
        }
        this.sink.report(Codes.OverlappingConditions, { form: 'alwaysTrueBesideUnconditional', from: e.from, to: e.to }, e.condition?.range);
        continue;
      }
      simple.push(lowered.rule);
      choices.push({ ...lowered.rule, Next: target });
    }
    if (choices.length > 1 && !obviouslyExclusive(simple)) {
      const first = branches[0];
      this.sink.report(Codes.OverlappingConditions, { form: 'mayOverlap', node: node.id }, first.condition?.range ?? first.range);
    }
    if (defaultTarget === undefined) {
      const cont = this.a.continuation.get(node.id);
      const at = branches[0].condition?.range ?? branches[0].range;
      if (cont) {
        defaultTarget = this.jumpTarget(cont, region);
        this.sink.report(Codes.NoElseBranch, { form: 'skipsToJoin', node: node.id, cont }, at);
      } else {
        defaultTarget = this.regionEnd(region);
        this.sink.report(Codes.NoElseBranch, { form: 'ends', nested: region.nested, node: node.id }, at);
      }
    }
    if (choices.length === 0) {
      // Nothing left to choose: a Choice needs at least one rule, so test for data that always exists.
      choices.push({ Variable: '$.outputs', IsPresent: true, Next: defaultTarget });
    }
    return { Type: 'Choice', Choices: choices, Default: defaultTarget };
  }
}

/** Conditions that compare one variable with distinct literals cannot hold together. */
function obviouslyExclusive(rules: ExprChoiceRule[]): boolean {
  let variable: unknown;
  const seen = new Set<string>();
  for (const guarded of rules) {
    // A comparison guarded by IsPresent (an optional value) compares the same way.
    const and = guarded.And as ExprChoiceRule[] | undefined;
    const r = and && and.length === 2 && and[0].IsPresent === true && and[0].Variable === and[1].Variable ? and[1] : guarded;
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

/**
 * A fused entry Task's Parameters, reading the execution input from the context object: every `$.input`
 * path (in a `.$` field or an intrinsic's argument) becomes `$$.Execution.Input`. Undefined when they read
 * anything else of the state data, which does not exist yet.
 */
function fromContextInput(value: unknown): Record<string, unknown> | undefined {
  let ok = true;
  const walk = (v: unknown, isPath: boolean): unknown => {
    if (typeof v === 'string') {
      if (!isPath) return v;
      const rewritten = v.replace(/(?<![\w$])\$\.input(?![\w])/g, '$$$$.Execution.Input');
      // What is left may name only the context object: any other `$` path reads state data.
      if (/(?<![\w$])\$(?![\w$])|(?<![\w$])\$[.[](?!\$)/.test(rewritten.replace(/\$\$\.[\w.[\]]*/g, '').replace(/'(?:[^'\\]|\\.)*'/g, ''))) ok = false;
      return rewritten;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k.endsWith('.$'))]));
    return v;
  };
  const out = walk(value, false) as Record<string, unknown>;
  return ok ? out : undefined;
}
