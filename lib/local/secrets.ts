/**
 * Locally, a secret NAME is the environment variable NAME (as the handlers
 * read it). The runners redact the values of every secret the workflow uses
 * from all they print and write: progress, output, errors, the record.
 */
import { Redactor } from '../../lambdas/shared/redactor';
import type { CompileReport } from '../types';

/** Secret names the workflow reads: `${secrets.X}` placeholders and the agents' API key secrets (inside Parallel and Map states too). */
export function secretNames(report: CompileReport): string[] {
  return [...new Set([...report.secrets.map((s) => s.name), ...report.agentSecrets])].sort();
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
