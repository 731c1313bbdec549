import type { Diagnostic, Severity } from '../types';

export { Codes } from './codes';
export type { Code } from './codes';

/** A source file as the diagnostics see it: its text and where its lines start. */
export interface SourceFile {
  path: string;
  text: string;
  lineStarts: number[];
}

/** A position in a source file by character offset; turned into line:column only when reported. */
export interface SourceRange {
  offset: number;
  length: number;
}

/**
 * Collects diagnostics for one source file. Stages take a sink and report
 * into it instead of throwing, so that one run reports every problem.
 */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: SourceFile | { path: string; text?: undefined; lineStarts?: undefined },
    /** Readings of loose forms (and manual steps) are errors, not warnings (`--strict`). */
    readonly strict = false,
  ) {}

  /** A loose form read one documented way: a warning that says what was read, or an error when strict. */
  reading(code: string, message: string, at?: SourceRange | null, hint?: string): void {
    this.report(this.strict ? 'error' : 'warning', code, message, at, hint);
  }

  report(severity: Severity, code: string, message: string, at?: SourceRange | null, hint?: string): void {
    const d: Diagnostic = { severity, code, message, file: this.file.path, line: 0, column: 0 };
    if (hint) d.hint = hint;
    if (at && this.file.text !== undefined && this.file.lineStarts) {
      const { line, column } = positionOf(this.file.lineStarts, at.offset);
      d.line = line;
      d.column = column;
      d.sourceLine = lineText(this.file.text, this.file.lineStarts, line);
    }
    this.diagnostics.push(d);
  }

  error(code: string, message: string, at?: SourceRange | null, hint?: string): void {
    this.report('error', code, message, at, hint);
  }

  warn(code: string, message: string, at?: SourceRange | null, hint?: string): void {
    this.report('warning', code, message, at, hint);
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/** Offsets of the first character of each line; built once per file. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column of an offset (binary search: O(log lines)). */
export function positionOf(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

function lineText(text: string, lineStarts: number[], line: number): string {
  const start = lineStarts[line - 1];
  const end = line < lineStarts.length ? lineStarts[line] - 1 : text.length;
  return text.slice(start, end).replace(/\r$/, '');
}
