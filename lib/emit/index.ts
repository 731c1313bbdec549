/**
 * Emit: the one place where ASL JSON is written. States keep the order the
 * lowering created them in (init, then nodes in file order, each followed by
 * the states it added), so definitions diff well between compiles.
 */
import type { AnalysedWorkflow } from '../analyse';
import { HANDLER_SUBSTITUTIONS } from '../lower/layout';
import type { LoweredWorkflow } from '../lower';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';

export function toAslDefinition(lowered: LoweredWorkflow): AslDefinition {
  const g = lowered.graph;
  const def: AslDefinition = { Comment: g.comment, StartAt: g.startAt, States: {} };
  for (const [name, state] of g.states) def.States[name] = state as unknown as Record<string, unknown>;
  if (g.timeoutSeconds !== undefined) def.TimeoutSeconds = g.timeoutSeconds;
  return def;
}

export function compileReport(a: AnalysedWorkflow, lowered: LoweredWorkflow): CompileReport {
  const wf = a.workflow;
  const substitutions: Partial<Record<HandlerKind, string>> = {};
  for (const h of lowered.handlers) substitutions[h] = HANDLER_SUBSTITUTIONS[h];
  return {
    workflowId: wf.id,
    workflowName: wf.name,
    states: [...lowered.graph.states.keys()],
    handlers: lowered.handlers,
    substitutions,
    secrets: [...a.secrets.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([name, nodes]) => ({ name, nodes: [...nodes].sort() })),
    triggers: wf.triggers.map((t) => ({ type: t.type, config: t.config })),
    waitsForCallback: false,
    timeoutSeconds: wf.timeoutSeconds,
    origins: lowered.origins,
    models: lowered.models,
  };
}

/** ASL JSON text as `compile` prints it. */
export function aslJsonText(def: AslDefinition): string {
  return `${JSON.stringify(def, null, 2)}\n`;
}
