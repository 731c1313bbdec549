/**
 * A Step Functions execution history (GetExecutionHistory) as `RunEvent`s.
 * History has no "retried" or "caught" event: a failed task followed by a
 * new scheduling of the same state is a retry; followed by the state's exit
 * it was caught (the Catch rule is looked up in the definition).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { AslDefinition } from '../types';
import { catchTargetFor } from './definition';
import type { RunEvent } from './events';
import { readableCause } from './events';

export type Terminal = { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error: string; cause: string };

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export class HistoryTranslator {
  private current: { name: string; type: string } | undefined;
  private failure: { error: string; cause: string } | undefined;
  private attempt = 1;
  terminal: Terminal | undefined;

  constructor(private readonly definition: AslDefinition, private readonly emit: (e: RunEvent) => void) {}

  push(e: HistoryEvent): void {
    const time = e.timestamp ? new Date(e.timestamp).getTime() : Date.now();
    const type = e.type ?? '';
    if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
      this.current = { name: e.stateEnteredEventDetails.name, type: type.replace(/StateEntered$/, '') };
      this.failure = undefined;
      this.attempt = 1;
      this.emit({ kind: 'entered', state: this.current.name, type: this.current.type, time });
      return;
    }
    if (type.endsWith('StateExited') && e.stateExitedEventDetails?.name) {
      const name = e.stateExitedEventDetails.name;
      if (this.failure) {
        const next = catchTargetFor(this.definition, name, this.failure.error) ?? '';
        this.emit({ kind: 'caught', state: name, time, ...this.failure, next });
      } else {
        this.emit({ kind: 'succeeded', state: name, type: type.replace(/StateExited$/, ''), time, output: parseJson(e.stateExitedEventDetails.output) });
      }
      this.failure = undefined;
      return;
    }
    const failed = e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails ?? e.taskTimedOutEventDetails ?? e.lambdaFunctionTimedOutEventDetails;
    if (failed) {
      this.failure = { error: failed.error ?? 'States.TaskFailed', cause: readableCause(failed.cause) };
      return;
    }
    if ((type === 'TaskScheduled' || type === 'LambdaFunctionScheduled') && this.failure && this.current) {
      this.attempt += 1;
      this.emit({ kind: 'retried', state: this.current.name, time, ...this.failure, attempt: this.attempt });
      this.failure = undefined;
      return;
    }
    this.terminalEvent(e, time);
  }

  private terminalEvent(e: HistoryEvent, time: number): void {
    const fail = (status: 'FAILED' | 'TIMED_OUT' | 'ABORTED', error: string, cause: string) => {
      // The state that was running fails with the execution (a task's own error, or a Fail state's).
      if (this.current) this.emit({ kind: 'failed', state: this.current.name, time, error: this.failure?.error ?? error, cause: this.failure?.cause ?? cause });
      this.terminal = { status, error, cause };
    };
    switch (e.type) {
      case 'ExecutionSucceeded':
        this.terminal = { status: 'SUCCEEDED', output: parseJson(e.executionSucceededEventDetails?.output) };
        break;
      case 'ExecutionFailed':
        fail('FAILED', e.executionFailedEventDetails?.error ?? 'States.Runtime', readableCause(e.executionFailedEventDetails?.cause));
        break;
      case 'ExecutionTimedOut':
        fail('TIMED_OUT', e.executionTimedOutEventDetails?.error ?? 'States.Timeout', e.executionTimedOutEventDetails?.cause ?? 'The execution timed out.');
        break;
      case 'ExecutionAborted':
        fail('ABORTED', e.executionAbortedEventDetails?.error ?? 'Aborted', e.executionAbortedEventDetails?.cause ?? 'The execution was stopped.');
        break;
      default:
        break;
    }
  }
}
