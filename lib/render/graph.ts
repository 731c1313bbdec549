/**
 * The workflow as a diagram (Mermaid or Graphviz dot): what it does, drawn
 * from the normalised model and, when the workflow analyses cleanly, its
 * regions (lib/analyse/structure.ts).
 *
 *  - a switch: one edge per case (`case 'billing'`) and `default`, the subject on the node;
 *  - a for-each: its body in a box "for each <item> in <list>" (a Mermaid
 *    subgraph, a dot cluster), the loop edge labelled "for each <item>", the
 *    edges to what runs after the loop "after the loop";
 *  - a parallel fork: bold edges into its branches; the join says how it
 *    waits (wait_all, wait_any: the first to finish, wait_n: n of m);
 *  - a sub-workflow: the child workflow it runs (`workflow_ref`);
 *  - an approval (a human node, an approval gate) and a manual step: their own shapes and what they wait for;
 *  - failure edges (fallback, error, timeout) dashed.
 * A workflow that does not analyse (it has errors) is drawn from the model alone: the same, without
 * the for-each boxes and the joins' modes (the edges still say `for each`, `parallel (wait_any)`).
 */
import { analyseWorkflow, type AnalysedWorkflow, type ForEachRegion } from '../analyse';
import { scopeChain } from '../analyse/structure';
import { DiagnosticSink } from '../diagnostics';
import type { Workflow, WorkflowEdge, WorkflowNode } from '../model';

export type GraphFormat = 'mermaid' | 'dot';

type Shape = 'task' | 'decision' | 'approval' | 'manual' | 'subworkflow';
type EdgeStyle = 'normal' | 'failure' | 'fork';

interface GraphNode {
  id: string;
  lines: string[];
  shape: Shape;
}

interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  style: EdgeStyle;
}

interface Cluster {
  title: string;
  /** Node ids directly in this box (not in a nested one). */
  nodes: string[];
  children: Cluster[];
}

interface Graph {
  id: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Nodes outside every box, in file order. */
  top: string[];
  clusters: Cluster[];
}

export function renderGraph(wf: Workflow, format: GraphFormat): string {
  const g = buildGraph(wf, analysed(wf));
  return format === 'dot' ? toDot(g) : toMermaid(g);
}

/** The analysis, when the workflow has no errors; the diagram does not report them (`check` does). */
function analysed(wf: Workflow): AnalysedWorkflow | undefined {
  try {
    return analyseWorkflow(wf, new DiagnosticSink({ path: '' }));
  } catch {
    return undefined;
  }
}

const FAILURE_MODES = new Set(['fallback', 'error', 'timeout']);

