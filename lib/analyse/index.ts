/**
 * Analyse: check the workflow as a graph and as a data flow, and record what
 * the lowering needs: the entry node, which edges close cycles (and are
 * bounded), which nodes each cycle contains, the continuation of conditional
 * nodes that have no else branch, every parsed expression, and what each
 * reference in them resolves to.
 *
 * Data flow uses dominators on a "split" graph: each node n is two points,
 * n:in (about to run) and n:ok (ran and produced its outputs). Normal edges
 * leave from n:ok; fallback/error/timeout edges leave from n:in, because the
 * node failed and produced nothing. An output of n may be used at point p
 * only if n:ok dominates p: n has run on every path to p.
 */
import { dataKey, errorPath, loopPath, outputPath } from '../data-layout';
import { Codes, DiagnosticSink, type Code, type MessageParams, type SourceRange } from '../diagnostics';
import {
  resolverOf,
  jsonPathOf,
  lowerCondition,
  lowerSwitchCase,
  parseCondition,
  parseTemplate,
  type ExprError,
  type CondExpr,
  type ParsedCondition,
  type ParsedTemplate,
  type Reference,
  type ResolvedRef,
  type Span,
} from '../expressions';
import { TemplateText, type InputDecl, type OutputDecl, type Workflow, type WorkflowEdge, type WorkflowNode } from '../model';
import { closestMatch, didYouMean } from '../util/suggest';
import { bindingOf } from '../bindings/registry';
import type { OutputType, OutputUse } from '../bindings/types';
import { DominatorTree, depthFirst, stronglyConnected, type Adjacency } from './graph';
import { FLOW_MODES, scopeChain, type ForEachRegion, type ForkRegion, type JoinMode, type Scope } from './structure';

export type { ForEachRegion, ForkRegion, Scope } from './structure';

export { AGENT_OUTPUTS } from '../bindings/agent';
export { APPROVAL_OUTPUTS } from '../bindings/approval';
export { SUBWORKFLOW_OUTPUT } from '../bindings/subworkflow';

/** The routing node several entry nodes start from (a ':' keeps it apart from node ids). */
export const START_NODE = 'osop:start';

/** Cycle memberships that fit in a 1 MB definition (each costs a counter path of about 30 bytes). */
const MAX_CYCLE_MEMBERSHIPS = 35_000;

/** Names that would reach an object's prototype if they were keys of the state data or of the definition. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Why an id cannot be a state name and a data key, or undefined when it can. */
function badName(id: string): string | undefined {
  if (RESERVED_NAMES.has(id)) return 'it is a name reserved by JavaScript objects';
  if (id.length > 80) return `it is ${id.length} characters long, and Step Functions allows 80`;
  if (id.includes('${')) return "'${' would be read as a definition substitution";
  if (id.includes(':')) return "':' is reserved for the states the compiler adds";
  // Step Functions refuses control characters in state names.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) return 'it holds a control character';
  return undefined;
}

/** Edge modes taken when the source node fails. */
const FAILURE_MODES = new Set(['fallback', 'error', 'timeout']);
/** Back-edge modes that the lowering bounds with a counter. */
const BOUNDED_BACK_EDGE_MODES = new Set(['fallback', 'error', 'timeout', 'loop', 'conditional', 'switch']);

export interface AnalysedWorkflow {
  workflow: Workflow;
  nodeById: Map<string, WorkflowNode>;
  entry: WorkflowNode;
  /** Out-edges of each node, in file order, without ignored self-edges and duplicates. */
  outEdges: Map<string, WorkflowEdge[]>;
  /** Edges that close a cycle; each is bounded by a counter in the lowering. */
  backEdges: Set<WorkflowEdge>;
  /** For each node, the back-edges whose cycle contains it (its fallback/loop rounds). */
  enclosingCycles: Map<string, WorkflowEdge[]>;
  /** For nodes whose conditional out-edges may all be false: where to go then (null: the workflow ends). */
  continuation: Map<string, string | null>;
  conditions: Map<WorkflowEdge, ParsedCondition>;
  templates: Map<TemplateText, ParsedTemplate>;
  resolved: Map<Reference, ResolvedRef>;
  /** Secret names and the nodes that use them. */
  secrets: Map<string, Set<string>>;
  /** Parallel forks by fork node, and for-each loops by source node. */
  forks: Map<string, ForkRegion>;
  forEach: Map<string, ForEachRegion>;
  /** The innermost fork branch or loop body of each node (absent: top level). */
  scopeOf: Map<string, Scope>;
  /** Per switch edge, its subject expression (the `when`). */
  switchSubjects: Map<WorkflowEdge, ParsedCondition>;
  /** Per for-each region, the resolved path of the list. */
  forEachItems: Map<ForEachRegion, string>;
  /** Per node, the outputs other nodes read that its binding does not fix, with how they are used (typed agent outputs). */
  usedOutputs: Map<string, Map<string, OutputUse>>;
  /** Nodes whose error edges read the error's message (`error.message`, `error.cause`). */
  errorMessages: Set<string>;
  /** Per node, the optional inputs without a default its templates use: the node checks they were given before it runs. */
  optionalInputsUsed: Map<string, Set<string>>;
  /** Optional inputs without a default that a for-each iterates: an absent one is an empty list. */
  optionalLists: Set<string>;
}

export function analyseWorkflow(wf: Workflow, sink: DiagnosticSink): AnalysedWorkflow | undefined {
  return new Analyser(wf, sink).run();
}

class Analyser {
  private readonly nodeById = new Map<string, WorkflowNode>();
  private readonly indexOf = new Map<string, number>();
  private nodes: WorkflowNode[] = [];
  private edges: WorkflowEdge[] = [];
  private readonly outEdges = new Map<string, WorkflowEdge[]>();
  private readonly conditions = new Map<WorkflowEdge, ParsedCondition>();
  private readonly templates = new Map<TemplateText, ParsedTemplate>();
  private readonly resolved = new Map<Reference, ResolvedRef>();
  private readonly secrets = new Map<string, Set<string>>();
  private dom!: DominatorTree;
  /** Nodes declaring each output name, for bare-name look-ups. */
  private readonly declarers = new Map<string, WorkflowNode[]>();
  private readonly byDataKey = new Map<string, WorkflowNode>();
  private readonly forks = new Map<string, ForkRegion>();
  private readonly forEach = new Map<string, ForEachRegion>();
  private readonly scopeOf = new Map<string, Scope>();
  private readonly switchSubjects = new Map<WorkflowEdge, ParsedCondition>();
  private readonly forEachItems = new Map<ForEachRegion, string>();
  private readonly usedOutputs = new Map<string, Map<string, OutputUse>>();
  private readonly errorMessages = new Set<string>();
  private readonly optionalInputsUsed = new Map<string, Set<string>>();
  private readonly optionalLists = new Set<string>();
  /** What the expression around a reference says of its type (compared with a number, a string; switch case values). */
  private readonly useHints = new Map<Reference, OutputUse>();
  /** The range of the reference being resolved (for readings reported from deep inside the resolution). */
  private refRange: SourceRange | undefined;
  private entryNode: WorkflowNode | undefined;
  /** The entry nodes when there are several (they start together from `osop:start`). */
  private startRoots: WorkflowNode[] | undefined;
  private backEdges = new Set<WorkflowEdge>();
  private readonly checkedSwitches = new Set<WorkflowEdge>();
  private inEdgeIndex: Map<string, WorkflowEdge[]> | undefined;
  /** Post-dominator tree of the forward graph (virtual exit = node count). */
  private pdom!: DominatorTree;

  constructor(private readonly wf: Workflow, private readonly sink: DiagnosticSink) {}

