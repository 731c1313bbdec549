/**
 * Runs an ASL definition in aws-local-stepfunctions with each Task state bound
 * to a local function, and turns the engine's event log into `RunEvent`s.
 */
import './polyfills';
import type { AslDefinition } from '../types';
import { allStates, retryingStates, waitStates } from './definition';
import type { ExecutionOutcome, ExecutionStatus, RunEvent } from './events';
import { definitionLimitProblems } from '../emit/aws-limits';
import { PAYLOAD_LIMIT_BYTES } from '../contract/aws-quotas';
import { AwsLimits, mapLayoutOf, payloadBytes, type AwsLimitOptions } from './aws-limits';
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
  /** Lower quotas than AWS's, for tests that reach them quickly. */
  limits?: AwsLimitOptions;
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
  if (!validated.has(key)) {
    // What CreateStateMachine refuses and the engine's validator lets through (a hand-written definition; compiled ones never get here).
    const refused = definitionLimitProblems(definition);
    if (refused.length) throw new Error(`Step Functions would refuse this definition: ${refused.map((p) => p.message).join(' ')}`);
  }
  const machine = new StateMachine(definition as never, validated.has(key) ? { validationOptions: { noValidate: true } } : undefined);
  validated.add(key);
  const startBytes = payloadBytes(input);
  if (startBytes > (opts.limits?.payloadBytes ?? PAYLOAD_LIMIT_BYTES)) {
    // StartExecution refuses an input over 256 KiB: nothing runs.
    const now = Date.now();
    const cause = `The execution input is ${startBytes} bytes, over the 262144-byte (256 KiB) limit of Step Functions (StartExecution refuses it).`;
    return { outcome: Promise.resolve({ status: 'FAILED', error: 'States.DataLimitExceeded', cause, startedAt: now, endedAt: now, events: [], executionArn: opts.executionArn }), abort: () => undefined };
  }
  const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));
  const startedAt = Date.now();
  // Over a quota the run stops where AWS would stop it. The engine hands its events over asynchronously and may run
  // a few Pass/Choice states past the point before it stops: those are left out of the record, and a Task first
  // waits for every earlier event to be counted, so nothing with an effect runs past a quota.
  const limits = new AwsLimits(() => run.abort(), opts.limits, mapLayoutOf(definition as never));
  const never = new Promise<never>(() => undefined);
  const handlers = Object.fromEntries(
    Object.entries(opts.handlers).map(([name, handler]) => [
      name,
      async (taskInput: unknown) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (limits.violation || !limits.checkTaskInput(name, taskInput)) return never;
        const result = await handler(taskInput);
        return limits.checkTaskResult(name, result) ? result : never;
      },
    ]),
  );
  const run = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
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
      for await (const e of run.eventLogs) {
        limits.observe(e as EngineEvent);
        if (!limits.violation) translate.push(e as EngineEvent);
      }
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
    const v = limits.violation;
    if (v) {
      [status, output, error, cause] = ['FAILED', undefined, v.error, v.cause];
      translate.push({ type: 'StateFailed', timestamp: Date.now(), state: { name: v.state, type: '' }, Error: v.error, Cause: v.cause });
      translate.push({ type: 'ExecutionFailed', timestamp: Date.now() });
    }
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
