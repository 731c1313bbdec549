/**
 * One local execution of a compiled workflow: the same ASL, with each Task
 * bound in-process to the handler module Lambda runs, routes and secrets as
 * the caller sets them for this run only.
 */
import { randomUUID } from 'node:crypto';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';
import { substitute, withLocalTimeouts } from './definition';
import type { AwsLimitOptions } from './aws-limits';
import { startLocalExecution } from './engine';
import type { ExecutionOutcome, RunEvent, RunWatcher } from './events';
import { explainRuntimeEvent, explainRuntimeOutcome } from './runtime-errors';
import { httpTaskInvoker } from './http-task';
import { lambdaInvoker, type LocalTaskHandler } from './handlers';

export interface LocalRunRequest {
  definition: AslDefinition;
  report: CompileReport;
  input: unknown;
  fast: boolean;
  /** Origin → base URL, for the REST handler (replaces OSOP_ROUTES for the run). */
  routes?: Record<string, string>;
  /** Environment variables set for the run only (the sandbox's secrets and ANTHROPIC_BASE_URL). */
  env?: Record<string, string>;
  /**
   * Task state → function. By default the REST and agent Tasks call their real
   * handlers; `bindLocalHandlers` (local-workflow.ts) binds the other kinds.
   */
  handlers?: Record<string, LocalTaskHandler>;
  watcher?: RunWatcher;
  /** Aborting it stops the execution (status ABORTED). */
  signal?: AbortSignal;
  /** Where the handlers' log lines go (stdout belongs to the result); dropped when absent. */
  handlerLog?: (line: string) => void;
  /** Lower quotas than AWS's, for tests that reach them quickly. */
  limits?: AwsLimitOptions;
}

/** One execution on the local engine, in the environment the caller has set up (a sub-workflow runs in its parent's). */
export interface LocalExecutionRequest {
  definition: AslDefinition;
  report: CompileReport;
  input: unknown;
  fast: boolean;
  handlers: Record<string, LocalTaskHandler>;
  watcher?: RunWatcher;
  signal?: AbortSignal;
  limits?: AwsLimitOptions;
}

/** A Step Functions state machine name: letters, digits, '-' and '_', at most 80. */
export function stateMachineName(workflowId: string): string {
  return workflowId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80) || 'osop-workflow';
}

/** Local stand-ins for the ARNs a definition is given at deployment (nothing calls them: every Task is bound in-process). */
export function localArns(report: CompileReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [kind, key] of Object.entries(report.substitutions) as [HandlerKind, string][]) out[key] = `arn:aws:lambda:local:000000000000:function:osop-${kind}-handler`;
  for (const c of report.customHandlers) out[c.substitution] = `arn:aws:lambda:local:000000000000:function:${stateMachineName(c.node)}`;
  for (const w of report.subWorkflows) out[w.substitution] = localStateMachineArn(w.workflowId);
  for (const t of report.tasks) {
    if (t.project) out[t.project.substitution] = 'osop-local-commands';
    for (const key of t.substitutions) {
      // Locally a secret's name is the environment variable's: no prefix.
      if (key === 'SecretPrefix') out[key] = '';
      else if (key === 'DatabaseClusterArn') out[key] = 'arn:aws:rds:local:000000000000:cluster:osop-local';
      else if (key === 'DatabaseSecretArn') out[key] = 'arn:aws:secretsmanager:local:000000000000:secret:osop-local-db';
      else if (key === 'DatabaseName') out[key] = 'osop';
    }
  }
  return out;
}

export const localStateMachineArn = (workflowId: string) => `arn:aws:states:local:000000000000:stateMachine:${stateMachineName(workflowId)}`;

/** A whole local run: routes, secrets and the handlers' console set for its duration. */
export async function runLocally(req: LocalRunRequest): Promise<ExecutionOutcome> {
  const handlers = req.handlers ?? realHandlers(req.report);
  return withRunEnvironment(req, () => executeLocally({ ...req, handlers }));
}

export function executeLocally(req: LocalExecutionRequest): Promise<ExecutionOutcome> {
  const name = randomUUID();
  const executionArn = `arn:aws:states:local:000000000000:execution:${stateMachineName(req.report.workflowId)}:${name}`;
  const definition = withLocalTimeouts(substitute(req.definition, localArns(req.report)));
  const watcher = req.watcher;
  // Events are recorded explained (a States.Runtime cause names the node and the ${...} that was missing).
  const events: RunEvent[] = [];
  const onEvent = (e: RunEvent) => {
    const explained = explainRuntimeEvent(e, req.report);
    events.push(explained);
    watcher?.event(explained);
  };
  const execution = startLocalExecution(definition, req.input, { handlers: req.handlers, fast: req.fast, executionArn, executionName: name, onEvent, limits: req.limits });
  const outcome = execution.outcome.then((o) => explainRuntimeOutcome({ ...o, events }));
  if (!req.signal) return outcome;
  const signal = req.signal;
  if (signal.aborted) execution.abort();
  signal.addEventListener('abort', execution.abort, { once: true });
  return outcome.finally(() => signal.removeEventListener('abort', execution.abort));
}

/** The Tasks that run a handler module of lambdas/, bound to it (the other kinds are bound by `bindLocalHandlers`). */
function realHandlers(report: CompileReport): Record<string, LocalTaskHandler> {
  const out: Record<string, LocalTaskHandler> = {};
  for (const t of report.tasks) {
    if (t.local.kind === 'lambda') out[t.state] = lambdaInvoker(t.local.handler);
    else if (t.local.kind === 'http') out[t.state] = httpTaskInvoker(t);
  }
  return out;
}

/** Routes, env and console for the duration of `fn`, then everything as it was. */
async function withRunEnvironment<T>(req: LocalRunRequest, fn: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { setRoutes } = require('../../lambdas/rest') as typeof import('../../lambdas/rest');
  const savedEnv = Object.fromEntries(Object.keys(req.env ?? {}).map((k) => [k, process.env[k]]));
  const savedLog = console.log;
  Object.assign(process.env, req.env ?? {});
  setRoutes(req.routes && Object.keys(req.routes).length ? req.routes : null);
  console.log = (...args: unknown[]) => req.handlerLog?.(args.map(String).join(' '));
  try {
    return await fn();
  } finally {
    console.log = savedLog;
    setRoutes(null);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
