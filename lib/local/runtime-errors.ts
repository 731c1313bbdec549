/**
 * A States.Runtime error names a JSONPath and a state; a workflow's author wrote `${node.output}` and node
 * ids. This says the second in terms of the first: which node failed, and which value it read that was not
 * there (an output a node did not produce, an input the execution was not given).
 */
import type { CompileReport } from '../types';
import type { ExecutionOutcome, RunEvent } from './events';

const PATH = /'(\$(?:\.[A-Za-z0-9_]+|\[\d+\])+)'/;

export function explainRuntimeCause(state: string, cause: string, report: Pick<CompileReport, 'tasks' | 'workflowId'>): string {
  const path = PATH.exec(cause)?.[1];
  const node = report.tasks.find((t) => t.state === state)?.node ?? state.split(':')[0];
  const where = state.startsWith('osop:') ? `at the start of workflow '${report.workflowId}'` : `in node '${node}' (state '${state}')`;
  if (!path) return `${cause} (${where})`;
  const parts = path.slice(2).split('.');
  let what: string | undefined;
  if (parts[0] === 'outputs' && parts.length >= 3) what = `\${${parts.slice(1).join('.')}} has no value: node '${parts[1]}' did not produce output '${parts[2]}' (or has not run on this path)`;
  else if (parts[0] === 'outputs' && parts.length === 2) what = `node '${parts[1]}' has no outputs here (it has not run on this path)`;
  else if (parts[0] === 'input' && parts.length >= 2) what = `\${inputs.${parts.slice(1).join('.')}} has no value: the execution input has no '${parts[1]}' (declare it under inputs: with a default, or pass it)`;
  else if (parts[0] === 'Payload' && parts.length >= 2) what = `node '${node}' returned no '${parts[1]}' (a declared output its handler must return)`;
  return what ? `${cause}. In OSOP terms, ${where}: ${what}.` : `${cause} (${where})`;
}

/** A failed event whose cause is a States.Runtime error, explained. */
export function explainRuntimeEvent(e: RunEvent, report: Pick<CompileReport, 'tasks' | 'workflowId'>): RunEvent {
  return e.kind === 'failed' && e.error === 'States.Runtime' ? { ...e, cause: explainRuntimeCause(e.state, e.cause, report) } : e;
}

/** The outcome's cause, as its (already explained) failed event says it. */
export function explainRuntimeOutcome(o: ExecutionOutcome): ExecutionOutcome {
  if (o.error !== 'States.Runtime') return o;
  const failed = [...o.events].reverse().find((e) => e.kind === 'failed');
  return failed && failed.kind === 'failed' ? { ...o, cause: failed.cause } : o;
}
