import type { Diagnostic } from '../types';

export interface FormatOptions {
  color: boolean;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/**
 * `file:line:col - error OSOP1203: message`, then the source line with a caret
 * under the column, then the hint: the shape users know from tsc.
 */
export function formatDiagnostic(d: Diagnostic, opts: FormatOptions): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const sev = d.severity === 'error' ? paint(opts.color, '31', 'error') : d.severity === 'warning' ? paint(opts.color, '33', 'warning') : paint(opts.color, '36', 'info');
  const lines = [`${paint(opts.color, '36', where)} - ${sev} ${paint(opts.color, '90', d.code)}: ${d.message}`];
  if (d.sourceLine !== undefined && d.line > 0) {
    const gutter = String(d.line);
    const src = d.sourceLine.replace(/\t/g, ' ');
    lines.push('');
    lines.push(`${paint(opts.color, '7', gutter)} ${src}`);
    lines.push(`${' '.repeat(gutter.length)} ${' '.repeat(Math.max(0, (d.sourceColumn ?? d.column) - 1))}${paint(opts.color, '31', '^')}`);
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

/** One JSON object per line, for tools: `{severity, code, message, file, line, column}` (+ hint). */
export function formatDiagnosticJson(d: Diagnostic): string {
  const { severity, code, message, file, line, column, hint } = d;
  return JSON.stringify(hint ? { severity, code, message, file, line, column, hint } : { severity, code, message, file, line, column });
}
