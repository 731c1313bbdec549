/**
 * Replaces known secret values wherever they might surface: error messages,
 * log lines, results. A second line of defence: the handlers already avoid
 * echoing secrets, but an API or a library could echo one back.
 */
export const REDACTED = '[REDACTED]';

export class Redactor {
  private readonly values: string[] = [];

  add(secret: string): void {
    // Also the percent-encoded form, as it appears in URLs and form bodies.
    for (const form of [secret, encodeURIComponent(secret)]) {
      if (form && !this.values.includes(form)) this.values.push(form);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  text(input: string): string {
    let out = input;
    for (const v of this.values) out = out.split(v).join(REDACTED);
    return out;
  }

  /** Deep copy of a JSON value with secrets replaced in every string (keys included). */
  value<T>(input: T): T {
    if (this.values.length === 0) return input;
    return this.walk(input) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), this.walk(x)]));
    }
    return v;
  }
}
