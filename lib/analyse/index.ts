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
import { Codes, DiagnosticSink, type SourceRange } from '../diagnostics';
import {
  jsonPathOf,
  lowerCondition,
  parseCondition,
  parseTemplate,
  type ExprError,
  type ParsedCondition,
  type ParsedTemplate,
  type Reference,
  type ResolvedRef,
  type Span,
} from '../expressions';
import { TemplateText, type JsonTemplate, type OutputDecl, type Workflow, type WorkflowEdge, type WorkflowNode } from '../model';
import { closestMatch, didYouMean } from '../util/suggest';
import { DominatorTree, depthFirst, stronglyConnected, type Adjacency } from './graph';

/** Outputs every agent node has, whatever it declares (the agent handler's result). */
export const AGENT_OUTPUTS = ['text', 'model', 'stop_reason', 'usage'] as const;

/** Edge modes taken when the source node fails. */
const FAILURE_MODES = new Set(['fallback', 'error', 'timeout']);
/** Back-edge modes that the lowering bounds with a counter. */
const BOUNDED_BACK_EDGE_MODES = new Set(['fallback', 'error', 'timeout', 'loop', 'conditional']);

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

  constructor(private readonly wf: Workflow, private readonly sink: DiagnosticSink) {}

  run(): AnalysedWorkflow | undefined {
    this.indexNodes();
    this.indexEdges();
    // Entry and reachability questions about a graph with broken edges only add noise.
    if (this.nodes.length === 0 || this.sink.hasErrors) return undefined;
    const entry = this.findEntry();
    if (!entry) return undefined;

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
        this.sink.error(Codes.UnreachableNode, `Node '${node.id}' cannot be reached from the entry node '${entry.id}'.`, node.idRange, 'Add an edge to it, or remove it.');
      }
    }
    const backEdges = new Set<WorkflowEdge>();
    for (const key of dfs.backEdges) {
      const [v, i] = key.split('>').map(Number);
      backEdges.add(succEdge[v][i]);
    }
    for (const e of backEdges) {
      if (!BOUNDED_BACK_EDGE_MODES.has(e.mode)) {
        this.sink.error(Codes.UnboundedCycle, `The ${e.mode} edge ${e.from} → ${e.to} goes back to an earlier node and makes a cycle with no bound.`, e.range, "A cycle must be a 'loop' edge with a condition, or a 'fallback' edge; both are bounded by a counter.");
      } else if (e.mode === 'conditional') {
        this.sink.warn(Codes.UnboundedCycle, `The conditional edge ${e.from} → ${e.to} goes back to an earlier node: it is compiled as a loop, bounded to 10 rounds by default (x-sfn: { max_iterations: N } on the edge).`, e.range, "Write mode: loop to say that this is a loop.");
      }
    }
    if (this.sink.hasErrors) return undefined;

    this.buildDominators(entryIndex);
    const enclosingCycles = this.cycles(backEdges, succ);
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
      secrets: this.secrets,
    };
  }

  // ---- structure ------------------------------------------------------------

  private indexNodes(): void {
    for (const node of this.wf.nodes) {
      const first = this.nodeById.get(node.id);
      if (first) {
        this.sink.error(Codes.DuplicateNodeId, `Duplicate node id '${node.id}'.`, node.idRange, `Another node already has this id; node ids must be unique. (The first is node ${first.index + 1}.)`);
        continue;
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
    for (const e of this.wf.edges) {
      let ok = true;
      for (const [end, range] of [[e.from, e.fromRange], [e.to, e.toRange]] as const) {
        if (!this.nodeById.has(end)) {
          ok = false;
          this.sink.error(Codes.UnknownEdgeTarget, `Edge ${e.from} → ${e.to} refers to '${end}', which is not a node.`, range, didYouMean(end, this.nodeById.keys()) ?? `Nodes are: ${[...this.nodeById.keys()].slice(0, 12).join(', ')}.`);
        }
      }
      if (!ok) continue;
      if (e.from === e.to && e.mode !== 'loop' && e.mode !== 'fallback') {
        // The schema requires an edge, so single-node files sometimes carry a self-edge; it is not a loop.
        this.sink.warn(Codes.SelfEdgeIgnored, `The ${e.mode} edge from '${e.from}' to itself is ignored: it would repeat the node forever.`, e.range, "To repeat a node, use mode: loop with a 'when' condition.");
        continue;
      }
      const key = `${e.from}\u0000${e.to}\u0000${e.mode}\u0000${e.condition?.text ?? ''}`;
      if (seen.has(key)) {
        this.sink.warn(Codes.DuplicateEdge, `Edge ${e.from} → ${e.to} (${e.mode}) appears twice; the copy is ignored.`, e.range);
        continue;
      }
      seen.add(key);
      if (e.condition && (e.mode === 'sequential' || e.mode === 'parallel') ) {
        if (e.modeGiven) {
          this.sink.warn(Codes.ConditionOnUnconditionalEdge, `Edge ${e.from} → ${e.to} is ${e.mode} but has a condition; it is treated as conditional.`, e.condition.range, 'Write mode: conditional.');
        }
        e.mode = 'conditional';
      }
      if ((e.mode === 'conditional' || e.mode === 'switch') && !e.condition) {
        this.sink.error(Codes.MissingCondition, `The ${e.mode} edge ${e.from} → ${e.to} has no 'when' condition.`, e.modeRange, "Add when: \"<CEL expression>\", or make the edge sequential.");
        continue;
      }
      this.edges.push(e);
      this.outEdges.get(e.from)!.push(e);
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
    if (roots.length > 1) {
      const list = roots.map((r) => `'${r.id}'`).join(', ');
      for (const r of roots.slice(1)) {
        this.sink.error(Codes.SeveralEntryNodes, `The workflow has ${roots.length} entry nodes (${list}); a state machine has one start.`, r.idRange, `Connect '${r.id}' to the rest with an edge, or remove it. The first entry is '${roots[0].id}'.`);
      }
      return undefined;
    }
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
      const onlyFromLater = members.find((nd) => this.edges.every((e) => e.to !== nd.id || this.indexOf.get(e.from)! > this.indexOf.get(nd.id)! || FAILURE_MODES.has(e.mode) || e.mode === 'loop'));
      candidates.push(onlyFromLater ?? members[0]);
    }
    if (candidates.length === 1) return candidates[0];
    this.sink.error(Codes.NoEntryNode, `Every node has an incoming edge and the workflow has ${candidates.length} separate cycles, so there is no single start (candidates: ${candidates.map((c) => `'${c.id}'`).join(', ')}).`, this.wf.range, 'Make one node the start: no edge should lead into it except loop or fallback edges.');
    return undefined;
  }

  // ---- dominators and cycles ------------------------------------------------

  private buildDominators(entryIndex: number): void {
    // Vertex 2i = node i about to run (in), 2i+1 = node i ran (ok).
    const n = this.nodes.length;
    const succ: Adjacency = Array.from({ length: 2 * n }, () => []);
    for (let i = 0; i < n; i++) succ[2 * i].push(2 * i + 1);
    for (const e of this.edges) {
      const a = this.indexOf.get(e.from)!;
      const b = this.indexOf.get(e.to)!;
      succ[FAILURE_MODES.has(e.mode) ? 2 * a : 2 * a + 1].push(2 * b);
    }
    this.dom = new DominatorTree(succ, 2 * entryIndex);
  }

  /** Natural loop of each back-edge u → v: v and every node that reaches u without passing v. */
  private cycles(backEdges: Set<WorkflowEdge>, succ: Adjacency): Map<string, WorkflowEdge[]> {
    const result = new Map<string, WorkflowEdge[]>();
    if (backEdges.size === 0) return result;
    const preds: Adjacency = this.nodes.map(() => []);
    succ.forEach((ws, v) => ws.forEach((w) => preds[w].push(v)));
    for (const e of backEdges) {
      const head = this.indexOf.get(e.to)!;
      const tail = this.indexOf.get(e.from)!;
      const inLoop = new Set<number>([head]);
      const stack = [tail];
      while (stack.length) {
        const v = stack.pop()!;
        if (inLoop.has(v)) continue;
        inLoop.add(v);
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
    const needing = this.nodes.filter((nd) => {
      const out = this.outEdges.get(nd.id)!;
      return out.some((e) => e.mode === 'conditional' && !backEdges.has(e)) && !out.some((e) => e.mode === 'sequential');
    });
    if (needing.length === 0) return result;
    // Post-dominators: dominators of the reversed forward graph from a virtual exit.
    const n = this.nodes.length;
    const exit = n;
    const rsucc: Adjacency = Array.from({ length: n + 1 }, () => []);
    const hasForwardOut = new Uint8Array(n);
    for (const e of this.edges) {
      if (backEdges.has(e) || FAILURE_MODES.has(e.mode)) continue;
      const a = this.indexOf.get(e.from)!;
      rsucc[this.indexOf.get(e.to)!].push(a);
      hasForwardOut[a] = 1;
    }
    for (let i = 0; i < n; i++) if (!hasForwardOut[i]) rsucc[exit].push(i);
    const pdom = new DominatorTree(rsucc, exit);
    for (const nd of needing) {
      const i = this.indexOf.get(nd.id)!;
      const ip = pdom.idom[i];
      const targets = new Set(this.outEdges.get(nd.id)!.filter((e) => e.mode === 'conditional').map((e) => e.to));
      result.set(nd.id, ip < 0 || ip === exit || targets.has(this.nodes[ip].id) ? null : this.nodes[ip].id);
    }
    return result;
  }

  // ---- expressions and data flow -------------------------------------------

  private checkExpressions(): void {
    for (const e of this.edges) {
      if (!e.condition) continue;
      if (e.mode !== 'conditional' && e.mode !== 'loop' && e.mode !== 'switch') continue;
      const parsed = parseCondition(e.condition.text);
      if (!parsed.ok) {
        this.exprError(e.condition, parsed.error, Codes.ConditionSyntax);
        continue;
      }
      for (const note of parsed.notes) {
        this.sink.warn(Codes.DialectSpelling, `${note.message}`, this.spanRange(e.condition, note.span), `In CEL this is written '${note.celSpelling}'.`);
      }
      this.conditions.set(e, parsed.value);
      const source = this.nodeById.get(e.from)!;
      const point = this.point(source, 'ok');
      let failed = false;
      for (const ref of parsed.value.references) {
        if (!this.resolve(ref, point, source, e.condition, 'condition')) failed = true;
      }
      if (failed) continue;
      const lowered = lowerCondition(parsed.value, (ref) => this.resolved.get(ref) ?? { message: 'unresolved', span: ref.span });
      if ('message' in lowered) this.exprError(e.condition, lowered, Codes.ConditionNotLowerable);
    }
    for (const node of this.nodes) {
      if (!this.dom.reachable(this.point(node, 'in'))) continue;
      const b = node.binding;
      if (!b) continue;
      const point = this.point(node, 'in');
      const visit = (t: TemplateText, secretsAllowed: boolean) => this.checkTemplate(t, node, point, secretsAllowed);
      if (b.kind === 'rest') {
        if (b.url) visit(b.url, true);
        if (b.endpoint) visit(b.endpoint, true);
        for (const h of Object.values(b.headers)) visit(h, true);
        for (const q of Object.values(b.query)) walkTemplates(q, (t) => visit(t, true));
        if (b.body !== undefined) walkTemplates(b.body, (t) => visit(t, true));
        if (b.idempotency?.key) visit(b.idempotency.key, false);
      } else {
        if (b.systemPrompt) visit(b.systemPrompt, false);
        if (b.instruction instanceof TemplateText) visit(b.instruction, false);
      }
    }
  }

  private checkTemplate(t: TemplateText, node: WorkflowNode, point: number, secretsAllowed: boolean): void {
    if (/\{\{\s*[\w.]+\s*\}\}/.test(t.text) && !t.text.includes('${')) {
      this.sink.warn(Codes.OtherTemplateSyntax, `'{{...}}' is not OSOP interpolation; it is sent as written.`, t.range, "OSOP interpolates ${inputs.x}, ${outputs.node.x} and ${node.x}.");
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
          this.sink.error(Codes.SecretInCondition, `A secret cannot be used here: its value would reach ${node.binding?.kind === 'agent' ? 'the language model and ' : ''}the execution's data.`, this.spanRange(t, ref.span), 'Secrets may appear in the url, headers, query and body of api nodes, where only the handler resolves them.');
          continue;
        }
        const users = this.secrets.get(ref.name);
        if (users) users.add(node.id);
        else this.secrets.set(ref.name, new Set([node.id]));
        continue;
      }
      this.resolve(ref, point, node, t, 'template');
    }
  }

  /** Resolve one reference at a point of the split graph; reports and returns false when it cannot. */
  private resolve(ref: Reference, point: number, at: WorkflowNode, text: TemplateText, where: 'condition' | 'template'): boolean {
    const range = this.spanRange(text, ref.span);
    const fail = (code: string, message: string, hint?: string) => {
      this.sink.error(code, message, range, hint);
      return false;
    };
    switch (ref.kind) {
      case 'secret':
        return fail(Codes.SecretInCondition, 'Secrets cannot be used in conditions: the value would be written into the execution history.', 'Compare an output of the step that used the secret instead.');
      case 'env':
        return fail(Codes.UnsupportedNamespace, `'env.${ref.name}' cannot be read by a state machine: it runs on AWS, not on your machine.`, 'Pass the value as a workflow input (${inputs.x}) or keep it in a secret (${secrets.X}).');
      case 'loop':
        return fail(Codes.NotSupportedYet, `'loop.${ref.path.join('.')}' is only defined inside a for-each loop, which this compiler does not support yet.`);
      case 'metadata': {
        const path = METADATA_PATHS[ref.name];
        if (!path) return fail(Codes.UnsupportedNamespace, `'metadata.${ref.name}' is not known.`, `Known: ${Object.keys(METADATA_PATHS).map((k) => `metadata.${k}`).join(', ')}.`);
        this.resolved.set(ref, { path, mayBeAbsent: false, type: 'string' });
        return true;
      }
      case 'input':
        return this.resolveInput(ref, ref.path, fail);
      case 'output':
        return this.resolveOutput(ref, point, at, where, fail);
    }
  }

  private resolveInput(ref: Reference, path: string[], fail: (code: string, m: string, h?: string) => boolean): boolean {
    const inputs = this.wf.inputs;
    const name = path[0];
    if (inputs === null) {
      return fail(Codes.UnknownInput, `'inputs.${path.join('.')}' refers to a workflow input, but the workflow declares no inputs.`, `Declare it at the top level: inputs: { ${name}: { type: string } }.`);
    }
    const decl = inputs.find((i) => i.name === name);
    if (!decl) {
      return fail(Codes.UnknownInput, `The workflow has no input '${name}'.`, didYouMean(name, inputs.map((i) => i.name)) ?? `Declared inputs: ${inputs.map((i) => i.name).join(', ') || 'none'}.`);
    }
    this.resolved.set(ref, { path: jsonPathOf(['input', ...path]), mayBeAbsent: !decl.required || path.length > 1, type: path.length === 1 ? decl.type : undefined });
    return true;
  }

  private resolveOutput(ref: Reference & { kind: 'output' }, point: number, at: WorkflowNode, where: string, fail: (code: string, m: string, h?: string) => boolean): boolean {
    const shown = ref.node ? `${ref.node}.${ref.path.join('.')}` : ref.path.join('.');
    if (ref.node !== null && this.nodeById.has(ref.node)) {
      const node = this.nodeById.get(ref.node)!;
      const names = this.outputNames(node);
      const name = ref.path[0];
      if (name === undefined) return fail(Codes.UnknownOutput, `'${shown}' names a node, not one of its outputs.`, names.length ? `Outputs of '${node.id}': ${names.join(', ')}.` : undefined);
      if (!names.includes(name)) {
        if (names.length === 0) return fail(Codes.UnknownOutput, `Node '${node.id}' declares no outputs, so '${shown}' has no value.`, `Declare it on '${node.id}': outputs: - ${name}: "data.${name}"`);
        return fail(Codes.UnknownOutput, `Node '${node.id}' has no output '${name}'.`, didYouMean(name, names) ?? `Outputs of '${node.id}': ${names.join(', ')}.`);
      }
      const ok = this.point(node, 'ok');
      if (!this.dom.dominates(ok, point)) {
        const why = node.id === at.id ? `'${at.id}' has not produced it yet when its own ${where} is evaluated` : `'${node.id}' does not run on every path to '${at.id}'`;
        return fail(Codes.NotYetRun, `'${shown}' may have no value here: ${why}.`, `Use an output of a node that always runs before '${at.id}', or restructure the edges.`);
      }
      this.resolved.set(ref, { path: jsonPathOf(['outputs', node.id, ...ref.path]), mayBeAbsent: ref.path.length > 1, type: ref.path.length === 1 ? this.outputType(node, name) : undefined });
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
      this.resolved.set(ref, { path: jsonPathOf(['outputs', best.id, ...segments]), mayBeAbsent: segments.length > 1, type: segments.length === 1 ? this.outputType(best, name) : undefined });
      return true;
    }
    if (ref.node === null && this.wf.inputs?.some((i) => i.name === name)) return this.resolveInput(ref, segments, fail);
    if (candidates.length > 0) {
      return fail(Codes.NotYetRun, `'${shown}' may have no value here: no node that declares '${name}' (${candidates.map((c) => c.id).join(', ')}) runs on every path to '${at.id}'.`);
    }
    const pool = new Set<string>([...this.nodeById.keys(), ...this.declarers.keys(), ...(this.wf.inputs ?? []).map((i) => i.name)]);
    const suggestion = closestMatch(name, pool);
    if (ref.node !== null) {
      return fail(Codes.UnknownReference, `'${shown}' refers to '${ref.node}', which is neither a node nor an output.`, suggestion ? `Did you mean '${suggestion}'?` : `Write node.output, e.g. ${this.exampleRef()}.`);
    }
    return fail(Codes.UnknownReference, `'${name}' is not an output of any node, a node, or a workflow input.`, suggestion ? `Did you mean '${suggestion}'?` : `Write node.output, e.g. ${this.exampleRef()}, or quote it if it is a string: '${name}'.`);
  }

  private exampleRef(): string {
    for (const nd of this.nodes) {
      const names = this.outputNames(nd);
      if (names.length) return `${nd.id}.${names[0]}`;
    }
    return 'node.output';
  }

  private outputNames(node: WorkflowNode): string[] {
    const declared = node.outputs.map((o: OutputDecl) => o.name);
    return node.type === 'agent' ? [...AGENT_OUTPUTS, ...declared.filter((d) => !(AGENT_OUTPUTS as readonly string[]).includes(d))] : declared;
  }

  private outputType(node: WorkflowNode, name: string): 'string' | 'number' | 'boolean' | undefined {
    if (node.type === 'agent' && (name === 'text' || name === 'model' || name === 'stop_reason')) return 'string';
    return node.outputs.find((o) => o.name === name)?.type;
  }

  private point(node: WorkflowNode, which: 'in' | 'ok'): number {
    return 2 * this.indexOf.get(node.id)! + (which === 'ok' ? 1 : 0);
  }

  private exprError(t: TemplateText, err: ExprError, code: string): void {
    this.sink.error(code, err.message, this.spanRange(t, err.span), err.hint);
  }

  /** Map a span inside an expression string to a range in the file. */
  private spanRange(t: TemplateText, span: Span): SourceRange {
    if (t.contentOffset === undefined) return t.range;
    return { offset: t.contentOffset + span.offset, length: span.length };
  }
}

const METADATA_PATHS: Record<string, string> = {
  run_id: '$$.Execution.Name',
  execution_id: '$$.Execution.Id',
  execution_name: '$$.Execution.Name',
  start_time: '$$.Execution.StartTime',
  started_at: '$$.Execution.StartTime',
  workflow_id: '$$.StateMachine.Name',
};

export function walkTemplates(v: JsonTemplate, visit: (t: TemplateText) => void): void {
  if (v instanceof TemplateText) visit(v);
  else if (Array.isArray(v)) v.forEach((x) => walkTemplates(x, visit));
  else if (v && typeof v === 'object') for (const x of Object.values(v)) walkTemplates(x, visit);
}
