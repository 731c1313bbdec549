/** Failures the Stripe sandbox can be told to produce, to test retries and idempotency. */
export interface FaultSpec {
  /** Only calls with this method (any when absent). */
  method?: string;
  /** Exact path (no query string) or a pattern. */
  path: string | RegExp;
  /** Which matching call, counted from injection, fails (1 = the next one). Default 1. */
  nth?: number;
  /**
   * `status500`/`status503`: a Stripe-shaped `api_error`; `drop`: the socket is
   * destroyed without a response; `delay`: the response comes `delayMs` late.
   */
  kind: 'status500' | 'status503' | 'drop' | 'delay';
  delayMs?: number;
  /**
   * Fail AFTER the call took effect: the object is created and the result
   * stored under the idempotency key, but the client sees the fault. A retry
   * with the same key must get the stored result, not a second object.
   */
  afterEffect?: boolean;
}

interface ArmedFault {
  spec: FaultSpec;
  seen: number;
}

export class FaultPlan {
  private armed: ArmedFault[] = [];

  inject(spec: FaultSpec): void {
    if (spec.kind === 'delay' && !(Number(spec.delayMs) > 0)) throw new Error('a delay fault needs delayMs > 0');
    this.armed.push({ spec, seen: 0 });
  }

  /** Counts this call against every armed fault; returns (and disarms) the one whose turn it is. */
  take(method: string, path: string): FaultSpec | undefined {
    let hit: FaultSpec | undefined;
    for (const fault of this.armed) {
      const { spec } = fault;
      const matches =
        (!spec.method || spec.method.toUpperCase() === method) &&
        (typeof spec.path === 'string' ? spec.path === path : spec.path.test(path));
      if (!matches) continue;
      fault.seen += 1;
      if (!hit && fault.seen === (spec.nth ?? 1)) hit = spec;
    }
    this.armed = this.armed.filter((f) => f.spec !== hit);
    return hit;
  }

  clear(): void {
    this.armed = [];
  }
}
