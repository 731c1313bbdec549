/**
 * Runs an ASL definition in aws-local-stepfunctions with each Task state bound
 * to a local function, and turns the engine's event log into `RunEvent`s.
 */
import './polyfills';
import type { AslDefinition } from '../types';
import { allStates, retryingStates, waitStates } from './definition';
import type { ExecutionOutcome, ExecutionStatus, RunEvent } from './events';
import type { LocalTaskHandler } from './handlers';

type Engine = typeof import('aws-local-stepfunctions');
type EngineEvent = { type: string; timestamp: number; state?: { name: string; type: string; output?: unknown }; Error?: string; Cause?: unknown; catch?: { catcher: { Next: string } } };

export interface LocalRunOptions {
  /** Task state name → local function, for every Task state. */
  handlers: Record<string, LocalTaskHandler>;
  /** Retry intervals and Wait states shortened to nothing. */
  fast: boolean;
  /** `$$.Execution.Id` and `$$.Execution.Name` of this run. */
  executionArn: string;
  executionName: string;
  onEvent?: (e: RunEvent) => void;
}

/** A local run in progress: `abort` stops it (the outcome is then ABORTED). */
export interface LocalExecution {
  outcome: Promise<ExecutionOutcome>;
  abort(): void;
}

const validated = new Set<string>();

export function startLocalExecution(definition: AslDefinition, input: unknown, opts: LocalRunOptions): LocalExecution {
  // Without a local function the engine would invoke AWS Lambda: callers refuse such runs first, this is the last guard.
  const unbound = allStates(definition).filter(([name, s]) => s.Type === 'Task' && !opts.handlers[name]);
  if (unbound.length) {
    throw new Error(
      `The Task state(s) ${unbound.map(([n, s]) => `'${n}' (${String(s.Resource)})`).join(', ')} cannot run locally: nothing in-process stands in for them. Test the workflow with \`osop-sfn test\` (mocks in its tests: section), or run it on Step Functions (--endpoint or --state-machine-arn).`,
    );
  }
  // Loaded here, not imported: only `run` and `test` need the engine, and `compile` must start fast.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { StateMachine } = require('aws-local-stepfunctions') as Engine;
  // Validation takes about 300 ms a machine: a definition run again (a sub-workflow, a test case) is validated once.
  const key = JSON.stringify(definition);
  const machine = new StateMachine(definition as never, validated.has(key) ? { validationOptions: { noValidate: true } } : undefined);
  validated.add(key);
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));
  const startedAt = Date.now();
  const run = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: opts.handlers as never,
      ...(opts.fast && { retryIntervalOverrides: zero(retryingStates(definition)), waitTimeOverrides: zero(waitStates(definition)) }),
    },
    // The engine has no callback tokens; `$$.Task.Token` reads this one (local answers do not need it).
    context: { Execution: { Id: opts.executionArn, Name: opts.executionName }, Task: { Token: `local-task-token:${opts.executionName}` } },
  });

  const events: RunEvent[] = [];
  const translate = new EngineEventTranslator((e) => {
    events.push(e);
    opts.onEvent?.(e);
  });
  const outcome = (async (): Promise<ExecutionOutcome> => {
    const consumed = (async () => {
      for await (const e of run.eventLogs) translate.push(e as EngineEvent);
    })();
    let status: ExecutionStatus = 'SUCCEEDED';
    let output: unknown;
    let error: string | undefined;
    let cause: string | undefined;
    try {
      output = await run.result;
    } catch (err) {
      const e = err as Error & { cause?: Error };
      if (e.name === 'ExecutionTimeoutError') status = 'TIMED_OUT';
      else if (e.name === 'ExecutionAbortedError') status = 'ABORTED';
      else status = 'FAILED';
      // ExecutionError wraps what the failing state threw.
      const inner = e.name === 'ExecutionError' && e.cause ? e.cause : undefined;
      error = status === 'FAILED' ? (inner?.name ?? e.name) : status === 'TIMED_OUT' ? 'States.Timeout' : 'Aborted';
      cause = inner ? causeText(inner.cause ?? inner.message) : e.message;
    }
    await consumed;
    return { status, output, error, cause, startedAt, endedAt: Date.now(), events, executionArn: opts.executionArn };
  })();
  return { outcome, abort: run.abort };
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause) ?? '';
}

/**
 * The engine reports a failure as StateFailed, then StateRetried, StateCaught
 * or ExecutionFailed; a caught state also gets StateExited. One RunEvent each.
 */
class EngineEventTranslator {
  private failure: { state: string; error: string; cause: string } | undefined;
  private caught = new Set<string>();
  private attempts = new Map<string, number>();

  constructor(private readonly emit: (e: RunEvent) => void) {}

  push(e: EngineEvent): void {
    const state = e.state?.name ?? '';
    switch (e.type) {
      case 'StateEntered':
        this.attempts.set(state, 1);
        this.emit({ kind: 'entered', state, type: e.state!.type, time: e.timestamp });
        break;
      case 'StateExited':
        if (this.caught.delete(state)) break;
        this.emit({ kind: 'succeeded', state, type: e.state!.type, time: e.timestamp, output: e.state!.output });
        break;
      case 'StateFailed':
        this.failure = { state, error: e.Error ?? 'Error', cause: causeText(e.Cause) };
        break;
      case 'StateRetried': {
        const attempt = (this.attempts.get(state) ?? 1) + 1;
        this.attempts.set(state, attempt);
        this.emit({ kind: 'retried', state, time: e.timestamp, error: this.failure?.error ?? 'Error', cause: this.failure?.cause ?? '', attempt });
        this.failure = undefined;
        break;
      }
      case 'StateCaught':
        this.caught.add(state);
        this.emit({ kind: 'caught', state, time: e.timestamp, error: this.failure?.error ?? 'Error', cause: this.failure?.cause ?? '', next: e.catch!.catcher.Next });
        this.failure = undefined;
        break;
      case 'ExecutionFailed':
        if (this.failure) this.emit({ kind: 'failed', ...this.failure, time: e.timestamp });
        this.failure = undefined;
        break;
      default:
        break;
    }
  }
}
