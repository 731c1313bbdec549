/**
 * The workflow as a diagram (Mermaid or Graphviz dot), drawn from the
 * normalised model: nodes with their type, edges with their mode and condition.
 */
import type { Workflow } from '../model';

export type GraphFormat = 'mermaid' | 'dot';

export function renderGraph(wf: Workflow, format: GraphFormat): string {
  return format === 'dot' ? toDot(wf) : toMermaid(wf);
}

function toMermaid(wf: Workflow): string {
  const ids = new Map<string, string>();
  wf.nodes.forEach((n, i) => ids.set(n.id, `n${i}`));
  const lines = ['flowchart TD'];
  for (const n of wf.nodes) {
    const label = mermaidText(`${n.name ?? n.id}\n(${n.type}${n.subtype ? `/${n.subtype}` : ''})`);
    const shape = n.type === 'human' ? [`[/"`, `"/]`] : n.subtype === 'router' || n.subtype === 'join' ? ['{"', '"}'] : ['["', '"]'];
    lines.push(`  ${ids.get(n.id)}${shape[0]}${label}${shape[1]}`);
  }
  for (const e of wf.edges) {
    const a = ids.get(e.from);
    const b = ids.get(e.to);
    if (!a || !b) continue;
    const text = edgeLabel(e.mode, e.condition?.text, e.label);
    const arrow = e.mode === 'fallback' || e.mode === 'error' || e.mode === 'timeout' ? '-.->' : e.mode === 'parallel' ? '==>' : '-->';
    lines.push(text ? `  ${a} ${arrow}|"${mermaidText(text)}"| ${b}` : `  ${a} ${arrow} ${b}`);
  }
  return `${lines.join('\n')}\n`;
}

function toDot(wf: Workflow): string {
  const lines = [`digraph ${JSON.stringify(wf.id)} {`, '  rankdir=TB;', '  node [shape=box, style=rounded];'];
  for (const n of wf.nodes) lines.push(`  ${JSON.stringify(n.id)} [label=${JSON.stringify(`${n.name ?? n.id}\n(${n.type})`)}];`);
  for (const e of wf.edges) {
    const text = edgeLabel(e.mode, e.condition?.text, e.label);
    const style = e.mode === 'fallback' || e.mode === 'error' || e.mode === 'timeout' ? ', style=dashed' : '';
    lines.push(`  ${JSON.stringify(e.from)} -> ${JSON.stringify(e.to)} [label=${JSON.stringify(text ?? '')}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function edgeLabel(mode: string, condition: string | undefined, label: string | undefined): string | undefined {
  if (condition) return `${mode}: ${condition}`;
  if (mode !== 'sequential') return label ? `${mode}: ${label}` : mode;
  return label;
}

/** Mermaid labels in quotes: escape quotes and break lines with <br/>. */
function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
}
