/**
 * One event model for an execution, whoever ran it: the local engine's event
 * log and a Step Functions execution history both become these, so that the
 * progress display, the execution record and `osop-sfn test` read one shape.
 */
import type { AslDefinition, CompileReport } from '../types';

export type RunEvent =
  | { kind: 'entered'; state: string; type: string; time: number }
  /** The state finished normally; `output` is the state's output (the execution data). */
  | { kind: 'succeeded'; state: string; type: string; time: number; output: unknown }
  /** A Retry rule matched `error`; `attempt` is the attempt about to start (2 = first retry). */
  | { kind: 'retried'; state: string; time: number; error: string; cause: string; attempt: number }
  /** A Catch rule matched `error` and the execution goes on at `next`. */
  | { kind: 'caught'; state: string; time: number; error: string; cause: string; next: string }
  /** The state failed and nothing caught it: the execution fails with this error. */
  | { kind: 'failed'; state: string; time: number; error: string; cause: string };

/**
 * Who follows a local run as it happens (the progress display): its events,
 * what a Task does that the engine does not report (an approval waiting and
 * its answer), and the runs of its sub-workflows.
 */
export interface RunWatcher {
  event(e: RunEvent): void;
  note(text: string): void;
  /** The watcher of a sub-workflow's execution, started by one of this run's Tasks. */
  child(workflowId: string, definition: AslDefinition, report: Pick<CompileReport, 'nodes'>): RunWatcher;
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionOutcome {
  status: ExecutionStatus;
  /** The final output (SUCCEEDED only). */
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: number;
  endedAt: number;
  /** Every event, in order. */
  events: RunEvent[];
  /** The execution's id: a local ARN-shaped id, or the real execution ARN. */
  executionArn: string;
}

/** Count of state entries: what Step Functions bills as state transitions (roughly). */
export function transitionCount(events: RunEvent[]): number {
  return events.filter((e) => e.kind === 'entered').length;
}

/** Names of the states entered, in order. */
export function statesEntered(events: RunEvent[]): string[] {
  return events.filter((e) => e.kind === 'entered').map((e) => e.state);
}

/** The message inside a Lambda error envelope, or the cause as it is: for people to read. */
export function readableCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const v = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (v && typeof v === 'object' && typeof v.errorType === 'string' && typeof v.errorMessage === 'string') return v.errorMessage;
  } catch {
    // not an envelope
  }
  return cause;
}
