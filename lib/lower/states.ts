/**
 * ASL state shapes as the lowering builds them (JSONPath query language).
 * Plain objects: `emit` writes them out unchanged, in insertion order.
 */
export type ChoiceRule = Record<string, unknown>;

export interface RetryRule {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface CatchRule {
  ErrorEquals: string[];
  ResultPath: string;
  Next: string;
}

interface StateBase {
  Comment?: string;
}

export interface TaskState extends StateBase {
  Type: 'Task';
  Resource: string;
  Parameters: Record<string, unknown>;
  HeartbeatSeconds?: number;
  ResultSelector?: Record<string, string>;
  ResultPath: string | null;
  OutputPath?: string;
  TimeoutSeconds?: number;
  Retry?: RetryRule[];
  Catch?: CatchRule[];
  Next?: string;
  End?: true;
}

export interface PassState extends StateBase {
  Type: 'Pass';
  InputPath?: string;
  Parameters?: Record<string, unknown>;
  Result?: unknown;
  ResultPath?: string | null;
  OutputPath?: string;
  Next?: string;
  End?: true;
}

export interface ChoiceState extends StateBase {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface SucceedState extends StateBase {
  Type: 'Succeed';
  OutputPath?: string;
}

/** A pause of whole seconds (a polling loop's interval). */
export interface WaitState extends StateBase {
  Type: 'Wait';
  Seconds: number;
  Next: string;
}

export interface FailState extends StateBase {
  Type: 'Fail';
  Error: string;
  Cause?: string;
  CausePath?: string;
}

export interface FailStatePaths {
  ErrorPath?: string;
}

export interface SubMachine {
  StartAt: string;
  States: Record<string, State>;
}

export interface ParallelState extends StateBase {
  Type: 'Parallel';
  Branches: SubMachine[];
  ResultSelector?: Record<string, unknown>;
  ResultPath?: string | null;
  OutputPath?: string;
  Catch?: CatchRule[];
  Next?: string;
  End?: true;
}

export interface MapState extends StateBase {
  Type: 'Map';
  ItemsPath: string;
  ItemSelector: Record<string, unknown>;
  ItemProcessor: SubMachine & { ProcessorConfig: { Mode: 'INLINE' } | { Mode: 'DISTRIBUTED'; ExecutionType: 'STANDARD' | 'EXPRESS' } };
  MaxConcurrency: number;
  ResultSelector?: Record<string, unknown>;
  ResultPath: string | null;
  OutputPath?: string;
  Next?: string;
  End?: true;
}

export type State = TaskState | PassState | ChoiceState | WaitState | SucceedState | (FailState & FailStatePaths) | ParallelState | MapState;

/** The lowering's result: states in the order they should be written, and the start. */
export interface StateGraph {
  startAt: string;
  states: Map<string, State>;
  comment: string;
  timeoutSeconds?: number;
}
