/**
 * Stripe's idempotency semantics: a key first used with some parameters
 * replays that request's stored result; used with other parameters it is an
 * `idempotency_error`; used while its first request is still running it is a
 * 409 that Stripe marks as retryable.
 */
export interface StoredResult {
  fingerprint: string;
  status: number;
  body: string;
}

export type IdempotencyDecision =
  | { kind: 'new' }
  | { kind: 'replay'; stored: StoredResult }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' };

export class IdempotencyStore {
  private readonly results = new Map<string, StoredResult>();
  private readonly running = new Set<string>();

  /** Decides what to do with a call; a `new` call holds the key until `finish`. */
  begin(key: string, fingerprint: string): IdempotencyDecision {
    const stored = this.results.get(key);
    if (stored) return stored.fingerprint === fingerprint ? { kind: 'replay', stored } : { kind: 'mismatch' };
    if (this.running.has(key)) return { kind: 'in-flight' };
    this.running.add(key);
    return { kind: 'new' };
  }

  /**
   * Releases the key and stores the result when Stripe would: when the call
   * ran (success, or a card error), not for validation errors and never for
   * a 500 — a retry after a server error is processed afresh.
   */
  finish(key: string, result: StoredResult): void {
    this.running.delete(key);
    if (result.status < 400 || result.status === 402) this.results.set(key, result);
  }

  clear(): void {
    this.results.clear();
    this.running.clear();
  }
}
