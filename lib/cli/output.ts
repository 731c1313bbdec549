import { formatDiagnostic, formatDiagnosticJson } from '../diagnostics/format';
import type { Diagnostic } from '../types';

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Internal: 3 } as const;

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

export function printDiagnostics(diagnostics: Diagnostic[], format: 'pretty' | 'json'): void {
  const color = useColor(process.stderr);
  for (const d of diagnostics) {
    process.stderr.write(format === 'json' ? `${formatDiagnosticJson(d)}\n` : `${formatDiagnostic(d, { color })}\n\n`);
  }
}

export function countBySeverity(diagnostics: Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
