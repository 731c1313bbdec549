/**
 * Locally, a secret NAME is the environment variable NAME (as the handlers
 * read it). The runners redact the values of every secret the workflow uses
 * from all they print and write: progress, output, errors, the record.
 */
import { Redactor } from '../../lambdas/shared/redactor';
import type { AslDefinition, CompileReport } from '../types';

/** Secret names the workflow reads: `${secrets.X}` placeholders and the agents' API key secrets. */
export function secretNames(definition: AslDefinition, report: CompileReport): string[] {
  const names = new Set(report.secrets.map((s) => s.name));
  for (const state of Object.values(definition.States)) {
    const payload = (state.Parameters as { Payload?: { apiKeySecret?: unknown } } | undefined)?.Payload;
    if (typeof payload?.apiKeySecret === 'string') names.add(payload.apiKeySecret);
  }
  return [...names].sort();
}

export function secretRedactor(names: string[], env: NodeJS.ProcessEnv = process.env): Redactor {
  const r = new Redactor();
  for (const name of names) {
    const value = env[name];
    if (value) r.add(value);
  }
  return r;
}

export { Redactor };
