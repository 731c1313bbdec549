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
type EngineEvent = { type: string; state?: EngineState; Cause?: unknown; index?: number; parentState?: EngineState };
type DefinitionState = Record<string, unknown>;

/** Where Map states put their items' states, read off the definition the engine runs. */
export interface MapLayout {
  /** A state that ends an item (End or Succeed at the top of an item processor) → its Map. */
  itemEnds: Map<string, string>;
  /** Every state inside a Distributed Map's items (at any depth) → that Map: it runs in a child execution. */
  inChild: Map<string, string>;
  distributed: Set<string>;
}

export function mapLayoutOf(definition: { States: Record<string, DefinitionState> }): MapLayout {
  const layout: MapLayout = { itemEnds: new Map(), inChild: new Map(), distributed: new Set() };
  const walk = (states: Record<string, DefinitionState>, child: string | undefined) => {
    for (const [name, s] of Object.entries(states)) {
      if (child) layout.inChild.set(name, child);
      for (const b of (s.Branches ?? []) as { States: Record<string, DefinitionState> }[]) walk(b.States, child);
      const processor = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, DefinitionState>; ProcessorConfig?: { Mode?: string } } | undefined;
      if (!processor) continue;
      const distributed = processor.ProcessorConfig?.Mode === 'DISTRIBUTED';
      if (distributed) layout.distributed.add(name);
      for (const [inner, t] of Object.entries(processor.States)) if (t.End === true || t.Type === 'Succeed') layout.itemEnds.set(inner, name);
      walk(processor.States, distributed ? name : child);
    }
  };
  walk(definition.States, undefined);
  return layout;
}

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
  /** Bytes of the items' results each Map has collected since it was entered. */
  private readonly mapResults = new Map<string, number>();
  /** History events of each child execution of a Distributed Map (`<map>#<item>`). */
  private readonly childEvents = new Map<string, number>();

  constructor(
    private readonly stop: () => void,
    options: AwsLimitOptions = {},
    private readonly maps: MapLayout = { itemEnds: new Map(), inChild: new Map(), distributed: new Set() },
  ) {
    this.payloadLimit = options.payloadBytes ?? PAYLOAD_LIMIT_BYTES;
    this.historyLimit = options.historyEvents ?? HISTORY_EVENT_LIMIT;
  }

  /** One engine event: its share of the history, and the size of the data it carries. */
  observe(e: EngineEvent): void {
    if (this.violation) return;
    const type = e.state?.type;
    if (e.state?.name) this.state = e.state.name;
    // A Distributed Map's items run as child executions: their events are in their own histories, not this one.
    const child = e.state ? this.maps.inChild.get(e.state.name) : e.parentState && this.maps.distributed.has(e.parentState.name) ? e.parentState.name : undefined;
    if (child !== undefined) return this.observeChild(e, `${child}#${e.index ?? 0}`);
    switch (e.type) {
      case 'ExecutionStarted':
        this.count(1);
        break;
      case 'StateEntered':
        if (type === 'Map') this.mapResults.set(e.state!.name, 0);
        this.count(1 + (type === 'Task' ? 3 : type === 'Map' || type === 'Parallel' ? 1 : 0));
        this.checkPayload(e.state!.input, `the input of state '${e.state!.name}'`);
        break;
      case 'StateExited':
        this.count(1 + (type === 'Map' || type === 'Parallel' ? 1 : 0));
        if (type === 'Map') this.checkMapResult(e.state!.name);
        this.checkPayload(e.state!.output, `the output of state '${e.state!.name}'`);
        this.noteItemResult(e.state!);
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

  /** An event of a child execution: counted in that child's own history, and its item's result still goes to the Map. */
  private observeChild(e: EngineEvent, key: string): void {
    const n = e.type === 'StateEntered' ? (e.state!.type === 'Task' ? 4 : e.state!.type === 'Map' || e.state!.type === 'Parallel' ? 2 : 1) : e.type === 'StateExited' ? (e.state!.type === 'Map' || e.state!.type === 'Parallel' ? 2 : 1) : e.type === 'StateRetried' ? 3 : 1;
    const events = (this.childEvents.get(key) ?? 2) + n;
    this.childEvents.set(key, events);
    if (events > this.historyLimit) {
      this.fail({ state: e.state?.name ?? this.state, error: 'States.Runtime', cause: `A child execution of the Distributed Map '${key.split('#')[0]}' (item ${key.split('#')[1]}) reached ${this.historyLimit} history events, the Step Functions limit for one execution.` });
      return;
    }
    if (e.type === 'StateEntered' && e.state!.type === 'Map') this.mapResults.set(e.state!.name, 0);
    if (e.type === 'StateExited') {
      if (e.state!.type === 'Map') this.checkMapResult(e.state!.name);
      this.checkPayload(e.state!.output, `the output of state '${e.state!.name}'`);
      this.noteItemResult(e.state!);
    } else if (e.type === 'StateEntered') this.checkPayload(e.state!.input, `the input of state '${e.state!.name}'`);
  }

  /** An item's result joins its Map's result array (one comma each). */
  private noteItemResult(state: EngineState): void {
    const map = this.maps.itemEnds.get(state.name);
    if (map !== undefined) this.mapResults.set(map, (this.mapResults.get(map) ?? 0) + payloadBytes(state.output) + 1);
  }

  /**
   * A Map's result is the array of its items' results, and it counts against the data limit even when
   * ResultPath discards it (the items' results are collected first).
   */
  private checkMapResult(map: string): void {
    const bytes = (this.mapResults.get(map) ?? 0) + 1;
    this.mapResults.delete(map);
    if (bytes > this.payloadLimit) {
      this.state = map;
      this.fail({
        state: map,
        error: 'States.DataLimitExceeded',
        cause: `The results of the items of Map state '${map}' are ${bytes} bytes together, over the ${this.payloadLimit}-byte (256 KiB) limit of Step Functions, which applies to them even when ResultPath discards them. Let each item hand back little (OutputPath on its last state).`,
      });
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
