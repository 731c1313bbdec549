/**
 * Binds Task states to the handler modules Lambda runs, in-process. A Task
 * invoking `arn:aws:states:::lambda:invoke` gets `{FunctionName, Payload}`
 * and Lambda hands the function `Payload`; the state then sees Lambda's
 * invoke result, `{ Payload: <returned value>, StatusCode: 200, ... }`.
 */
import type { LocalHandlerKind } from './definition';

export type LocalTaskHandler = (input: unknown) => Promise<unknown>;
type HandlerModule = { handler: (event: never) => Promise<unknown> };

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

/** A Lambda invoke result shaped as Step Functions' lambda:invoke integration returns it. */
export function invokeResult(payload: unknown): Record<string, unknown> {
  return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
}

/** Handler modules, loaded on first use (the agent handler pulls in the Anthropic SDK lazily itself). */
function loadHandler(kind: LocalHandlerKind): HandlerModule {
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (kind === 'rest') return require('../../lambdas/rest') as HandlerModule;
  return require('../../lambdas/agent') as HandlerModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The local stand-in for one Lambda function: the real handler, called as Lambda would call it. */
export function lambdaInvoker(kind: LocalHandlerKind): LocalTaskHandler {
  return async (input) => {
    const payload = (input as { Payload?: unknown } | null)?.Payload;
    try {
      return invokeResult(await loadHandler(kind).handler(payload as never));
    } catch (err) {
      throw asTaskError(err);
    }
  };
}
