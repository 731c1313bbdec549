/**
 * The Step Functions quotas a local run enforces on top of aws-local-stepfunctions, which has none:
 * the payload size of every state's input and output and of every Task's parameters and result
 * (256 KiB, `States.DataLimitExceeded`), and the 25,000 events of an execution's history.
 * Both end the execution the way AWS ends it: as a failure that no Catch sees.
 *
 * Quotas: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html ("Maximum input or
 * output size for a task, state, or execution: 256 KiB of data as a UTF-8 encoded string"; "Maximum
 * execution history size: 25,000 events"). States.ALL does not catch States.DataLimitExceeded
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */

import { HISTORY_EVENT_LIMIT, MAX_FAIL_CAUSE_CHARS, PAYLOAD_LIMIT_BYTES } from '../contract/aws-quotas';

export interface LimitViolation {
  /** The state the execution was in when it crossed the limit. */
  state: string;
  error: string;
  cause: string;
}

/** Overridable for tests that reach the limits quickly; the defaults are AWS's. */
export interface AwsLimitOptions {
  payloadBytes?: number;
  historyEvents?: number;
}

type EngineState = { name: string; type: string; input?: unknown; output?: unknown };
type EngineEvent = { type: string; state?: EngineState; Cause?: unknown };

export function payloadBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Counts the history an execution would have on AWS and checks the payloads that pass through it.
 * AWS writes, per state: <Type>StateEntered and <Type>StateExited; per Task attempt: TaskScheduled,
 * TaskStarted and TaskSucceeded/Failed; per Map or Parallel: Started and Succeeded/Failed; per inline
 * Map iteration: MapIterationStarted and its end. The execution adds ExecutionStarted and its end.
 */
export class AwsLimits {
  violation: LimitViolation | undefined;
  private events = 0;
  private state = '';
  private readonly payloadLimit: number;
  private readonly historyLimit: number;

  constructor(
    private readonly stop: () => void,
    options: AwsLimitOptions = {},
  ) {
    this.payloadLimit = options.payloadBytes ?? PAYLOAD_LIMIT_BYTES;
    this.historyLimit = options.historyEvents ?? HISTORY_EVENT_LIMIT;
  }

  /** One engine event: its share of the history, and the size of the data it carries. */
  observe(e: EngineEvent): void {
    if (this.violation) return;
    const type = e.state?.type;
    if (e.state?.name) this.state = e.state.name;
    switch (e.type) {
      case 'ExecutionStarted':
        this.count(1);
        break;
      case 'StateEntered':
        this.count(1 + (type === 'Task' ? 3 : type === 'Map' || type === 'Parallel' ? 1 : 0));
        this.checkPayload(e.state!.input, `the input of state '${e.state!.name}'`);
        break;
      case 'StateExited':
        this.count(1 + (type === 'Map' || type === 'Parallel' ? 1 : 0));
        this.checkPayload(e.state!.output, `the output of state '${e.state!.name}'`);
        break;
      case 'StateFailed':
        // A Fail state's Cause is at most 32,768 characters (FailStateEnteredEventDetails); a wait_any join carries
        // the winning branch's outputs in one, and past the cap it cannot be read back on AWS either.
        if (type === 'Fail' && typeof e.Cause === 'string' && e.Cause.length > MAX_FAIL_CAUSE_CHARS) {
          this.fail({ state: this.state, error: 'States.Runtime', cause: `The Cause of Fail state '${e.state!.name}' is ${e.Cause.length} characters, over the ${MAX_FAIL_CAUSE_CHARS} Step Functions keeps. (A wait_any join passes the winning branch's outputs this way: keep them small.)` });
        }
        break;
      case 'StateRetried':
        this.count(type === 'Task' ? 3 : 1);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.count(1);
        break;
      default:
        break;
    }
  }

  /** A Task's effective parameters, before the function runs. */
  checkTaskInput(state: string, input: unknown): boolean {
    this.state = state;
    return this.checkPayload(input, `the parameters of Task '${state}'`);
  }

  /** What a Task's function returned, before the state's selectors see it. */
  checkTaskResult(state: string, result: unknown): boolean {
    this.state = state;
    return this.checkPayload(result, `the result of Task '${state}'`);
  }

  private checkPayload(value: unknown, what: string): boolean {
    if (this.violation) return false;
    const bytes = payloadBytes(value);
    if (bytes <= this.payloadLimit) return true;
    this.fail({
      state: this.state,
      error: 'States.DataLimitExceeded',
      cause: `${what} is ${bytes} bytes, over the ${this.payloadLimit}-byte (256 KiB) limit of Step Functions. Keep large data out of the state (store it, e.g. in S3, and pass its key), or select less with the node's outputs.`,
    });
    return false;
  }

  private count(n: number): void {
    this.events += n;
    if (this.events > this.historyLimit) {
      this.fail({
        state: this.state,
        error: 'States.Runtime',
        cause: `The execution's history reached ${this.historyLimit} events, the Step Functions limit for one execution. Lower the loop's max_iterations or the fallback bound, or run long loops as a Distributed Map or a sub-workflow.`,
      });
    }
  }

  private fail(v: LimitViolation): void {
    this.violation = v;
    this.stop();
  }
}
