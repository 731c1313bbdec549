/**
 * Retry rules of a Task. Transient handler errors are always retried (with
 * the node's policy, or a default): a dropped connection must be retried with
 * the same idempotency key, not sent down a fallback edge that starts a new
 * payment. The Lambda service's own transient errors are retried on every task.
 */
import { LAMBDA_SERVICE_ERRORS } from '../contract/task-payload';
import type { RetrySpec } from '../model';
import type { RetryRule } from './states';

const DEFAULT_TRANSIENT: Omit<RetryRule, 'ErrorEquals'> = { IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' };
const LAMBDA_SERVICE: Omit<RetryRule, 'ErrorEquals'> = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' };

export function retryRules(transientErrors: readonly string[], policy: RetrySpec | undefined): RetryRule[] {
  const rules: RetryRule[] = [];
  const transient = policy
    ? {
        IntervalSeconds: policy.intervalSeconds,
        MaxAttempts: policy.maxAttempts,
        BackoffRate: policy.backoffRate,
        ...(policy.maxDelaySeconds !== undefined ? { MaxDelaySeconds: policy.maxDelaySeconds } : {}),
        JitterStrategy: 'FULL' as const,
      }
    : DEFAULT_TRANSIENT;
  // An explicit "no retries" is honoured.
  if (transient.MaxAttempts > 0) rules.push({ ErrorEquals: [...transientErrors, 'States.Timeout'], ...transient });
  rules.push({ ErrorEquals: [...LAMBDA_SERVICE_ERRORS], ...LAMBDA_SERVICE });
  return rules;
}
