/**
 * Binds Task states to the handler modules Lambda runs, in-process. A Task
 * invoking `arn:aws:states:::lambda:invoke` gets `{FunctionName, Payload}`
 * and Lambda hands the function `Payload`; the state then sees Lambda's
 * invoke result, `{ Payload: <returned value>, StatusCode: 200, ... }`.
 */
import { HANDLER_MODULES } from '../../lambdas';
import type { HandlerKind } from '../types';

export type LocalTaskHandler = (input: unknown) => Promise<unknown>;

/**
 * The error a Task failure must be inside the engine: aws-local-stepfunctions
 * matches Retry/Catch on `error.name` and reports `error.message` as the
 * cause (or `error.cause` when present, so none is set). That is what Lambda
 * does with a thrown error: its name becomes the ASL error. (Lambda's cause
 * is a JSON envelope of the message; locally the cause is the message.)
 */
export function taskError(name: string, cause: string): Error {
  const err = new Error(cause);
  err.name = name;
  return err;
}

/** Anything a handler throws, as a Task failure with the same name and message. */
export function asTaskError(thrown: unknown): Error {
  if (thrown instanceof Error) return taskError(thrown.name || 'Error', thrown.message);
  return taskError('Error', String(thrown));
}

/**
 * A Lambda function's error as Step Functions delivers it (Developer Guide,
 * "Handling errors in Step Functions workflows"; the Node.js runtime's error
 * response): `Error` is the thrown error's name, `Cause` the runtime's JSON
 * envelope `{errorType, errorMessage, trace}`, not the bare message.
 */
export function lambdaError(thrown: unknown): Error {
  const e = thrown instanceof Error ? thrown : new Error(String(thrown));
  const name = e.name || 'Error';
  const trace = (e.stack ?? '').split('\n').slice(0, 10);
  return taskError(name, lambdaCause(name, e.message, trace));
}

/** The Node.js runtime's error envelope, as the Cause text of a failed Lambda Task. */
export function lambdaCause(errorType: string, errorMessage: string, trace: string[] = []): string {
  return JSON.stringify({ errorType, errorMessage, trace });
}


/** A Lambda invoke result shaped as Step Functions' lambda:invoke integration returns it. */
export function invokeResult(payload: unknown): Record<string, unknown> {
  return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
}

/** The local stand-in for one Lambda function: the real handler the report names, called as Lambda would call it. */
export function lambdaInvoker(kind: HandlerKind): LocalTaskHandler {
  const load = HANDLER_MODULES[kind];
  if (!load) throw new Error(`osop-sfn: no handler module is known by the name '${kind}' (lambdas/index.ts).`);
  return async (input) => {
    const payload = (input as { Payload?: unknown } | null)?.Payload;
    try {
      return invokeResult(await load().handler(payload as never));
    } catch (err) {
      throw lambdaError(err);
    }
  };
}
