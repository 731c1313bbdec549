/**
 * One local execution of a compiled workflow: the same ASL, with each Task
 * bound in-process to the handler module Lambda runs, routes and secrets as
 * the caller sets them for this run only.
 */
import { randomUUID } from 'node:crypto';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';
import { substitute, taskHandlers } from './definition';
import { startLocalExecution } from './engine';
import type { ExecutionOutcome, RunEvent } from './events';
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
  /** Task state → function; by default every Task calls its real handler. */
  handlers?: Record<string, LocalTaskHandler>;
  onEvent?: (e: RunEvent) => void;
  /** Aborting it stops the execution (status ABORTED). */
  signal?: AbortSignal;
  /** Where the handlers' log lines go (stdout belongs to the result); dropped when absent. */
  handlerLog?: (line: string) => void;
}

/** A Step Functions state machine name: letters, digits, '-' and '_', at most 80. */
export function stateMachineName(workflowId: string): string {
  return workflowId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80) || 'osop-workflow';
}

/** The function "ARNs" a local definition names (nothing calls them: every Task is bound in-process). */
export function localFunctionArns(report: CompileReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [kind, key] of Object.entries(report.substitutions) as [HandlerKind, string][]) {
    out[key] = `arn:aws:lambda:local:000000000000:function:osop-${kind}-handler`;
  }
  return out;
}

export async function runLocally(req: LocalRunRequest): Promise<ExecutionOutcome> {
  const name = randomUUID();
  const executionArn = `arn:aws:states:local:000000000000:execution:${stateMachineName(req.report.workflowId)}:${name}`;
  const handlers = req.handlers ?? realHandlers(req.definition, req.report);
  const definition = substitute(req.definition, localFunctionArns(req.report));
  return withRunEnvironment(req, () => {
    const execution = startLocalExecution(definition, req.input, { handlers, fast: req.fast, executionArn, executionName: name, onEvent: req.onEvent });
    req.signal?.addEventListener('abort', execution.abort, { once: true });
    return execution.outcome;
  });
}

function realHandlers(definition: AslDefinition, report: CompileReport): Record<string, LocalTaskHandler> {
  const out: Record<string, LocalTaskHandler> = {};
  for (const [state, kind] of taskHandlers(definition, report)) out[state] = lambdaInvoker(kind);
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
