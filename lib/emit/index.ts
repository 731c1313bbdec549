/**
 * Emit: the one place where ASL JSON is written, and the compile report. States
 * keep the order the lowering created them in (init, then nodes in file order,
 * each followed by the states it added), so definitions diff well between
 * compiles. The report's summaries (handlers, secrets, approvals, ...) are
 * derived from its `tasks`.
 */
import type { AnalysedWorkflow } from '../analyse';
import type { LoweredWorkflow, State } from '../lower';
import type { InputDecl } from '../model';
import type { AslDefinition, CompileReport } from '../types';

export function toAslDefinition(lowered: LoweredWorkflow): AslDefinition {
  const g = lowered.graph;
  const def: AslDefinition = { Comment: g.comment, StartAt: g.startAt, States: {} };
  for (const [name, state] of g.states) def.States[name] = state as unknown as Record<string, unknown>;
  if (g.timeoutSeconds !== undefined) def.TimeoutSeconds = g.timeoutSeconds;
  return def;
}

export function compileReport(a: AnalysedWorkflow, lowered: LoweredWorkflow, subWorkflowFiles: Map<string, string> = new Map()): CompileReport {
  const wf = a.workflow;
  const tasks = lowered.tasks.map((t) => (t.local.kind === 'subworkflow' ? { ...t, local: { ...t.local, file: subWorkflowFiles.get(t.local.workflowId) } } : t));
  const substitutions: Record<string, string> = {};
  for (const t of tasks) if (t.function?.kind === 'shared') substitutions[t.function.name] = t.function.substitution;
  const unique = <T>(xs: T[]) => [...new Set(xs)];
  return {
    workflowId: wf.id,
    workflowName: wf.name,
    states: allStateNames(lowered.graph.states),
    tasks,
    ...(wf.inputs ? { inputSchema: inputSchemaOf(wf.inputs) } : {}),
    nodes: a.workflow.nodes.filter((n) => n.binding && a.nodeById.get(n.id) === n).map((n) => ({ id: n.id, type: n.type, binding: n.binding!.id })),
    handlers: Object.keys(substitutions).sort(),
    substitutions,
    // The `${secrets.X}` the workflow's templates name; LLM API keys are `agentSecrets`.
    secrets: [...a.secrets.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([name, nodes]) => ({ name, nodes: [...nodes].sort() })),
    triggers: [...wf.triggers.map((t) => ({ type: t.type, config: t.config })), ...lowered.triggers],
    waitsForCallback: tasks.some((t) => t.waitsForCallback),
    timeoutSeconds: wf.timeoutSeconds,
    ...(wf.stateMachineType ? { stateMachineType: wf.stateMachineType } : {}),
    origins: unique(tasks.flatMap((t) => (t.origin ? [t.origin] : []))).sort(),
    models: tasks.flatMap((t) => (t.model ? [{ node: t.node, ...t.model }] : [])),
    agentSecrets: unique(tasks.filter((t) => t.model).flatMap((t) => t.secrets)),
    customHandlers: tasks.flatMap((t) => (t.function?.kind === 'custom' ? [{ node: t.node, path: t.function.path, substitution: t.function.substitution }] : [])),
    serviceIntegrations: tasks.filter((t) => t.declaredPermissions).map((t) => ({ node: t.node, resource: t.resource, permissions: t.iam.map((g) => ({ actions: g.actions, resources: g.resources })) })),
    subWorkflows: tasks.flatMap((t) => (t.local.kind === 'subworkflow' ? [{ node: t.node, workflowId: t.local.workflowId, substitution: t.substitutions[0], file: t.local.file }] : [])),
    approvals: tasks.filter((t) => t.local.kind === 'callback' && t.local.answer === 'approval').map((t) => ({ node: t.node, approvers: approversOf(a, t.node), timeoutSeconds: timeoutOf(lowered, t.state) })),
    distributedMaps: lowered.distributedMaps,
  };
}

/** The execution input's JSON Schema: an object with the declared inputs (required ones without a default are required). */
function inputSchemaOf(inputs: InputDecl[]): Record<string, unknown> {
  const required = inputs.filter((i) => i.required && !('default' in i)).map((i) => i.name);
  return { type: 'object', properties: Object.fromEntries(inputs.map((i) => [i.name, i.schema ?? {}])), ...(required.length ? { required } : {}) };
}

function approversOf(a: AnalysedWorkflow, node: string): string[] {
  return a.nodeById.get(node)?.approval?.approvers ?? [];
}

/** A callback Task's TimeoutSeconds: how long it waits for the answer. */
function timeoutOf(lowered: LoweredWorkflow, state: string): number {
  const find = (states: Map<string, State> | Record<string, State>): number | undefined => {
    for (const [name, st] of states instanceof Map ? states : Object.entries(states)) {
      if (name === state && st.Type === 'Task') return st.TimeoutSeconds;
      const inner = st.Type === 'Parallel' ? st.Branches.map((b) => find(b.States)).find((x) => x !== undefined) : st.Type === 'Map' ? find(st.ItemProcessor.States) : undefined;
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return find(lowered.graph.states) ?? 0;
}

/** Every state name, nested branches and loop bodies included, in definition order. */
function allStateNames(states: Map<string, State> | Record<string, State>): string[] {
  const out: string[] = [];
  for (const [name, st] of states instanceof Map ? states : Object.entries(states)) {
    out.push(name);
    if (st.Type === 'Parallel') for (const b of st.Branches) out.push(...allStateNames(b.States));
    if (st.Type === 'Map') out.push(...allStateNames(st.ItemProcessor.States));
  }
  return out;
}

/** ASL JSON text as `compile` prints it. */
export function aslJsonText(def: AslDefinition): string {
  return `${JSON.stringify(def, null, 2)}\n`;
}
