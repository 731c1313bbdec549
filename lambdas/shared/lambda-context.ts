/** The part of the Lambda context the handlers use (absent in local runs). */
export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

/** Time kept back to report a timeout as a handler error before Lambda kills the function. */
const REPORTING_MARGIN_MS = 500;

/**
 * The request timeout, capped by the time the invocation has left: a Lambda
 * that is killed reports `Sandbox.Timedout`, which the compiler's transient
 * Retry rules would not match, while our own timeout error does.
 */
export function effectiveTimeoutMs(timeoutMs: number, context?: LambdaContextLike): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return timeoutMs;
  return Math.max(1, Math.min(timeoutMs, remaining - REPORTING_MARGIN_MS));
}