function buildGraph(wf: Workflow, a: AnalysedWorkflow | undefined): Graph {
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const extra = new Map<string, string[]>();
  const note = (id: string, line: string) => extra.set(id, [...(extra.get(id) ?? []), line]);

  // Forks: bold edges into the branches; the join (or the fork, when the branches run to the end) says how it waits.
  const forkEdges = new Set<WorkflowEdge>();
  for (const fork of a?.forks.values() ?? []) {
    for (const e of fork.edges) forkEdges.add(e.switchEdge ?? e);
    const mode = fork.joinMode === 'wait_any' ? 'wait_any: the first to finish' : fork.joinMode === 'wait_n' ? `wait_n: ${fork.joinCount} of ${fork.edges.length}` : `wait_all: all ${fork.edges.length}`;
    if (fork.join) note(fork.join, `joins ${fork.node} (${mode})`);
    else note(fork.node, `fork (${mode}), branches run to the end`);
  }
  const loops = [...(a?.forEach.values() ?? [])];
  const loopByEdge = new Map(loops.map((l) => [l.edge, l]));
  const loopsBefore = new Map<string, ForEachRegion[]>();
  for (const l of loops) if (l.after) loopsBefore.set(l.after, [...(loopsBefore.get(l.after) ?? []), l]);

  /** The innermost for-each loop whose body holds the node. */
  const innermostLoop = (id: string): ForEachRegion | undefined =>
    scopeChain(a?.scopeOf.get(id) ?? null).find((sc) => sc.region.kind === 'for-each')?.region as ForEachRegion | undefined;

  const edges: GraphEdge[] = [];
  for (const e of wf.edges) {
    if (!byId.has(e.from)) continue;
    const style: EdgeStyle = FAILURE_MODES.has(e.mode) ? 'failure' : forkEdges.has(e) || (!a && (e.mode === 'parallel' || e.mode === 'spawn')) ? 'fork' : 'normal';
    if (e.mode === 'switch' && e.cases?.length) {
      if (e.condition) note(e.from, `switch on ${e.condition.text}`);
      for (const c of e.cases) if (byId.has(c.to)) edges.push({ from: e.from, to: c.to, label: `case ${caseValue(c.value)}`, style });
      if (e.defaultTo && byId.has(e.defaultTo.to)) edges.push({ from: e.from, to: e.defaultTo.to, label: 'default', style });
      continue;
    }
    if (!byId.has(e.to)) continue;
    let label: string | undefined;
    if (e.mode === 'loop' && e.forEach) {
      const loop = loopByEdge.get(e);
      label = loop ? `for each ${loop.iteratorVar}` : `for each ${e.iteratorVar ?? 'item'} in ${e.forEach}`;
    } else {
      label = edgeLabel(e);
    }
    // What runs once the loop is over: from the loop's source, or out of its body.
    const after = loopsBefore.get(e.to)?.some((l) => l.edge !== e && (l.source === e.from || innermostLoop(e.from) === l));
    if (after && !FAILURE_MODES.has(e.mode)) label = label ? `${label}, after the loop` : 'after the loop';
    edges.push({ from: e.from, to: e.to, label, style });
  }

  const drawn = new Set<string>();
  const unique = wf.nodes.filter((n) => !drawn.has(n.id) && drawn.add(n.id)); // a duplicate id is reported by check
  const nodes = unique.map((n): GraphNode => ({ id: n.id, lines: [n.name ?? n.id, `(${n.type}${n.subtype ? `/${n.subtype}` : ''})`, ...describeNode(n), ...(extra.get(n.id) ?? [])], shape: shapeOf(n) }));

  // For-each bodies as nested boxes: each node in the innermost loop around it.
  const clusterOf = new Map<ForEachRegion, Cluster>();
  for (const l of loops) clusterOf.set(l, { title: `for each ${l.iteratorVar} in ${l.edge.forEach}`, nodes: [], children: [] });
  const top: string[] = [];
  for (const n of unique) {
    const loop = innermostLoop(n.id);
    if (loop && clusterOf.has(loop)) clusterOf.get(loop)!.nodes.push(n.id);
    else top.push(n.id);
  }
  const clusters: Cluster[] = [];
  for (const l of loops) {
    const parent = innermostLoop(l.source);
    if (parent && clusterOf.has(parent)) clusterOf.get(parent)!.children.push(clusterOf.get(l)!);
    else clusters.push(clusterOf.get(l)!);
  }
  return { id: wf.id, nodes, edges, top, clusters };
}

/** What the node waits for or runs, besides its type. */
function describeNode(n: WorkflowNode): string[] {
  const out: string[] = [];
  if (n.workflowRef !== undefined) out.push(`runs workflow ${n.workflowRef}`);
  if (n.approval) out.push(`${n.type === 'human' ? 'approval' : 'approval gate'}${n.approval.approvers.length ? ` by ${n.approval.approvers.join(', ')}` : ''}`);
  if (n.binding?.id === 'manual') out.push('manual step');
  if (n.sfn.handler) out.push(`handler ${n.sfn.handler.path}`);
  return out;
}

function shapeOf(n: WorkflowNode): Shape {
  if (n.workflowRef !== undefined) return 'subworkflow';
  if (n.approval) return 'approval';
  if (n.binding?.id === 'manual') return 'manual';
  if (n.binding?.id === 'routing' || n.subtype === 'router' || n.subtype === 'join') return 'decision';
  return 'task';
}

