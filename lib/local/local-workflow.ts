/**
 * A workflow prepared for a local run: compiled, with the sub-workflows it
 * starts compiled too (recursively), and every Task state bound to what
 * stands in for it in-process: the real REST and agent handlers, the
 * approvals' local answers, the user's handler modules, and the child
 * workflows run on the same engine.
 */
import * as path from 'node:path';
import { compile } from '../index';
import type { AslDefinition, CompileReport, Diagnostic } from '../types';
import { MAX_LOCAL_TIMEOUT_SECONDS, stateNamed, taskBindings, type TaskBinding } from './definition';
import { approvalInvoker, type Approver, type ApprovalNode } from './approvals';
import type { RunWatcher } from './events';
import { lambdaInvoker, taskError, type LocalTaskHandler } from './handlers';
import { executeLocally, localStateMachineArn } from './run-local';
import { userHandlerInvoker, type UserHandler, type UserHandlerModule } from './user-handlers';

export interface LocalWorkflow {
  file: string;
  definition: AslDefinition;
  report: CompileReport;
  bindings: Map<string, TaskBinding>;
  /** The compiled workflows this one starts, by workflow id. */
  children: Map<string, LocalWorkflow>;
}

/** A sub-workflow that cannot be prepared; `diagnostics` are its compiler's. */
export class LocalWorkflowError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message);
  }
}

/** The workflow of `file`, compiled as `compiled`, with its sub-workflows compiled from the files the report names. */
export function loadLocalWorkflow(file: string, compiled: { definition: AslDefinition; report: CompileReport }): LocalWorkflow {
  // One entry per file: a child started by several nodes (or workflows) is compiled once. The compiler refuses cycles.
  const seen = new Map<string, LocalWorkflow>();
  const prepare = (f: string, definition: AslDefinition, report: CompileReport): LocalWorkflow => {
    const w: LocalWorkflow = { file: f, definition, report, bindings: taskBindings(definition, report), children: new Map() };
    seen.set(path.resolve(f), w);
    for (const sub of report.subWorkflows) {
      if (w.children.has(sub.workflowId)) continue;
      if (!sub.file) throw new LocalWorkflowError(`The file of workflow '${sub.workflowId}' (started by '${sub.node}' in ${report.workflowId}) is not known.`);
      const known = seen.get(path.resolve(sub.file));
      if (known) {
        w.children.set(sub.workflowId, known);
        continue;
      }
      const r = compile(sub.file);
      if (!r.ok || !r.definition || !r.report) {
        throw new LocalWorkflowError(`The sub-workflow '${sub.workflowId}' (${path.relative(process.cwd(), sub.file)}, started by '${sub.node}') does not compile.`, r.diagnostics);
      }
      w.children.set(sub.workflowId, prepare(sub.file, r.definition, r.report));
    }
    return w;
  };
  return prepare(file, compiled.definition, compiled.report);
}

/** The workflow and every workflow it starts, each once. */
export function workflowsOf(root: LocalWorkflow): LocalWorkflow[] {
  const out = new Set<LocalWorkflow>();
  const visit = (w: LocalWorkflow) => {
    if (out.has(w)) return;
    out.add(w);
    for (const c of w.children.values()) visit(c);
  };
  visit(root);
  return [...out];
}

/** Tasks that nothing local can stand in for (AWS service integrations), as `'state' (resource) in workflow`. */
export function unrunnableTasks(workflows: LocalWorkflow[]): string[] {
  return workflows.flatMap((w) => [...w.bindings].flatMap(([state, b]) => (b.kind === 'service' ? [`'${state}' (${b.resource}) in ${w.report.workflowId}`] : [])));
}

export function approvalNodes(root: LocalWorkflow): ApprovalNode[] {
  return workflowsOf(root).flatMap((w) => w.report.approvals.map((a) => ({ node: a.node, workflowId: w.report.workflowId, nested: w !== root })));
}

/** Every user handler module, with the nodes bound to it; paths are relative to the folder of the workflow that names them. */
export function userHandlerModules(workflows: LocalWorkflow[]): UserHandlerModule[] {
  const byFile = new Map<string, UserHandlerModule>();
  for (const w of workflows) {
    for (const b of w.bindings.values()) {
      if (b.kind !== 'custom') continue;
      const file = path.resolve(path.dirname(w.file), b.path);
      const m = byFile.get(file) ?? { file, nodes: [] };
      m.nodes.push(b.node);
      byFile.set(file, m);
    }
  }
  return [...byFile.values()];
}

export interface LocalBindings {
  approver: Approver;
  /** Loaded by `loadUserHandlers`, by absolute module path. */
  userHandlers: Map<string, UserHandler>;
  fast: boolean;
  watcher?: RunWatcher;
  /** Aborted when the run is stopped or over: sub-workflow executions still running stop with it. */
  signal?: AbortSignal;
}

/** Task state → its in-process stand-in, for every Task but service integrations (refused before a run). */
export function bindLocalHandlers(w: LocalWorkflow, b: LocalBindings): Record<string, LocalTaskHandler> {
  const out: Record<string, LocalTaskHandler> = {};
  for (const [state, binding] of w.bindings) {
    switch (binding.kind) {
      case 'rest':
      case 'agent':
        out[state] = lambdaInvoker(binding.kind);
        break;
      case 'approval': {
        const timeout = stateNamed(w.definition, state)?.TimeoutSeconds;
        out[state] = approvalInvoker(state, typeof timeout === 'number' ? Math.min(timeout, MAX_LOCAL_TIMEOUT_SECONDS) : undefined, b.approver, b.watcher);
        break;
      }
      case 'custom': {
        const fn = b.userHandlers.get(path.resolve(path.dirname(w.file), binding.path));
        if (fn) out[state] = userHandlerInvoker(fn);
        break;
      }
      case 'subworkflow':
        out[state] = subWorkflowInvoker(w.children.get(binding.workflowId)!, b);
        break;
      case 'service':
        break;
    }
  }
  return out;
}

/**
 * `states:startExecution.sync:2` in-process: the child runs on the same
 * engine with the same bindings. Its result is shaped as DescribeExecution's
 * (`Output` is the child's output, `$.outputs`); a child that does not
 * succeed fails the Task with States.TaskFailed and that description (its
 * error and cause included) as the cause, as Step Functions reports it.
 */
function subWorkflowInvoker(child: LocalWorkflow, b: LocalBindings): LocalTaskHandler {
  return async (input) => {
    // The parent link is for the console; the child's execution input is the rest.
    const { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: _parent, ...childInput } = ((input as { Input?: Record<string, unknown> } | null)?.Input ?? {}) as Record<string, unknown>;
    // The engine reports the parent state's entry asynchronously: let it reach the progress display before the child's.
    await new Promise((resolve) => setImmediate(resolve));
    const watcher = b.watcher?.child(child.report.workflowId, child.definition);
    const handlers = bindLocalHandlers(child, { ...b, watcher });
    const o = await executeLocally({ definition: child.definition, report: child.report, input: childInput, fast: b.fast, handlers, watcher, signal: b.signal });
    const described = {
      ExecutionArn: o.executionArn,
      StateMachineArn: localStateMachineArn(child.report.workflowId),
      Status: o.status,
      StartDate: o.startedAt,
      StopDate: o.endedAt,
      Input: childInput,
    };
    if (o.status === 'SUCCEEDED') return { ...described, Output: o.output };
    throw taskError('States.TaskFailed', JSON.stringify({ ...described, Error: o.error, Cause: o.cause }));
  };
}
