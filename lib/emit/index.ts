/**
 * Emit: the one place where ASL JSON is written. States keep the order the
 * lowering created them in (init, then nodes in file order, each followed by
 * the states it added), so definitions diff well between compiles.
 */
import type { AnalysedWorkflow } from '../analyse';
import { HANDLER_SUBSTITUTIONS } from '../lower/layout';
import type { LoweredWorkflow, State } from '../lower';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';

export function toAslDefinition(lowered: LoweredWorkflow): AslDefinition {
  const g = lowered.graph;
  const def: AslDefinition = { Comment: g.comment, StartAt: g.startAt, States: {} };
  for (const [name, state] of g.states) def.States[name] = state as unknown as Record<string, unknown>;
  if (g.timeoutSeconds !== undefined) def.TimeoutSeconds = g.timeoutSeconds;
  return def;
}

export function compileReport(a: AnalysedWorkflow, lowered: LoweredWorkflow, subWorkflowFiles: Map<string, string> = new Map()): CompileReport {
  const wf = a.workflow;
  const substitutions: Partial<Record<HandlerKind, string>> = {};
  for (const h of lowered.handlers) substitutions[h] = HANDLER_SUBSTITUTIONS[h];
  return {
    workflowId: wf.id,
    workflowName: wf.name,
    states: allStateNames(lowered.graph.states),
    handlers: lowered.handlers,
    substitutions,
    secrets: [...a.secrets.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([name, nodes]) => ({ name, nodes: [...nodes].sort() })),
    triggers: wf.triggers.map((t) => ({ type: t.type, config: t.config })),
    waitsForCallback: lowered.extras.waitsForCallback,
    timeoutSeconds: wf.timeoutSeconds,
    origins: lowered.origins,
    models: lowered.models,
    agentSecrets: lowered.extras.agentSecrets,
    customHandlers: lowered.extras.customHandlers,
    serviceIntegrations: lowered.extras.serviceIntegrations,
    subWorkflows: lowered.extras.subWorkflows.map((s) => ({ ...s, file: subWorkflowFiles.get(s.workflowId) })),
    approvals: lowered.extras.approvals,
  };
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