function caseValue(v: string | number | boolean | null): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function edgeLabel(e: WorkflowEdge): string | undefined {
  const mode = e.mode === 'parallel' && e.joinMode ? `parallel (${e.joinMode}${e.joinMode === 'wait_n' && e.joinCount !== undefined ? ` ${e.joinCount}` : ''})` : e.mode;
  if (e.condition) return `${mode}: ${e.condition.text}`;
  if (e.mode !== 'sequential') return e.label ? `${mode}: ${e.label}` : mode;
  return e.label;
}

// ---- Mermaid ------------------------------------------------------------------

const MERMAID_SHAPES: Record<Shape, [string, string]> = {
  task: ['["', '"]'],
  decision: ['{"', '"}'],
  approval: ['{{"', '"}}'],
  manual: ['[/"', '"/]'],
  subworkflow: ['[["', '"]]'],
};

function toMermaid(g: Graph): string {
  const ids = new Map<string, string>();
  g.nodes.forEach((n, i) => ids.set(n.id, `n${i}`));
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const lines = ['flowchart TD'];
  const node = (id: string, indent: string) => {
    const n = byId.get(id)!;
    const [open, close] = MERMAID_SHAPES[n.shape];
    lines.push(`${indent}${ids.get(id)}${open}${mermaidText(n.lines.join('\n'))}${close}`);
  };
  let clusterCount = 0;
  const cluster = (c: Cluster, indent: string) => {
    lines.push(`${indent}subgraph loop${clusterCount++} ["${mermaidText(c.title)}"]`);
    for (const id of c.nodes) node(id, `${indent}  `);
    for (const child of c.children) cluster(child, `${indent}  `);
    lines.push(`${indent}end`);
  };
  for (const id of g.top) node(id, '  ');
  for (const c of g.clusters) cluster(c, '  ');
  const arrows: Record<EdgeStyle, string> = { normal: '-->', failure: '-.->', fork: '==>' };
  for (const e of g.edges) {
    const a = ids.get(e.from);
    const b = ids.get(e.to);
    if (!a || !b) continue;
    const arrow = arrows[e.style];
    lines.push(e.label ? `  ${a} ${arrow}|"${mermaidText(e.label)}"| ${b}` : `  ${a} ${arrow} ${b}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Text inside a quoted Mermaid label: characters Mermaid would read (quotes,
 * the entity sign, HTML) as entity codes, line breaks as <br/>.
 */
export function mermaidText(s: string): string {
  return s
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/&/g, '#amp;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\r?\n/g, '<br/>');
}

// ---- dot ----------------------------------------------------------------------

const DOT_SHAPES: Record<Shape, string> = {
  task: '',
  decision: ', shape=diamond, style=""',
  approval: ', shape=hexagon, style=""',
  manual: ', shape=parallelogram, style=""',
  subworkflow: ', peripheries=2',
};

function toDot(g: Graph): string {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const lines = [`digraph ${dotString(g.id)} {`, '  rankdir=TB;', '  node [shape=box, style=rounded];'];
  const node = (id: string, indent: string) => {
    const n = byId.get(id)!;
    lines.push(`${indent}${dotString(id)} [label=${dotString(n.lines.join('\n'))}${DOT_SHAPES[n.shape]}];`);
  };
  let clusterCount = 0;
  const cluster = (c: Cluster, indent: string) => {
    lines.push(`${indent}subgraph ${dotString(`cluster_loop${clusterCount++}`)} {`);
    lines.push(`${indent}  label=${dotString(c.title)};`, `${indent}  style=dashed;`);
    for (const id of c.nodes) node(id, `${indent}  `);
    for (const child of c.children) cluster(child, `${indent}  `);
    lines.push(`${indent}}`);
  };
  for (const id of g.top) node(id, '  ');
  for (const c of g.clusters) cluster(c, '  ');
  const styles: Record<EdgeStyle, string> = { normal: '', failure: ', style=dashed', fork: ', style=bold' };
  for (const e of g.edges) {
    if (!byId.has(e.from) || !byId.has(e.to)) continue;
    lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(e.label ?? '')}${styles[e.style]}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A dot quoted string: `"` and `\` escaped, line breaks as `\n` (a centred line in a label). */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}
