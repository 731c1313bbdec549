/**
 * Replaces known secret values wherever they might surface: error messages,
 * log lines, results. A second line of defence: the handlers already avoid
 * echoing secrets, but an API or a library could echo one back.
 */
export const REDACTED = '[REDACTED]';

export class Redactor {
  private readonly values: string[] = [];

  add(secret: string): void {
    // Every form a handler (or a library) may write it in: percent-encoded in a URL (either hex case), form-encoded
    // (space as '+'), JSON-escaped, base64 (a Basic auth header).
    const percent = encodeURIComponent(secret);
    const forms = [
      secret,
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64').replace(/=+$/, ''),
      Buffer.from(secret).toString('base64url'),
    ];
    for (const form of forms) {
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
