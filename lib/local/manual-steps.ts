/**
 * Manual steps in local runs. On AWS the approval handler publishes "do this
 * step" and the execution waits for `osop-sfn complete`; locally the Task is
 * answered in-process: by `--complete NODE[=JSON]` (the JSON object is the
 * node's outputs) or `--complete NODE=failed[:reason]`, else on the terminal
 * (done → no outputs, not done → the step failed), as the callback would answer.
 */
import { ErrorNames, type ManualStepPayload } from '../contract/task-payload';
import { didYouMean } from '../util/suggest';
import type { Approver } from './approvals';
import type { RunWatcher } from './events';
import { taskError, type LocalTaskHandler } from './handlers';

export type Completion = { done: true; outputs: Record<string, unknown> } | { done: false; reason: string };

/** A `--complete` that cannot be used: printed as is, exit 2. */
export class CompletionUsageError extends Error {}

/** `--complete NODE`, `--complete NODE={"k": "v"}`, `--complete NODE=failed[:reason]`; repeatable. */
export function parseCompletions(specs: string[]): Map<string, Completion> {
  const out = new Map<string, Completion>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const node = eq < 0 ? spec : spec.slice(0, eq);
    const value = eq < 0 ? undefined : spec.slice(eq + 1);
    if (!node) throw new CompletionUsageError(`--complete '${spec}' must name a node: NODE, NODE={"output": "value"} or NODE=failed[:reason].`);
    if (out.has(node)) throw new CompletionUsageError(`--complete answers '${node}' twice.`);
    if (value === undefined || value === '') out.set(node, { done: true, outputs: {} });
    else if (/^failed(:|$)/.test(value)) out.set(node, { done: false, reason: value.slice('failed:'.length) || 'reported as not done' });
    else {
      let outputs: unknown;
      try {
        outputs = JSON.parse(value);
      } catch {
        throw new CompletionUsageError(`--complete ${node}=...: '${value}' is not JSON; give the outputs as a JSON object, e.g. --complete ${node}='{"ticket": "T-1"}'.`);
      }
      if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) throw new CompletionUsageError(`--complete ${node}=...: the outputs must be a JSON object.`);
      out.set(node, { done: true, outputs: outputs as Record<string, unknown> });
    }
  }
  return out;
}

/** Why the completions cannot serve the run: one for a node that is no manual step, or (with no terminal) steps without one. */
export function completionProblem(manualNodes: string[], completions: Map<string, Completion>, interactive: boolean): string | undefined {
  for (const node of completions.keys()) {
    if (manualNodes.includes(node)) continue;
    return `--complete ${node}: no node '${node}' is a manual step. ${manualNodes.length ? (didYouMean(node, manualNodes) ?? `Manual steps: ${manualNodes.join(', ')}.`) : 'The workflow has no manual steps.'}`;
  }
  const missing = manualNodes.filter((n) => !completions.has(n));
  if (missing.length === 0 || interactive) return undefined;
  return `The workflow waits for the manual step(s) ${missing.join(', ')}, and there is no terminal to ask on. Complete each with --complete NODE[={"output": "value"}] (or NODE=failed:reason), e.g. --complete ${missing[0]}.`;
}

/** The Task of a manual step: waits for its completion, as `.waitForTaskToken` waits for the callback. */
export function manualStepInvoker(state: string, timeoutSeconds: number | undefined, completions: Map<string, Completion>, ask: Approver | undefined, watcher?: RunWatcher): LocalTaskHandler {
  return async (input) => {
    const p = (input as { Payload: ManualStepPayload }).Payload;
    await new Promise((resolve) => setImmediate(resolve));
    watcher?.note(`⏸ ${state} waits for a person: ${p.title}: ${p.instructions}`);
    let c = completions.get(p.nodeId);
    if (!c && ask) {
      const a = await ask({ state, node: p.nodeId, workflowId: p.workflowId, prompt: `Manual step '${p.title}': ${p.instructions} (approve = done, reject = not done)`, approvers: [], context: p.context ?? {}, timeoutSeconds });
      c = a.decision === 'approved' ? { done: true, outputs: {} } : { done: false, reason: a.comment || 'reported as not done' };
    }
    if (!c) throw new Error(`No completion for the manual step '${p.nodeId}' and no terminal to ask on.`);
    watcher?.note(`▶ ${state} ${c.done ? 'completed' : `not done: ${c.reason}`}`);
    if (!c.done) throw taskError(ErrorNames.ManualStepFailed, c.reason);
    return c.outputs;
  };
}
