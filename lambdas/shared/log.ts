import { REDACTED } from './redactor';

/** Header names whose values are credentials or session state. */
const SENSITIVE_HEADER = /authorization|cookie|-key$|^key$|api-?key|token|secret|signature/i;

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) ? REDACTED : v]));
}

/** One structured line on stdout: CloudWatch Logs Insights parses JSON lines. */
export function logJson(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}
