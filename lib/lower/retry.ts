/**
 * Retry rules of a Task. Transient handler errors are always retried (with
 * the node's policy, or a default): a dropped connection must be retried with
 * the same idempotency key, not sent down a fallback edge that starts a new
 * payment. The Lambda service's own transient errors are retried on every task.
 */
import { LAMBDA_SERVICE_ERRORS } from '../contract/task-payload';
import type { RetrySpec } from '../model';
import type { RetryRule } from './states';

const LAMBDA_SERVICE: Omit<RetryRule, 'ErrorEquals'> = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' };

/** `serviceErrors`: the integration's own transient errors (the Lambda service's; none for an HTTP Task). */
export function retryRules(transientErrors: readonly string[], policy: RetrySpec | undefined, serviceErrors: readonly string[] = LAMBDA_SERVICE_ERRORS): RetryRule[] {
  // Without a policy, one rule retries both kinds the same way: a shorter definition, same behaviour.
  if (!policy) return [{ ErrorEquals: [...transientErrors, 'States.Timeout', ...serviceErrors], ...capDelay(LAMBDA_SERVICE) }];
  const rules: RetryRule[] = [];
  const transient = {
    IntervalSeconds: policy.intervalSeconds,
    MaxAttempts: policy.maxAttempts,
    BackoffRate: policy.backoffRate,
    ...(policy.maxDelaySeconds !== undefined ? { MaxDelaySeconds: policy.maxDelaySeconds } : {}),
    JitterStrategy: 'FULL' as const,
  };
  // An explicit "no retries" is honoured.
  if (transient.MaxAttempts > 0) rules.push({ ErrorEquals: [...transientErrors, 'States.Timeout'], ...transient });
  if (serviceErrors.length) rules.push({ ErrorEquals: [...serviceErrors], ...capDelay(LAMBDA_SERVICE) });
  return rules.map((r) => ({ ...r, ...capDelay(r) }));
}

/** MaxDelaySeconds only where it can bind: the last interval (interval × rate^(attempts-1)) exceeds it. */
function capDelay<T extends Omit<RetryRule, 'ErrorEquals'>>(r: T): T {
  if (r.MaxDelaySeconds === undefined || r.IntervalSeconds * r.BackoffRate ** Math.max(0, r.MaxAttempts - 1) > r.MaxDelaySeconds) return r;
  const { MaxDelaySeconds: _unused, ...rest } = r;
  return rest as T;
}
