/**
 * Runs a compiled definition on the local engine (aws-local-stepfunctions)
 * with stub task handlers, and records the states entered in order. Used by
 * the construct tests; the real handlers are exercised by the local runner.
 */
import { StateMachine } from 'aws-local-stepfunctions';

/** A stub gets the Lambda `Payload` (or the Parameters of other integrations) and the 1-based call count. */
export type Stub = (payload: any, call: number) => unknown;

export interface EngineRun {
  output: any;
  error: { name: string; message: string } | undefined;
  entered: string[];
  calls: Record<string, any[]>;
}

export function taskStates(states: Record<string, any>, out: Record<string, any> = {}): Record<string, any> {
  for (const [name, st] of Object.entries(states)) {
    if (st.Type === 'Task') out[name] = st;
    if (st.Type === 'Parallel') for (const b of st.Branches) taskStates(b.States, out);
    if (st.Type === 'Map') taskStates(st.ItemProcessor.States, out);
  }
  return out;
}

export async function runDefinition(definition: any, stubs: Record<string, Stub>, input: unknown = {}): Promise<EngineRun> {
  const calls: Record<string, any[]> = {};
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, st] of Object.entries(taskStates(definition.States))) {
    calls[name] = [];
    retryIntervalOverrides[name] = 0;
    const isLambda = String(st.Resource).startsWith('arn:aws:states:::lambda:invoke') && !String(st.Resource).endsWith('waitForTaskToken');
    handlers[name] = async (taskInput: any) => {
      const payload = isLambda ? taskInput.Payload : String(st.Resource).endsWith('waitForTaskToken') ? taskInput.Payload : taskInput;
      calls[name].push(payload);
      const stub = stubs[name];
      if (!stub) throw new Error(`no stub for task state '${name}'`);
      const result = await stub(payload, calls[name].length);
      return isLambda ? { Payload: result } : result;
    };
  }
  const sm = new StateMachine(definition, { validationOptions: { checkArn: false } as any });
  const run = sm.run(input as any, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    // The engine has no callback tokens; a fixed one stands in for $$.Task.Token.
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:test:run-1', Name: 'run-1' }, Task: { Token: 'local-task-token' } } as any,
  });
  const entered: string[] = [];
  const logs = (async () => {
    for await (const ev of run.eventLogs as AsyncIterable<any>) if (ev.type === 'StateEntered') entered.push(ev.state.name);
  })();
  let output: any;
  let error: EngineRun['error'];
  try {
    output = await run.result;
  } catch (e: any) {
    const c = e.cause ?? e;
    error = { name: c.name, message: c.message };
  }
  await logs.catch(() => undefined);
  return { output, error, entered, calls };
}

/** A stub that throws a named error, as the handlers do. */
export function fails(name: string, message = name): Stub {
  return () => {
    const e = new Error(message);
    e.name = name;
    throw e;
  };
}
