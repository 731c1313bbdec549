/**
 * Runs an ASL definition on the local engine (aws-local-stepfunctions) with
 * stub Lambda handlers, and counts what it costs: state transitions
 * (StateEntered events), the Task calls in order, and the largest state
 * input/output. Both the compiled seed and the hand-written baseline run
 * through this with the same stubs, so their paths are identical.
 */
import '../lib/local/polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { jsonBytes } from './stats';

/** Gets the Lambda `Payload` and the 1-based call count of this state; returns the function's result or throws. */
export type Stub = (payload: unknown, call: number) => unknown;

export interface StubRun {
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  output?: unknown;
  /** State entries, in order (= transitions). */
  entered: string[];
  transitions: number;
  /** Task states called, in order (retries included). */
  taskCalls: string[];
  /** Bytes of the largest state input or output seen in the event log. */
  maxStateBytes: number;
}

type EngineEvent = { type: string; state?: { name: string; type: string; input?: unknown; output?: unknown } };

function tasksOf(states: Record<string, Record<string, unknown>>, out: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  for (const [name, st] of Object.entries(states)) {
    if (st.Type === 'Task') out[name] = st;
    for (const b of (st.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []) tasksOf(b.States, out);
    const inner = (st.ItemProcessor ?? st.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
    if (inner) tasksOf(inner.States, out);
  }
  return out;
}

/** A stub that throws a named error, as the handlers do (the engine matches Retry/Catch on `name`). */
export function fails(name: string, message = name): Stub {
  return () => {
    const e = new Error(message);
    e.name = name;
    throw e;
  };
}

export async function runWithStubs(definition: unknown, stubs: Record<string, Stub>, input: unknown = {}): Promise<StubRun> {
  const def = definition as { States: Record<string, Record<string, unknown>> };
  const taskCalls: string[] = [];
  const counts: Record<string, number> = {};
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const zero: Record<string, number> = {};
  for (const [name, st] of Object.entries(tasksOf(def.States))) {
    zero[name] = 0;
    if (String(st.Resource) !== 'arn:aws:states:::lambda:invoke') throw new Error(`task state '${name}' is not a Lambda invoke (${String(st.Resource)})`);
    handlers[name] = async (taskInput) => {
      const stub = stubs[name];
      if (!stub) throw new Error(`no stub for task state '${name}'`);
      taskCalls.push(name);
      counts[name] = (counts[name] ?? 0) + 1;
      const result = await stub((taskInput as { Payload?: unknown }).Payload, counts[name]);
      return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
    };
  }
  const machine = new StateMachine(def as never, { validationOptions: { checkArn: false, checkPaths: true } as never });
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: zero },
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:bench:run-1', Name: 'run-1' } } as never,
  });
  const entered: string[] = [];
  let maxStateBytes = jsonBytes(input);
  const logs = (async () => {
    for await (const e of run.eventLogs as AsyncIterable<EngineEvent>) {
      if (e.type === 'StateEntered') entered.push(e.state!.name);
      if (e.state) {
        if (e.state.input !== undefined) maxStateBytes = Math.max(maxStateBytes, jsonBytes(e.state.input));
        if (e.state.output !== undefined) maxStateBytes = Math.max(maxStateBytes, jsonBytes(e.state.output));
      }
    }
  })();
  let status: StubRun['status'] = 'SUCCEEDED';
  let error: string | undefined;
  let output: unknown;
  try {
    output = await run.result;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    status = 'FAILED';
    error = e.cause?.name ?? e.name;
  }
  await logs.catch(() => undefined);
  return { status, error, output, entered, transitions: entered.length, taskCalls, maxStateBytes };
}
