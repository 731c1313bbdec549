/**
 * A workflow prepared for a local run: compiled, with the sub-workflows it
 * starts compiled too (recursively), and every Task state bound to what
 * stands in for it in-process: the real REST and agent handlers, the
 * approvals' local answers, the user's handler modules, and the child
 * workflows run on the same engine.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { compile } from '../index';
import type { AslDefinition, CompileReport, Diagnostic, TaskReport } from '../types';
import { MAX_LOCAL_TIMEOUT_SECONDS, stateNamed, tasksByState } from './definition';
import { approvalInvoker, type Approver, type ApprovalNode } from './approvals';
import type { RunWatcher } from './events';
import { asTaskError, lambdaInvoker, taskError, type LocalTaskHandler } from './handlers';
import { httpTaskInvoker } from './http-task';
import { manualStepInvoker, type Completion } from './manual-steps';
import { codeBuildRunner } from './services/codebuild';
import { rdsDataRunner } from './services/rds-data';
import { executeLocally, localStateMachineArn } from './run-local';
import { userHandlerInvoker, type UserHandler, type UserHandlerModule } from './user-handlers';

export interface LocalWorkflow {
  file: string;
  definition: AslDefinition;
  report: CompileReport;
  /** Task state → what the compiler says it runs. */
  tasks: Map<string, TaskReport>;
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
    const w: LocalWorkflow = { file: f, definition, report, tasks: tasksByState(report), children: new Map() };
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
  return workflows.flatMap((w) => [...w.tasks.values()].flatMap((t) => (t.local.kind === 'none' ? [`'${t.state}' (${t.resource}) in ${w.report.workflowId}`] : [])));
}

export function approvalNodes(root: LocalWorkflow): ApprovalNode[] {
  return workflowsOf(root).flatMap((w) => w.report.approvals.map((a) => ({ node: a.node, workflowId: w.report.workflowId, nested: w !== root })));
}

/** The manual steps of a workflow run locally and of its sub-workflows (node ids). */
export function manualSteps(root: LocalWorkflow): string[] {
  return [...new Set(workflowsOf(root).flatMap((w) => [...w.tasks.values()].filter((t) => t.local.kind === 'callback' && t.local.answer === 'manual').map((t) => t.node)))];
}

/** Nodes that run commands (CodeBuild) in a workflow run locally and its sub-workflows. */
export function commandNodes(root: LocalWorkflow): string[] {
  return workflowsOf(root).flatMap((w) => [...w.tasks.values()].filter((t) => t.local.kind === 'codebuild').map((t) => t.node));
}

/** Every user handler module, with the nodes bound to it; paths are relative to the folder of the workflow that names them. */
export function userHandlerModules(workflows: LocalWorkflow[]): UserHandlerModule[] {
  const byFile = new Map<string, UserHandlerModule>();
  for (const w of workflows) {
    for (const t of w.tasks.values()) {
      if (t.local.kind !== 'custom') continue;
      const file = path.resolve(path.dirname(w.file), t.local.path);
      const m = byFile.get(file) ?? { file, nodes: [] };
      m.nodes.push(t.node);
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
  /** `--complete` answers of manual steps; without one, `approver` asks on the terminal when it can. */
  completions?: Map<string, Completion>;
  /** Manual steps without a `--complete` are asked with this (the terminal), when there is one. */
  ask?: Approver;
  /** Commands run in child processes only with `--allow-commands`. */
  allowCommands?: boolean;
  /** Environment the commands' secrets come from. */
  env?: NodeJS.ProcessEnv;
  /** Where command output lines go. */
  log?: (line: string) => void;
  /** The embedded database of `db` nodes, shared by the run and its sub-workflows. */
  database?: ReturnType<typeof rdsDataRunner>;
}

/** Task state → its in-process stand-in, for every Task but service integrations (refused before a run). */
export function bindLocalHandlers(w: LocalWorkflow, b: LocalBindings): Record<string, LocalTaskHandler> {
  const out: Record<string, LocalTaskHandler> = {};
  for (const [state, t] of w.tasks) {
    const local = t.local;
    switch (local.kind) {
      case 'lambda':
        out[state] = lambdaInvoker(local.handler);
        break;
      case 'callback': {
        const timeout = stateNamed(w.definition, state)?.TimeoutSeconds;
        const seconds = typeof timeout === 'number' ? Math.min(timeout, MAX_LOCAL_TIMEOUT_SECONDS) : undefined;
        out[state] = local.answer === 'approval' ? approvalInvoker(state, seconds, b.approver, b.watcher) : manualStepInvoker(state, seconds, b.completions ?? new Map(), b.ask, b.watcher);
        break;
      }
      case 'custom': {
        const fn = b.userHandlers.get(path.resolve(path.dirname(w.file), local.path));
        if (fn) out[state] = userHandlerInvoker(fn);
        break;
      }
      case 'subworkflow':
        out[state] = subWorkflowInvoker(w.children.get(local.workflowId)!, b);
        break;
      case 'codebuild':
        out[state] = codeBuildRunner({ allowCommands: b.allowCommands ?? false, env: b.env ?? process.env, log: b.log, signal: b.signal });
        break;
      case 'rds-data':
        if (b.database) out[state] = b.database.handler;
        break;
      case 'eventbridge':
        out[state] = eventsInvoker(state, b.watcher);
        break;
      case 'http':
        out[state] = httpTaskInvoker(t);
        break;
      case 'none':
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
    const watcher = b.watcher?.child(child.report.workflowId, child.definition, child.report);
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

/**
 * EventBridge PutEvents in-process: the event is shown (progress) and
 * answered as PutEvents answers, `{Entries: [{EventId}], FailedEntryCount: 0}`.
 * Nothing leaves the machine.
 */
function eventsInvoker(state: string, watcher?: RunWatcher): LocalTaskHandler {
  return async (input) => {
    // The engine reports the state's entry asynchronously: let it reach the progress display first.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const entries = ((input as { Entries?: { Source?: string; DetailType?: string; EventBusName?: string }[] } | null)?.Entries ?? []);
      const ids = entries.map(() => randomUUID());
      entries.forEach((e, i) => watcher?.note(`✉ ${state} published ${e.DetailType ?? 'an event'} from ${e.Source ?? '?'} on bus ${e.EventBusName ?? 'default'} (event ${ids[i]}, kept locally)`));
      return { Entries: ids.map((EventId) => ({ EventId })), FailedEntryCount: 0 };
    } catch (err) {
      throw asTaskError(err);
    }
  };
}
