import type { ErrorNames } from '../../lib/contract/task-payload';
import { Redactor } from './redactor';

export type HandlerErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** Step Functions shows the message as the error's cause; keep it readable and bounded. */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

/**
 * An error whose `name` is one of the contract's `ErrorNames`: the Lambda
 * runtime reports it as the errorType, which the compiler's Retry/Catch rules
 * match. It never carries a `cause`, so nothing but the message can leak.
 */
export class HandlerError extends Error {
  constructor(name: HandlerErrorName, message: string) {
    super(truncate(message, MAX_ERROR_MESSAGE_CHARS));
    this.name = name;
    // Re-capture so the stack's first line shows the contract name, not "Error".
    Error.captureStackTrace?.(this, HandlerError);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A copy of a thrown error with `redact` applied to its message, and no cause:
 * the Lambda runtime serialises the message and the stack (whose first line
 * repeats the message), so both are rebuilt from the cleaned text.
 */
export function redactError(err: unknown, redact: (text: string) => string): Error {
  const original = err instanceof Error ? err : new Error(String(err));
  if (original instanceof HandlerError) return new HandlerError(original.name as HandlerErrorName, redact(original.message));
  const copy = new Error(redact(original.message));
  copy.name = original.name;
  return copy;
}

/**
 * Runs a handler body with a fresh Redactor that the body feeds with the
 * secrets it reads: every secret value is removed from the result and from
 * any error thrown.
 */
export async function redacting<T>(body: (redactor: Redactor) => Promise<T>): Promise<T> {
  const redactor = new Redactor();
  try {
    return redactor.value(await body(redactor));
  } catch (err) {
    throw redactError(contractError(err), (text) => redactor.text(text));
  }
}

/**
 * Every failure leaves a handler as an error of the contract: what is not one
 * already (a RangeError from a 5,000-deep response, a TypeError from a body
 * that is not what the API promised) is OSOP.Output, the answer could not be
 * used; its original name stays in the message.
 */
function contractError(err: unknown): unknown {
  if (err instanceof Error && (err instanceof HandlerError || err.name.startsWith('OSOP.'))) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const why = e instanceof RangeError ? 'the answer is nested too deeply or too large to handle' : 'the answer could not be used';
  return new HandlerError('OSOP.Output', `${why} (${e.name}: ${e.message})`);
}