  run(): AnalysedWorkflow | undefined {
    this.indexNodes();
    this.indexEdges();
    // Entry and reachability questions about a graph with broken edges only add noise.
    if (this.nodes.length === 0 || this.sink.hasErrors) return undefined;
    const entry = this.findEntry();
    if (!entry) return undefined;
    this.entryNode = entry;

    // Node-level graph over the kept edges, with edge identities for the back-edge test.
    const n = this.nodes.length;
    const succ: Adjacency = Array.from({ length: n }, () => []);
    const succEdge: WorkflowEdge[][] = Array.from({ length: n }, () => []);
    for (const e of this.edges) {
      const a = this.indexOf.get(e.from)!;
      succ[a].push(this.indexOf.get(e.to)!);
      succEdge[a].push(e);
    }
    const entryIndex = this.indexOf.get(entry.id)!;
    const dfs = depthFirst(succ, entryIndex);
    for (let i = 0; i < n; i++) {
      if (!dfs.visited[i]) {
        const node = this.nodes[i];
        this.sink.report(Codes.UnreachableNode, { node: node.id, entry: entry.id }, node.idRange);
      }
    }
    const backEdges = new Set<WorkflowEdge>();
    for (const key of dfs.backEdges) {
      const [v, i] = key.split('>').map(Number);
      backEdges.add(succEdge[v][i]);
    }
    for (const e of backEdges) {
      if (!BOUNDED_BACK_EDGE_MODES.has(e.mode)) {
        this.sink.report(Codes.UnboundedCycle, { form: 'backEdge', mode: e.mode, from: e.from, to: e.to }, e.range);
      } else if (e.mode === 'loop' && e.forEach) {
        this.sink.report(Codes.UnboundedCycle, { form: 'forEachBackEdge', from: e.from, to: e.to }, e.range);
      } else if (e.mode === 'conditional') {
        this.sink.report(Codes.ConditionalBackEdge, { from: e.from, to: e.to }, e.range);
      }
    }
    if (this.sink.hasErrors) return undefined;

    this.backEdges = backEdges;
    this.buildPostDominators();
    this.checkStartTogether();
    if (this.sink.hasErrors) return undefined;
    this.findForEachRegions();
    this.findForks(dfs.rpo);
    if (this.sink.hasErrors) return undefined;
    this.buildDominators(entryIndex);
    const enclosingCycles = this.cycles(backEdges, succ);
    if (this.sink.hasErrors) return undefined;
    const continuation = this.continuations(backEdges);
    this.checkExpressions();
    if (this.sink.hasErrors) return undefined;
    return {
      workflow: this.wf,
      nodeById: this.nodeById,
      entry,
      outEdges: this.outEdges,
      backEdges,
      enclosingCycles,
      continuation,
      conditions: this.conditions,
      templates: this.templates,
      resolved: this.resolved,
      optionalInputsUsed: this.optionalInputsUsed,
      optionalLists: this.optionalLists,
      secrets: this.secrets,
      forks: this.forks,
      forEach: this.forEach,
      scopeOf: this.scopeOf,
      switchSubjects: this.switchSubjects,
      forEachItems: this.forEachItems,
      usedOutputs: this.usedOutputs,
      errorMessages: this.errorMessages,
    };
  }

  // ---- structure ------------------------------------------------------------

  private indexNodes(): void {
    for (const node of this.wf.nodes) {
      const bad = badName(node.id);
      if (bad) {
        this.sink.report(Codes.BadNodeId, { id: node.id.length > 60 ? `${node.id.slice(0, 59)}…` : node.id, bad }, node.idRange);
        continue;
      }
      const badOutput = node.outputs.find((o) => RESERVED_NAMES.has(o.name));
      if (badOutput) this.sink.report(Codes.BadOutputs, { form: 'reservedName', output: badOutput.name, node: node.id }, badOutput.range);
      const first = this.nodeById.get(node.id);
      if (first) {
        this.sink.report(Codes.DuplicateNodeId, { form: 'sameId', node: node.id, first: first.index + 1 }, node.idRange);
        continue;
      }
      const key = dataKey(node.id);
      const clash = this.byDataKey.get(key);
      if (clash) {
        this.sink.report(Codes.DuplicateNodeId, { form: 'sameOutputKey', clash: clash.id, node: node.id, key }, node.idRange);
        continue;
      }
      this.byDataKey.set(key, node);
      const outKeys = new Map<string, string>();
      for (const o of node.outputs) {
        const k = dataKey(o.name);
        if (outKeys.has(k) && outKeys.get(k) !== o.name) this.sink.report(Codes.BadOutputs, { form: 'sameKey', other: outKeys.get(k), name: o.name, node: node.id, key: k }, o.range);
        outKeys.set(k, o.name);
      }
      this.indexOf.set(node.id, this.nodes.length);
      this.nodeById.set(node.id, node);
      this.nodes.push(node);
      this.outEdges.set(node.id, []);
      for (const o of this.outputNames(node)) {
        const list = this.declarers.get(o);
        if (list) list.push(node);
        else this.declarers.set(o, [node]);
      }
    }
  }

  private indexEdges(): void {
    const seen = new Set<string>();
    const routing = new Set(this.wf.edges.filter((e) => e.mode === 'conditional' || e.mode === 'switch').map((e) => e.from));
    for (const e of this.wf.edges) {
      let ok = true;
      for (const [end, range] of [[e.from, e.fromRange], [e.to, e.toRange]] as const) {
        if (!this.nodeById.has(end)) {
          ok = false;
          this.sink.report(Codes.UnknownEdgeTarget, { form: 'edgeEnd', from: e.from, to: e.to, end, hint: didYouMean(end, this.nodeById.keys()) ?? `Nodes are: ${[...this.nodeById.keys()].slice(0, 12).join(', ')}.` }, range);
        }
      }
      if (!ok) continue;
      if (e.from === e.to && e.mode !== 'loop' && e.mode !== 'fallback') {
        // The schema requires an edge, so single-node files sometimes carry a self-edge; it is not a loop.
        this.sink.report(Codes.SelfEdgeIgnored, { mode: e.mode, from: e.from }, e.range);
        continue;
      }
      const key = `${e.from}\u0000${e.to}\u0000${e.mode}\u0000${e.condition?.text ?? ''}`;
      if (seen.has(key)) {
        this.sink.report(Codes.DuplicateEdge, { from: e.from, to: e.to, mode: e.mode }, e.range);
        continue;
      }
      seen.add(key);
      if (e.condition && (e.mode === 'fallback' || e.mode === 'error')) this.readFailureCondition(e, routing);
      if (e.condition && (e.mode === 'sequential' || e.mode === 'parallel') ) {
        if (e.modeGiven) {
          this.sink.report(Codes.ConditionOnUnconditionalEdge, { from: e.from, to: e.to, mode: e.mode }, e.condition.range);
        }
        e.mode = 'conditional';
      }
      if ((e.mode === 'conditional' || e.mode === 'switch') && !e.condition) {
        this.sink.report(Codes.MissingCondition, { form: 'noWhen', mode: e.mode, from: e.from, to: e.to }, e.modeRange);
        continue;
      }
      if (e.mode === 'switch') {
        this.expandSwitch(e);
        continue;
      }
      if (e.mode === 'loop' && e.forEach && !e.iteratorVar) {
        this.sink.report(Codes.MissingCondition, { form: 'noIteratorVar', from: e.from, to: e.to }, e.range);
        continue;
      }
      this.edges.push(e);
      this.outEdges.get(e.from)!.push(e);
    }
  }

  /**
   * A fallback or error edge with a condition: `otherwise` beside conditional
   * edges is their else branch; a condition that does not read the error is a
   * condition on the node's outputs, so the edge is conditional; `otherwise`
   * alone is an unconditional fallback.
   */
  private readFailureCondition(e: WorkflowEdge, routing: Set<string>): void {
    const text = e.condition!.text.trim();
    const otherwise = /^(otherwise|default|else)$/i.test(text);
    if (otherwise && !routing.has(e.from)) {
      this.sink.report(Codes.ReadingApplied, { form: 'otherwiseOnFailureEdge', mode: e.mode, from: e.from, to: e.to, text }, e.condition!.range);
      e.condition = undefined;
      return;
    }
    if (!otherwise && /\berror\b/.test(text)) return;
    this.sink.report(Codes.ReadingApplied, { form: 'conditionOnFailureEdge', otherwise, mode: e.mode, from: e.from, to: e.to, text }, e.condition!.range);
    e.mode = 'conditional';
  }

  /** A switch edge routes by its cases: one derived edge per distinct target (the switch edge's own 'to' only when it has no cases). */
  private expandSwitch(e: WorkflowEdge): void {
    if (!e.cases || e.cases.length === 0) {
      this.sink.report(Codes.SwitchWithoutCases, { from: e.from, to: e.to }, e.modeRange);
      e.mode = 'conditional';
      this.edges.push(e);
      this.outEdges.get(e.from)!.push(e);
      return;
    }
    const targets: { to: string; range: SourceRange }[] = [...e.cases, ...(e.defaultTo ? [e.defaultTo] : [])];
    let ok = true;
    for (const t of targets) {
      if (!this.nodeById.has(t.to)) {
        ok = false;
        this.sink.report(Codes.UnknownEdgeTarget, { form: 'switchCase', from: e.from, to: t.to, hint: didYouMean(t.to, this.nodeById.keys()) }, t.range);
      }
    }
    if (!ok) return;
    if (!targets.some((t) => t.to === e.to)) {
      this.sink.report(Codes.SwitchTargetIgnored, { from: e.from, to: e.to }, e.toRange);
    }
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.to)) continue;
      seen.add(t.to);
      const derived: WorkflowEdge = { ...e, to: t.to, toRange: t.range, switchEdge: e };
      this.edges.push(derived);
      this.outEdges.get(e.from)!.push(derived);
    }
  }

  /**
   * The entry: the one node without incoming edges. When every node has one
   * (a cycle through the start), take the component of the graph that nothing
   * else enters, and in it the first node that only later nodes lead to.
   */
  private findEntry(): WorkflowNode | undefined {
    const inDegree = new Map<string, number>();
    for (const e of this.edges) inDegree.set(e.to, (inDegree.get(e.to) ?? 0) + 1);
    const roots = this.nodes.filter((nd) => !inDegree.get(nd.id));
    if (roots.length === 1) return roots[0];
    if (roots.length > 1) return this.startTogether(roots);
    const succ: Adjacency = this.nodes.map(() => []);
    for (const e of this.edges) succ[this.indexOf.get(e.from)!].push(this.indexOf.get(e.to)!);
    const { comp, count } = stronglyConnected(succ);
    const entered = new Uint8Array(count);
    for (const e of this.edges) {
      const a = comp[this.indexOf.get(e.from)!];
      const b = comp[this.indexOf.get(e.to)!];
      if (a !== b) entered[b] = 1;
    }
    const sourceComps = new Set<number>();
    for (let c = 0; c < count; c++) if (!entered[c]) sourceComps.add(c);
    const candidates: WorkflowNode[] = [];
    for (const c of sourceComps) {
      const members = this.nodes.filter((nd) => comp[this.indexOf.get(nd.id)!] === c);
      const onlyFromLater = members.find((nd) => this.inEdges(nd.id).every((e) => this.indexOf.get(e.from)! > this.indexOf.get(nd.id)! || FAILURE_MODES.has(e.mode) || e.mode === 'loop'));
      candidates.push(onlyFromLater ?? members[0]);
    }
    if (candidates.length === 1) return candidates[0];
    this.sink.report(Codes.NoEntryNode, { candidatesCount: candidates.length, candidates: candidates.map((c) => `'${c.id}'`).join(', ') }, this.wf.range);
    return undefined;
  }

  /**
   * Several entry nodes start together: a routing node `osop:start` forks into
   * them (a Parallel whose branches meet where the roots' paths meet). Whether
   * they meet is checked once post-dominators are known (`checkStartTogether`).
   */
  private startTogether(roots: WorkflowNode[]): WorkflowNode {
    const first = roots[0];
    const start: WorkflowNode = {
      id: START_NODE, index: this.wf.nodes.length, type: 'system', subtype: 'fork', name: 'Start', outputs: [], runtime: {}, sfn: {},
      binding: { id: 'routing', config: true }, range: first.range, idRange: first.idRange, typeRange: first.typeRange,
    };
    this.wf.nodes.push(start);
    this.indexOf.set(start.id, this.nodes.length);
    this.nodeById.set(start.id, start);
    this.nodes.push(start);
    const out: WorkflowEdge[] = roots.map((r, i) => ({
      index: this.wf.edges.length + i, from: start.id, to: r.id, mode: 'parallel', modeGiven: true, sfn: {},
      range: r.idRange, fromRange: r.idRange, toRange: r.idRange, modeRange: r.idRange,
    }));
    this.outEdges.set(start.id, out);
    this.edges.push(...out);
    this.wf.edges.push(...out);
    this.inEdgeIndex = undefined;
    this.startRoots = roots;
    return start;
  }

  /** Roots that never meet are two workflows in one file: said precisely. */
  private checkStartTogether(): void {
    const roots = this.startRoots;
    if (!roots) return;
    const list = roots.map((r) => `'${r.id}'`).join(', ');
    const join = this.ipdom(START_NODE);
    if (join === null) {
      for (const r of roots.slice(1)) {
        this.sink.report(Codes.SeveralEntryNodes, { rootsCount: roots.length, list, node: r.id, first: roots[0].id }, r.idRange);
      }
      return;
    }
    this.sink.report(Codes.SeveralEntriesInParallel, { rootsCount: roots.length, list, join }, roots[1].idRange);
  }

  // ---- dominators and cycles ------------------------------------------------

  /** Post-dominators of the forward graph (no back-edges), from a virtual exit after every final node. */
  private buildPostDominators(): void {
    const n = this.nodes.length;
    const exit = n;
    const rsucc: Adjacency = Array.from({ length: n + 1 }, () => []);
    const hasForwardOut = new Uint8Array(n);
    for (const e of this.edges) {
      if (this.backEdges.has(e)) continue;
      const a = this.indexOf.get(e.from)!;
      rsucc[this.indexOf.get(e.to)!].push(a);
      hasForwardOut[a] = 1;
    }
    for (let i = 0; i < n; i++) if (!hasForwardOut[i]) rsucc[exit].push(i);
    this.pdom = new DominatorTree(rsucc, exit);
  }

  private ipdom(id: string): string | null {
    const ip = this.pdom.idom[this.indexOf.get(id)!];
    return ip < 0 || ip === this.nodes.length ? null : this.nodes[ip].id;
  }

  /**
   * For-each loops. The body is the loop edge's target and the chain after
   * it, as long as each next node is entered only from the chain: the body
   * ends before the next join (a node that other paths also enter) or at the
   * end of the workflow. A chain that branches is ambiguous and refused.
   */
  private findForEachRegions(): void {
    for (const e of this.edges) {
      if (e.mode !== 'loop' || !e.forEach || this.backEdges.has(e)) continue;
      const body: string[] = [e.to];
      const inBody = new Set(body);
      let after: string | null = null;
      let current = e.to;
      for (;;) {
        const flow = this.outEdges.get(current)!.filter((x) => !this.backEdges.has(x) && !FAILURE_MODES.has(x.mode));
        if (flow.length === 0) break;
        const targets = [...new Set(flow.map((x) => x.to))];
        if (targets.length > 1 || flow.some((x) => !FLOW_MODES.has(x.mode))) {
          this.sink.report(Codes.AmbiguousLoopBody, { form: 'bodyBranches', from: e.from, to: e.to, current, targets: targets.map((t) => `'${t}'`).join(', ') }, e.range);
          break;
        }
        const next = targets[0];
        const enteredFrom = new Set(this.inEdges(next).filter((x) => !this.backEdges.has(x)).map((x) => x.from));
        if (enteredFrom.size > 1 || inBody.has(next)) {
          after = next;
          break;
        }
        body.push(next);
        inBody.add(next);
        current = next;
      }
      const others = this.outEdges.get(e.from)!.filter((x) => x !== e && !FAILURE_MODES.has(x.mode));
      if (others.length > 1 || (others.length === 1 && after && others[0].to !== after)) {
        this.sink.report(Codes.AmbiguousLoopBody, { form: 'loopStartContinues', from: e.from, others: others.map((x) => `'${x.to}'`).join(', ') }, others[0].range);
        continue;
      }
      if (others.length === 1) after = others[0].to;
      for (const id of body) {
        for (const x of this.outEdges.get(id)!) {
          if (FAILURE_MODES.has(x.mode) && !inBody.has(x.to) && x.to !== after) {
            this.sink.report(Codes.NonNestingRegion, { form: 'leavesLoopBody', mode: x.mode, from: x.from, to: x.to, loopFrom: e.from, loopTo: e.to }, x.range);
          }
        }
      }
      this.forEach.set(e.from, { kind: 'for-each', edge: e, source: e.from, body, after, iteratorVar: e.iteratorVar! });
    }
  }

  /**
   * Parallel forks: several flow edges (parallel, spawn, or more than one
   * sequential) out of one node. The branches run up to the fork's immediate
   * post-dominator, the join. Branches must nest: no node may be reached from
   * two branches before the join, and no edge may leave a branch elsewhere.
   */
  private findForks(rpo: number[]): void {
    for (const v of rpo) {
      const node = this.nodes[v];
      const out = this.outEdges.get(node.id)!;
      const flow = out.filter((e) => FLOW_MODES.has(e.mode) && !this.backEdges.has(e));
      if (flow.length < 2) continue;
      // A loop back onto the fork node itself is fine (a Choice before the Parallel); forward choices are not.
      const branching = out.filter((e) => (e.mode === 'conditional' || e.mode === 'switch' || (e.mode === 'loop' && !e.forEach)) && !this.backEdges.has(e));
      if (branching.length) {
        this.sink.report(Codes.NotSupportedYet, { form: 'forkAndChoice', node: node.id, to: branching[0].to }, branching[0].range);
        continue;
      }
      for (const e of flow) {
        if (e.mode === 'spawn' && (e.spawnCount ?? 1) > 1) {
          this.sink.report(Codes.NotSupportedYet, { form: 'spawnCount', from: e.from, to: e.to, spawnCount: e.spawnCount }, e.range);
        }
      }
      const join = this.ipdom(node.id);
      const joinMode = this.joinModeOf(node.id, flow, join);
      if (!joinMode) continue;
      const branches: string[][] = [];
      const owner = new Map<string, number>();
      let nests = true;
      flow.forEach((start, bi) => {
        const members: string[] = [];
        const stack = [start.to];
        const seen = new Set<string>();
        while (stack.length) {
          const id = stack.pop()!;
          if (id === join || seen.has(id)) continue;
          seen.add(id);
          const prev = owner.get(id);
          if (prev !== undefined && prev !== bi) {
            nests = false;
            const into = this.inEdges(id).filter((x) => !this.backEdges.has(x)).map((x) => `${x.from} → ${x.to}`);
            this.sink.report(Codes.NonNestingRegion, { form: 'branchesMeetEarly', node: node.id, branch: flow[prev].to, branch2: start.to, meet: id, edges: into.join(', '), join }, this.nodeById.get(id)!.idRange);
            continue;
          }
          owner.set(id, bi);
          members.push(id);
          for (const x of this.outEdges.get(id)!) {
            if (this.backEdges.has(x)) {
              if (!seen.has(x.to) && x.to !== start.to && !this.reaches(start.to, x.to, join)) {
                nests = false;
                this.sink.report(Codes.NonNestingRegion, { form: 'leavesBranch', mode: x.mode, from: x.from, to: x.to, node: node.id }, x.range);
              }
              continue;
            }
            stack.push(x.to);
          }
        }
        branches.push(members);
      });
      if (!nests) continue;
      const joinCount = joinMode === 'wait_n' ? [...flow, ...(join ? this.inEdges(join) : [])].find((x) => x.joinMode === 'wait_n')?.joinCount : undefined;
      this.forks.set(node.id, { kind: 'fork', node: node.id, edges: flow, join, joinMode, branches, ...(joinCount !== undefined ? { joinCount } : {}) });
    }
    this.assignScopes(rpo);
  }

  /** In-edges of a node, indexed once (after switch edges are expanded). */
  private inEdges(id: string): WorkflowEdge[] {
    if (!this.inEdgeIndex) {
      this.inEdgeIndex = new Map();
      for (const e of this.edges) {
        const list = this.inEdgeIndex.get(e.to);
        if (list) list.push(e);
        else this.inEdgeIndex.set(e.to, [e]);
      }
    }
    return this.inEdgeIndex.get(id) ?? [];
  }

  /** True when `to` is reachable from `from` by forward edges without passing `stop`. */
  private reaches(from: string, to: string, stop: string | null): boolean {
    const stack = [from];
    const seen = new Set<string>();
    while (stack.length) {
      const id = stack.pop()!;
      if (id === to) return true;
      if (id === stop || seen.has(id)) continue;
      seen.add(id);
      for (const x of this.outEdges.get(id)!) if (!this.backEdges.has(x)) stack.push(x.to);
    }
    return false;
  }

  private joinModeOf(fork: string, flow: WorkflowEdge[], join: string | null): JoinMode | undefined {
    const declared = [...flow, ...(join ? this.inEdges(join) : [])].filter((e) => e.joinMode && e.joinMode !== 'wait_all');
    if (declared.length === 0) return 'wait_all';
    const modes = new Set(declared.map((e) => e.joinMode));
    const e = declared[0];
    if (modes.size > 1) {
      this.sink.report(Codes.NotSupportedYet, { form: 'mixedJoinModes', fork, modes: [...modes].join(', ') }, e.range);
      return undefined;
    }
    if (e.joinMode === 'wait_any') return 'wait_any';
    if (e.joinMode === 'wait_n') {
      const n = e.joinCount;
      if (n === undefined || !Number.isInteger(n) || n < 1 || n > flow.length) {
        this.sink.report(Codes.NotSupportedYet, { form: 'waitNCount', join: join ?? fork, flowCount: flow.length, count: n ?? 'missing' }, e.range);
        return undefined;
      }
      return 'wait_n';
    }
    this.sink.report(Codes.UnknownEdgeMode, { form: 'joinMode', joinMode: e.joinMode }, e.range);
    return undefined;
  }

  /** Innermost region of every node: outer regions first (reverse postorder), inner ones overwrite. */
  private assignScopes(rpo: number[]): void {
    for (const v of rpo) {
      const id = this.nodes[v].id;
      const parent = this.scopeOf.get(id) ?? null;
      const fork = this.forks.get(id);
      if (fork) fork.branches.forEach((members, index) => {
        const scope: Scope = { region: fork, index, parent };
        for (const m of members) this.scopeOf.set(m, scope);
      });
      const loop = this.forEach.get(id);
      if (loop) {
        const scope: Scope = { region: loop, index: 0, parent };
        for (const m of loop.body) this.scopeOf.set(m, scope);
      }
    }
  }

  /**
   * Dominators of the split graph. Branches of a wait_all fork are chained
   * one after another (branch i's exits lead into branch i+1) so that every
   * branch dominates the join: after a wait_all join, all branches have run.
   * References between branches are refused separately (scopes).
   */
  private buildDominators(entryIndex: number): void {
    // Vertex 2i = node i about to run (in), 2i+1 = node i ran (ok).
    const n = this.nodes.length;
    const succ: Adjacency = Array.from({ length: 2 * n }, () => []);
    for (let i = 0; i < n; i++) succ[2 * i].push(2 * i + 1);
    const rewire = new Map<WorkflowEdge, string | null>(); // edge → replacement target (null: dropped)
    for (const fork of this.forks.values()) {
      // Branches that never join are not chained: each is reachable from the fork as it is.
      if (fork.joinMode !== 'wait_all' || fork.branches.length < 2 || !fork.join) continue;
      // Where the chain goes after branch i: the first node of the next branch that has nodes (a branch may go
      // straight to the join), or the join.
      const after = (i: number): string => {
        for (let k = i + 1; k < fork.branches.length; k++) if (fork.branches[k].length) return fork.edges[k].to;
        return fork.join!;
      };
      fork.edges.forEach((e, i) => {
        if (i > 0) rewire.set(e, null);
        else if (!fork.branches[0].length) rewire.set(e, after(0));
      });
      fork.branches.forEach((members, i) => {
        const inBranch = new Set(members);
        for (const m of members) for (const x of this.outEdges.get(m)!) if (x.to === fork.join && inBranch.has(x.from)) rewire.set(x, after(i));
      });
    }
    for (const loop of this.forEach.values()) {
      // The body runs between the source and the node after the loop; its outputs are per item (see scopes).
      const last = loop.body[loop.body.length - 1];
      if (loop.after && !this.outEdges.get(last)!.some((x) => x.to === loop.after)) {
        succ[2 * this.indexOf.get(last)! + 1].push(2 * this.indexOf.get(loop.after)!);
      }
    }
    for (const e of this.edges) {
      const a = this.indexOf.get(e.from)!;
      const target = rewire.has(e) ? rewire.get(e) : e.to;
      if (target === null || target === undefined) continue;
      succ[FAILURE_MODES.has(e.mode) ? 2 * a : 2 * a + 1].push(2 * this.indexOf.get(target)!);
    }
    this.dom = new DominatorTree(succ, 2 * entryIndex);
  }

  /** Natural loop of each back-edge u → v: v and every node that reaches u without passing v. */
  private cycles(backEdges: Set<WorkflowEdge>, succ: Adjacency): Map<string, WorkflowEdge[]> {
    const result = new Map<string, WorkflowEdge[]>();
    if (backEdges.size === 0) return result;
    const preds: Adjacency = this.nodes.map(() => []);
    succ.forEach((ws, v) => ws.forEach((w) => preds[w].push(v)));
    // Each membership becomes a counter read in that node's payload (its `attempt`): past what a 1 MB
    // definition can hold, nested cycles are refused here rather than built (nesting is quadratic).
    let memberships = 0;
    for (const e of backEdges) {
      const head = this.indexOf.get(e.to)!;
      const tail = this.indexOf.get(e.from)!;
      const inLoop = new Set<number>([head]);
      const stack = [tail];
      while (stack.length) {
        const v = stack.pop()!;
        if (inLoop.has(v)) continue;
        inLoop.add(v);
        if (++memberships > MAX_CYCLE_MEMBERSHIPS) {
          this.sink.report(Codes.DefinitionTooLarge, { form: 'nestedCycles' }, e.range);
          return result;
        }
        for (const p of preds[v]) if (!inLoop.has(p)) stack.push(p);
      }
      for (const v of inLoop) {
        const id = this.nodes[v].id;
        const list = result.get(id);
        if (list) list.push(e);
        else result.set(id, [e]);
      }
    }
    return result;
  }

  /**
   * Where a node goes when none of its conditions holds and it has no
   * unconditional edge: its immediate post-dominator (the point where its
   * branches meet again), unless that is one of its own conditional targets
   * (then skipping the branch ends the workflow). Null means the end.
   */
  private continuations(backEdges: Set<WorkflowEdge>): Map<string, string | null> {
    const result = new Map<string, string | null>();
    for (const nd of this.nodes) {
      const out = this.outEdges.get(nd.id)!;
      const routed = out.filter((e) => (e.mode === 'conditional' || e.mode === 'switch') && !backEdges.has(e));
      if (routed.length === 0 || out.some((e) => e.mode === 'sequential')) continue;
      const ip = this.ipdom(nd.id);
      const targets = new Set(routed.map((e) => e.to));
      result.set(nd.id, ip === null || targets.has(ip) ? null : ip);
    }
    return result;
  }

  // ---- expressions and data flow -------------------------------------------

  private checkExpressions(): void {
    for (const e of this.edges) {
      if (!e.condition) continue;
      const routed = e.mode === 'conditional' || e.mode === 'loop' || e.mode === 'switch';
      const onError = e.mode === 'error' || e.mode === 'fallback' || e.mode === 'timeout';
      if (!routed && !onError) continue;
      if (e.switchEdge) {
        // One subject per switch, checked against every case.
        if (!this.checkedSwitches.has(e.switchEdge)) {
          this.checkedSwitches.add(e.switchEdge);
          this.checkSwitch(e.switchEdge);
        }
        continue;
      }
      const parsed = this.parseEdgeCondition(e.condition);
      if (!parsed) continue;
      const source = this.nodeById.get(e.from)!;
      this.collectUseHints(parsed.expr);
      // Conditions on error edges are evaluated after the node failed: its error is in scope, its outputs are not.
      const point = this.point(source, onError ? 'in' : 'ok');
      let failed = false;
      for (const ref of parsed.references) {
        if (!this.resolve(ref, point, source, e.condition, 'condition', onError ? source : undefined)) failed = true;
      }
      if (failed) continue;
      this.conditions.set(e, parsed);
      const lowered = lowerCondition(parsed, resolverOf(this.resolved));
      if ('message' in lowered) this.exprError(e.condition, lowered, Codes.ConditionNotLowerable);
    }
    for (const loop of this.forEach.values()) this.checkForEachList(loop);
    for (const node of this.nodes) {
      if (!this.dom.reachable(this.point(node, 'in'))) continue;
      const point = this.point(node, 'in');
      const visit = (t: TemplateText, secretsAllowed: boolean) => this.checkTemplate(t, node, point, secretsAllowed);
      // An approval gate's prompt (a human node's is its binding's own template).
      if (node.approval && node.type !== 'human') visit(node.approval.prompt, false);
      const binding = bindingOf(node);
      binding?.templates?.(node.binding!.config, visit);
      // Nodes read whole (an agent's context:) must exist and have run on every path here.
      for (const ref of binding?.nodeRefs?.(node.binding!.config) ?? []) {
        const target = this.nodeById.get(ref.id);
        if (!target) this.sink.report(Codes.UnknownReference, { form: 'notANode', ref: ref.id, hint: didYouMean(ref.id, this.nodeById.keys()) }, ref.range);
        else if (!this.dom.dominates(this.point(target, 'ok'), point)) this.sink.report(Codes.NotYetRun, { form: 'notOnEveryPath', ref: ref.id, node: node.id }, ref.range);
      }
    }
  }

  private parseEdgeCondition(t: TemplateText): ParsedCondition | undefined {
    const parsed = parseCondition(t.text);
    if (!parsed.ok) {
      this.exprError(t, parsed.error, parsed.error.secret ? Codes.SecretInCondition : Codes.ConditionSyntax);
      return undefined;
    }
    for (const note of parsed.notes) {
      this.sink.report(Codes.DialectSpelling, { noteMessage: note.message, celSpelling: note.celSpelling }, this.spanRange(t, note.span));
    }
    return parsed.value;
  }

  /** A switch's `when` is its subject: one input or output, compared with each case's value. */
  private checkSwitch(sw: WorkflowEdge): void {
    const t = sw.condition!;
    const parsed = this.parseEdgeCondition(t);
    if (!parsed) return;
    const source = this.nodeById.get(sw.from)!;
    const point = this.point(source, 'ok');
    // A switch's subject takes the values of its cases (typed agent outputs become an enum of them).
    if (parsed.expr.kind === 'ref') {
      const values = (sw.cases ?? []).map((c) => c.value);
      const type = values.every((v) => typeof v === 'number') ? 'number' : values.every((v) => typeof v === 'boolean') ? 'boolean' : 'string';
      this.useHints.set(parsed.expr.ref, { type, values });
    }
    let failed = false;
    for (const ref of parsed.references) if (!this.resolve(ref, point, source, t, 'condition')) failed = true;
    if (failed) return;
    for (const c of sw.cases ?? []) {
      const lowered = lowerSwitchCase(parsed, c.value, resolverOf(this.resolved));
      if ('message' in lowered) {
        this.exprError(t, lowered, Codes.ConditionNotLowerable);
        return;
      }
    }
    this.switchSubjects.set(sw, parsed);
  }

  /** The list of a for-each loop: one input or output, resolved where the loop starts. */
  private checkForEachList(loop: ForEachRegion): void {
    const e = loop.edge;
    const t = new TemplateText(e.forEach!, e.range, undefined);
    const parsed = this.parseEdgeCondition(t);
    if (!parsed) return;
    const source = this.nodeById.get(e.from)!;
    if (parsed.references.length !== 1 || parsed.expr.kind !== 'ref') {
      this.sink.report(Codes.ConditionNotLowerable, { form: 'forEachComputed', from: e.from, to: e.to, forEach: e.forEach }, e.range);
      return;
    }
    const ref = parsed.references[0];
    if (!this.resolve(ref, this.point(source, 'ok'), source, t, 'condition')) return;
    this.forEachItems.set(loop, this.resolved.get(ref)!.path);
    const optional = ref.kind === 'input' && ref.path.length === 1 ? this.optionalWithoutDefault(ref.path[0]) : undefined;
    if (optional) {
      this.optionalLists.add(optional.name);
      this.sink.report(Codes.OptionalInputUsed, { form: 'forEach', from: e.from, to: e.to, input: optional.name }, e.range);
    }
  }

  private checkTemplate(t: TemplateText, node: WorkflowNode, point: number, secretsAllowed: boolean): void {
    if (/\{\{\s*[\w.]+\s*\}\}/.test(t.text) && !t.text.includes('${')) {
      this.sink.report(Codes.OtherTemplateSyntax, {}, t.range);
    }
    if (!t.text.includes('${')) {
      this.templates.set(t, { text: t.text, parts: [{ kind: 'text', text: t.text }], references: [] });
      return;
    }
    const parsed = parseTemplate(t.text);
    if (!parsed.ok) {
      this.exprError(t, parsed.error, Codes.TemplateSyntax);
      return;
    }
    this.templates.set(t, parsed.value);
    for (const ref of parsed.value.references) {
      if (ref.kind === 'secret') {
        if (!secretsAllowed) {
          this.sink.report(Codes.SecretInCondition, { form: 'leaks', toModel: node.binding?.id === 'agent' }, this.spanRange(t, ref.span));
          continue;
        }
        const users = this.secrets.get(ref.name);
        if (users) users.add(node.id);
        else this.secrets.set(ref.name, new Set([node.id]));
        continue;
      }
      if (this.resolve(ref, point, node, t, 'template') && ref.kind === 'input') this.noteOptionalInput(ref.path[0], node, t, ref);
    }
  }

  /** Resolve one reference at a point of the split graph; reports and returns false when it cannot. */
  /**
   * Resolve one reference at a point of the split graph; reports and returns false when it cannot.
   * `failed` is set for conditions of error edges: `error.name` / `error.cause` name the node's error.
   */
  private resolve(ref: Reference, point: number, at: WorkflowNode, text: TemplateText, where: 'condition' | 'template', failed?: WorkflowNode): boolean {
    const range = this.spanRange(text, ref.span);
    this.refRange = range;
    const fail = <C extends Code>(code: C, params: MessageParams<C>) => {
      this.sink.report(code, params, range);
      return false;
    };
    if (failed && ref.kind === 'output') {
      const segs = ref.node !== null ? [ref.node, ...ref.path] : ref.path;
      if (segs[0] === 'error' && !this.nodeById.has('error')) {
        const field = segs[1] ?? 'name';
        const key = field === 'name' || field === 'type' || field === 'code' || field === 'error' ? 'Error' : field === 'cause' || field === 'message' ? 'message' : undefined;
        if (!key || segs.length > 2) return fail(Codes.UnknownReference, { form: 'errorField', ref: segs.join('.') });
        // The message is read out of the cause by the lowering (a function's cause is the Lambda runtime's JSON envelope).
        if (key === 'message') this.errorMessages.add(failed.id);
        this.resolved.set(ref, { path: `${errorPath(failed.id)}.${key}`, mayBeAbsent: false, type: 'string' });
        return true;
      }
    }
    switch (ref.kind) {
      case 'secret':
        return fail(Codes.SecretInCondition, { form: 'inCondition' });
      case 'env':
        return fail(Codes.UnsupportedNamespace, { form: 'env', name: ref.name });
      case 'loop': {
        const name = ref.path[0];
        const body = scopeChain(this.scopeOf.get(at.id) ?? null).find((sc) => sc.region.kind === 'for-each' && (sc.region.iteratorVar === name || name === 'index'));
        if (!body) {
          const vars = scopeChain(this.scopeOf.get(at.id) ?? null).flatMap((sc) => (sc.region.kind === 'for-each' ? [sc.region.iteratorVar] : []));
          return fail(Codes.UnknownReference, { form: 'loopItem', varsCount: vars.length, name, node: at.id, path: ref.path.join('.'), hint: vars.length ? `The loop's item is loop.${vars[0]}.` : undefined });
        }
        this.resolved.set(ref, { path: loopPath(ref.path), mayBeAbsent: ref.path.length > 1 });
        return true;
      }
      case 'metadata': {
        const path = METADATA_PATHS[ref.name];
        if (!path) return fail(Codes.UnsupportedNamespace, { form: 'metadata', name: ref.name, known: Object.keys(METADATA_PATHS).map((k) => `metadata.${k}`).join(', ') });
        this.resolved.set(ref, { path, mayBeAbsent: false, type: 'string' });
        return true;
      }
      case 'input':
        return this.resolveInput(ref, ref.path, fail);
      case 'output':
        return this.resolveOutput(ref, point, at, where, fail);
    }
  }

  private optionalWithoutDefault(name: string): InputDecl | undefined {
    const decl = this.wf.inputs?.find((i) => i.name === name);
    return decl && !decl.required && !('default' in decl) ? decl : undefined;
  }

  /**
   * A template that uses an optional input without a default: where the execution input lacks it, Step Functions
   * would fail the node with States.Runtime (no Catch takes it). The node checks first and fails with OSOP.Input,
   * naming the input; the warning says so once per node and input.
   */
  private noteOptionalInput(name: string, node: WorkflowNode, t: TemplateText, ref: Reference): void {
    if (!this.optionalWithoutDefault(name)) return;
    const used = this.optionalInputsUsed.get(node.id) ?? new Set<string>();
    this.optionalInputsUsed.set(node.id, used);
    if (used.has(name)) return;
    used.add(name);
    this.sink.report(Codes.OptionalInputUsed, { form: 'template', node: node.id, name }, this.spanRange(t, ref.span));
  }

  private resolveInput(ref: Reference, path: string[], fail: Fail): boolean {
    const name = path[0];
    let decl = this.wf.inputs?.find((i) => i.name === name);
    if (!decl) {
      const declared = (this.wf.inputs ?? []).map((i) => i.name);
      const near = declared.length ? didYouMean(name, declared) : undefined;
      // A near miss of a declared input is a typo, not a new input.
      if (near) return fail(Codes.UnknownInput, { name, hint: near });
      decl = { name, required: false, range: this.wf.idRange };
      (this.wf.inputs ??= []).push(decl);
      this.sink.report(Codes.ImplicitInput, { form: 'undeclaredInput', path: path.join('.'), name }, this.refRange ?? null);
    }
    const structured = path.length === 1 && (decl.schema?.type === 'object' || decl.schema?.type === 'array');
    this.resolved.set(ref, { path: jsonPathOf(['input', ...path]), mayBeAbsent: !decl.required || path.length > 1, type: path.length === 1 ? decl.type : undefined, ...(structured ? { json: true } : {}) });
    return true;
  }

  private resolveOutput(ref: Reference & { kind: 'output' }, point: number, at: WorkflowNode, where: string, fail: Fail): boolean {
    const shown = ref.node ? `${ref.node}.${ref.path.join('.')}` : ref.path.join('.');
    if (ref.node !== null && this.nodeById.has(ref.node)) {
      const node = this.nodeById.get(ref.node)!;
      const names = this.outputNames(node);
      const name = ref.path[0];
      if (name === undefined) return fail(Codes.UnknownOutput, { form: 'nodeWithoutOutput', shown, hint: names.length ? `Outputs of '${node.id}': ${names.join(', ')}.` : undefined });
      if (!names.includes(name)) {
        // A dotted name reads an agent's structured answer (typed outputs); elsewhere, and for a near miss, it is a mistake.
        const reading = node.binding?.id === 'agent' && !(node.outputs.length && didYouMean(name, names)) && this.declareImplicitOutput(node, name, ref);
        if (!reading) {
          if (names.length === 0) return fail(Codes.UnknownOutput, { form: 'noOutputs', node: node.id, shown, name });
          return fail(Codes.UnknownOutput, { form: 'unknownOutput', node: node.id, name, hint: didYouMean(name, names) ?? `Outputs of '${node.id}': ${names.join(', ')}.` });
        }
      }
      const ok = this.point(node, 'ok');
      if (!this.scopeAllows(node, at, shown, fail)) return false;
      if (!this.dom.dominates(ok, point)) {
        const why = node.id === at.id ? `'${at.id}' has not produced it yet when its own ${where} is evaluated` : `'${node.id}' does not run on every path to '${at.id}'`;
        return fail(Codes.NotYetRun, { form: 'mayNotHaveRun', shown, why, node: at.id });
      }
      this.resolved.set(ref, { path: outputPath(node.id, ref.path[0], ref.path.slice(1)), mayBeAbsent: ref.path.length > 1, ...(ref.path.length === 1 ? this.typed(this.outputType(node, name)) : {}) });
      return true;
    }
    // A bare output name (`status == 'succeeded'`), or `a.b` where `a` is an output name rather than a node.
    const segments = ref.node !== null ? [ref.node, ...ref.path] : ref.path;
    const name = segments[0];
    const candidates = this.declarers.get(name) ?? [];
    let best: WorkflowNode | undefined;
    for (const c of candidates) {
      const ok = this.point(c, 'ok');
      if (this.dom.dominates(ok, point) && (!best || this.dom.depthOrder(ok) > this.dom.depthOrder(this.point(best, 'ok')))) best = c;
    }
    if (best) {
      if (!this.scopeAllows(best, at, shown, fail)) return false;
      this.resolved.set(ref, { path: outputPath(best.id, segments[0], segments.slice(1)), mayBeAbsent: segments.length > 1, ...(segments.length === 1 ? this.typed(this.outputType(best, name)) : {}) });
      return true;
    }
    if (ref.node === null && this.wf.inputs?.some((i) => i.name === name)) return this.resolveInput(ref, segments, fail);
    if (candidates.length > 0) {
      return fail(Codes.NotYetRun, { form: 'noDeclarerOnEveryPath', shown, name, candidates: candidates.map((c) => c.id).join(', '), node: at.id });
    }
    // A bare name in a condition: a result field of the node the edge leaves (the node before a routing node), else an input.
    if (ref.node === null && where === 'condition') return this.resolveBareName(ref, segments, point, at, fail);
    const human = this.nodes.find((nd) => nd.type === 'human');
    if (ref.node === null && human && (name === 'approved' || name === 'rejected')) {
      return fail(Codes.UnknownReference, { form: 'approvalWord', name, human: human.id });
    }
    const pool = new Set<string>([...this.nodeById.keys(), ...this.declarers.keys(), ...(this.wf.inputs ?? []).map((i) => i.name)]);
    const suggestion = closestMatch(name, pool);
    if (ref.node !== null) {
      return fail(Codes.UnknownReference, { form: 'neitherNodeNorOutput', shown, node: ref.node, suggestion, example: this.exampleRef() });
    }
    return fail(Codes.UnknownReference, { form: 'unknownName', name, suggestion, example: this.exampleRef() });
  }

  /**
   * A bare name in a condition that no node declares (`when: approved`,
   * `status == 'success'`): a result field of the node the edge leaves,
   * declared implicitly (of the node before it, for a routing node). On an
   * approval, `approved` / `rejected` read its decision. Where no node can
   * give it, an optional input of the workflow.
   */
  private resolveBareName(ref: Reference & { kind: 'output' }, segments: string[], point: number, at: WorkflowNode, fail: Fail): boolean {
    const name = segments[0];
    const source = this.resultSource(at);
    if (source && source.binding?.id === 'approval' && (name === 'approved' || name === 'rejected') && segments.length === 1) {
      this.sink.report(Codes.ImplicitOutput, { form: 'approvalDecision', name, source: source.id }, this.refRange ?? null);
      this.resolved.set(ref, { path: outputPath(source.id, 'decision'), mayBeAbsent: false, type: 'boolean', truthy: name });
      return true;
    }
    if (source && this.dom.dominates(this.point(source, 'ok'), point) && this.declareImplicitOutput(source, name, ref)) {
      this.resolved.set(ref, { path: outputPath(source.id, name, segments.slice(1)), mayBeAbsent: true, ...(segments.length === 1 ? this.typed(this.outputType(source, name)) : {}) });
      return true;
    }
    if (segments.length === 1 && this.wf.inputs?.some((i) => i.name === name) !== true) {
      void fail;
      (this.wf.inputs ??= []).push({ name, required: false, range: this.wf.idRange });
      this.sink.report(Codes.ImplicitInput, { form: 'bareName', name, at: at.id }, this.refRange ?? null);
      this.resolved.set(ref, { path: jsonPathOf(['input', name]), mayBeAbsent: true });
      return true;
    }
    return fail(Codes.UnknownReference, { form: 'unknownPath', name: segments.join('.'), example: this.exampleRef() });
  }

  /** The node whose result a condition out of `at` reads: `at`, or for a routing node the one node before it. */
  private resultSource(at: WorkflowNode): WorkflowNode | undefined {
    if (at.binding && at.binding.id !== 'routing' && !(at.binding.id === 'event' && at === this.entryNode)) return at;
    const before = [...new Set(this.inEdges(at.id).filter((e) => !this.backEdges.has(e) && !FAILURE_MODES.has(e.mode)).map((e) => e.from))];
    return before.length === 1 ? this.resultSource(this.nodeById.get(before[0])!) : undefined;
  }

  /**
   * Declares output `name` of `node` implicitly, when its binding can give
   * one (a response body field, an answer field, a typed agent field, an
   * exported variable, ...); returns false when it cannot.
   */
  private declareImplicitOutput(node: WorkflowNode, name: string, ref: Reference): boolean {
    const binding = node.binding?.id;
    const what: Record<string, string> = {
      rest: `the field '${name}' of its response body`,
      agent: `a field '${name}' of a structured answer the model is asked for`,
      approval: `the field '${name}' of the approver's answer`,
      manual: `the field '${name}' of the answer that completes the step`,
      command: `the exported environment variable '${name}' of its build`,
      custom: `the field '${name}' of its handler's result`,
      mcp: `the field '${name}' of the tool's structured content`,
      subworkflow: `the output '${name}' of the child workflow`,
    };
    if (!binding || !what[binding] || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return false;
    if (!node.outputs.some((o) => o.name === name)) {
      // Agents are asked for every field the workflow reads (required in the schema); other results may lack it.
      node.outputs.push({ name, path: `$.${name}`, required: binding === 'agent', range: node.idRange });
      const list = this.declarers.get(name);
      if (list) list.push(node);
      else this.declarers.set(name, [node]);
      this.sink.report(Codes.ImplicitOutput, { form: 'resultField', name, node: node.id, reading: what[binding] }, this.refRange ?? node.idRange);
    }
    if (binding === 'agent') this.noteUse(node, name, ref);
    return true;
  }

  /** Comparisons with a literal say what type a reference is used as (for typed agent outputs). */
  private collectUseHints(e: CondExpr): void {
    const kindOf = (l: CondExpr): OutputUse['type'] =>
      l.kind !== 'literal' ? undefined : l.type === 'string' ? 'string' : l.type === 'bool' ? 'boolean' : l.type === 'int' || l.type === 'uint' || l.type === 'double' ? 'number' : undefined;
    const stack: CondExpr[] = [e];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.kind === 'compare' || x.kind === 'in') {
        const [ref, other] = x.left.kind === 'ref' ? [x.left, x.right] : [x.right, x.left];
        if (ref.kind === 'ref') {
          const items = other.kind === 'list' ? other.items : [other];
          const type = kindOf(items[0] ?? other);
          const values = x.kind === 'in' || (x.kind === 'compare' && x.op === '==') ? items.filter((i) => i.kind === 'literal').map((i) => (i as { value: string | number | boolean | null }).value) : undefined;
          if (type) this.useHints.set(ref.ref, { type, ...(values?.length && x.kind === 'in' ? { values } : {}) });
        }
      }
      for (const k of ['left', 'right', 'operand', 'test', 'then', 'else'] as const) {
        const child = (x as Record<string, unknown>)[k] as CondExpr | undefined;
        if (child && typeof child === 'object' && 'kind' in child) stack.push(child);
      }
    }
  }

  /** How an agent's field is used: compared with a number or a string, or switched on. */
  private noteUse(node: WorkflowNode, name: string, ref: Reference): void {
    let uses = this.usedOutputs.get(node.id);
    if (!uses) this.usedOutputs.set(node.id, (uses = new Map()));
    const use = uses.get(name) ?? {};
    const hint = this.useHints.get(ref);
    if (hint?.type) use.type ??= hint.type;
    if (hint?.values) use.values = [...(use.values ?? []), ...hint.values];
    uses.set(name, use);
  }

  /**
   * Outputs made inside a region are visible outside it only after a wait_all
   * join; never between parallel branches, never outside a for-each body
   * (they are per item), never after a wait_any join (a branch may not have run).
   */
  private scopeAllows(producer: WorkflowNode, at: WorkflowNode, shown: string, fail: Fail): boolean {
    const atChain = scopeChain(this.scopeOf.get(at.id) ?? null);
    for (const sc of scopeChain(this.scopeOf.get(producer.id) ?? null)) {
      if (atChain.includes(sc)) break;
      const r = sc.region;
      if (r.kind === 'for-each') {
        return fail(Codes.LoopItemReference, { shown, from: r.edge.from, to: r.edge.to, at: at.id });
      }
      const sibling = atChain.find((x) => x.region === r);
      if (sibling) {
        return fail(Codes.ParallelReference, { shown, node: r.node, at: at.id, hint: r.join ? `Use it after the join '${r.join}'.` : undefined });
      }
      if (r.joinMode !== 'wait_all') {
        return fail(Codes.NotYetRun, { form: 'joinMayNotFinish', shown, at: at.id, node: r.node, joinMode: r.joinMode });
      }
    }
    return true;
  }

  private exampleRef(): string {
    for (const nd of this.nodes) {
      const names = this.outputNames(nd);
      if (names.length) return `${nd.id}.${names[0]}`;
    }
    return 'node.output';
  }

  private outputNames(node: WorkflowNode): string[] {
    return outputNamesOf(node);
  }

  private outputType(node: WorkflowNode, name: string): OutputType | undefined {
    return bindingOf(node)?.outputType?.(node, node.binding!.config, name) ?? node.outputs.find((o) => o.name === name)?.type;
  }

  /** What a resolved reference says of its value's type: a scalar type, or that it is an object or a list (`json`). */
  private typed(t: OutputType | undefined): Pick<ResolvedRef, 'type' | 'json'> {
    return t === 'json' ? { json: true } : t ? { type: t } : {};
  }

  private point(node: WorkflowNode, which: 'in' | 'ok'): number {
    return 2 * this.indexOf.get(node.id)! + (which === 'ok' ? 1 : 0);
  }

  /** An error the expression checker found: its text is the checker's. */
  private exprError(t: TemplateText, err: ExprError, code: typeof Codes.ConditionSyntax | typeof Codes.ConditionNotLowerable | typeof Codes.SecretInCondition | typeof Codes.TemplateSyntax): void {
    this.sink.report(code, { form: 'expression', message: err.message, hint: err.hint }, this.spanRange(t, err.span));
  }

  /** Map a span inside an expression string to a range in the file. */
  private spanRange(t: TemplateText, span: Span): SourceRange {
    if (t.contentOffset === undefined) return t.range;
    return { offset: t.contentOffset + span.offset, length: span.length };
  }
}

/** How a reference check reports a problem at the reference (and says it cannot be resolved). */
type Fail = <C extends Code>(code: C, params: MessageParams<C>) => boolean;

const METADATA_PATHS: Record<string, string> = {
  run_id: '$$.Execution.Name',
  execution_id: '$$.Execution.Id',
  execution_name: '$$.Execution.Name',
  start_time: '$$.Execution.StartTime',
  started_at: '$$.Execution.StartTime',
  workflow_id: '$$.StateMachine.Name',
};

/** The names a node's outputs can be read by. */
export function outputNamesOf(node: WorkflowNode): string[] {
  const declared = node.outputs.map((o: OutputDecl) => o.name);
  const fixed: readonly string[] = bindingOf(node)?.outputs?.(node, node.binding!.config) ?? [];
  return [...fixed, ...declared.filter((d) => !fixed.includes(d))];
}

export { walkTemplates } from '../model';
export { resolverOf };
